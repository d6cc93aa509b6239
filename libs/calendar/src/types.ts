/**
 * The public contract of the working-time calendar. Instants are epoch milliseconds (UTC);
 * local wall-clock values are in the agency's fixed UTC offset (Viet Nam: UTC+7, no DST since 1975).
 */
export type EpochMs = number;

/** A local calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;

/** `HH:mm`, local wall clock. */
export type LocalTime = string;

export interface WorkingPeriod {
  start: LocalTime;
  end: LocalTime;
}

/** Weekdays sharing one set of working periods. */
export interface WorkingDayGroup {
  weekdays: number[];
  periods: WorkingPeriod[];
}

export interface WorkingHours {
  /** ISO weekdays that are working days by default: 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  /**
   * Working periods of a working day, sorted, non-overlapping (morning and afternoon). Their total
   * length is "one working day" for `working_days` deadlines (8 h by default).
   */
  periods: WorkingPeriod[];
  /** Offset from UTC in minutes; 420 for Asia/Ho_Chi_Minh. */
  utcOffsetMinutes: number;
  /**
   * Optional further weekdays with their own periods (e.g. a Saturday morning that the agency's
   * calendar counts as working time). Weekdays must not repeat across groups.
   */
  additionalDays?: WorkingDayGroup[];
}

/** The units a procedure's legal deadline is stated in: the one declaration, used by every lib and app. */
export const DEADLINE_UNITS = ['working_days', 'working_hours', 'calendar_days'] as const;
export type DeadlineUnit = (typeof DEADLINE_UNITS)[number];

export interface Deadline {
  value: number;
  unit: DeadlineUnit;
}

export interface DeadlineRules {
  deadline: Deadline;
  /**
   * Per-procedure cut-off: received on a working day strictly after this local time, the clock starts at
   * the opening of the next working day.
   */
  cutoffTime?: LocalTime;
}

/** Working-time arithmetic for one agency under one versioned set of rules. */
export interface WorkingCalendar {
  /** e.g. `vn-2026.1+hours:07:00-11:30,13:30-17:00/1-5`: recorded on each dossier at receipt. */
  readonly version: string;
  readonly hours: WorkingHours;
  isWorkingDay(date: LocalDate): boolean;
  /** True when `t` lies inside a working period of a working day ([start, end) intervals). */
  isWorkingInstant(t: EpochMs): boolean;
  /** `t` itself when working, else the start of the next working period. */
  nextWorkingInstant(t: EpochMs): EpochMs;
  /**
   * When the clock of a dossier received at `receivedAt` starts: the next working instant, or the next
   * working day's opening when received after the procedure's cut-off time on a working day.
   */
  clockStart(receivedAt: EpochMs, cutoffTime?: LocalTime): EpochMs;
  /** Working milliseconds in [a, b); 0 when b <= a. */
  workingTimeBetween(a: EpochMs, b: EpochMs): number;
  /** The instant at which `workingMs` of working time has elapsed counting from `from`. */
  addWorkingTime(from: EpochMs, workingMs: number): EpochMs;
  /** The due instant of a dossier received at `receivedAt` under the given procedure rules. */
  dueAt(receivedAt: EpochMs, rules: DeadlineRules): EpochMs;
  /** Local date of an instant in this calendar's offset. */
  localDate(t: EpochMs): LocalDate;
}
