/**
 * Working-time arithmetic for one agency: its working hours + the national holidays (rules and official
 * schedules). Pure and allocation-light: instants are epoch ms, days are integer day numbers, and each
 * day's status is cached as one byte in lazily-filled blocks, so the hot loops (a projection rebuild
 * calls dueAt millions of times) do integer maths and typed-array reads only.
 *
 * Semantics (domain notes, "The clock"):
 *  - working periods are half-open [start, end);
 *  - the clock of a dossier received after closing starts at the next working time; received during
 *    the lunch break, at the afternoon opening (both follow from counting working time only);
 *  - the due instant is the instant the allotted working time is used up. It therefore lies in
 *    (start, end] of a working period: a dossier due after exactly one day's work from 07:00 is due
 *    at 17:00 that day, not at 07:00 the next morning;
 *  - one working day = the total length of the agency's normal working periods (8 h for the default
 *    07:00–11:30, 13:30–17:00; the domain notes fix it at 8 h, an agency with other hours uses its own
 *    day length so that "1 working day" is always one full day of that agency).
 */
import { civilFromDays, formatLocalDate, isoWeekday, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, parseLocalDate, parseLocalTime } from './civil';
import { DayOverride, holidayIndexFor, HolidayIndex } from './holidays';
import { OFFICIAL_SCHEDULES, OfficialSchedules } from './official-schedules';
import type { DeadlineRules, EpochMs, LocalDate, WorkingCalendar, WorkingHours, WorkingPeriod } from './types';
import { DEFAULT_WORKING_HOURS, formatWorkingHours, validateWorkingHours } from './working-hours';

export interface CreateWorkingCalendarOptions {
  /** Agency working hours; default Mon–Fri 07:00–11:30, 13:30–17:00 at UTC+7. */
  hours?: WorkingHours;
  /** Official yearly schedules; default OFFICIAL_SCHEDULES (official-schedules.ts). */
  schedules?: OfficialSchedules;
  /** Overrides the computed version string (`vn-<data version>+hours:<canonical hours>`). */
  version?: string;
}

export interface DayInfo {
  date: LocalDate;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  working: boolean;
  /** Working periods of that day (empty when not working). */
  periods: WorkingPeriod[];
  /** Present when a holiday or a swapped working day decides the day. */
  holiday?: DayOverride;
}

/** The calendar returned by createWorkingCalendar: the WorkingCalendar contract plus helpers. */
export interface VnWorkingCalendar extends WorkingCalendar {
  /** Length of one working day in ms (8 h by default). */
  readonly workingDayMs: number;
  readonly schedules: OfficialSchedules;
  /** Status of a local date, with the holiday label and its source. */
  describeDay(date: LocalDate): DayInfo;
  /** When the clock of a dossier received at `receivedAt` starts (cut-off and closed time applied). */
  clockStart(receivedAt: EpochMs, cutoffTime?: string): EpochMs;
  /** `from` plus `days` working days (fractions allowed: 0.5 = half a working day). */
  addWorkingDays(from: EpochMs, days: number): EpochMs;
  /**
   * The due instant after a pause (supplementation, payment where the procedure says so) from
   * `pausedAt` to `resumedAt`: moved by the paused working time only.
   */
  extendForPause(dueAt: EpochMs, pausedAt: EpochMs, resumedAt: EpochMs): EpochMs;
}

/** Day status codes stored in the cache. */
const OFF = 1;
const NORMAL = 2; // working with the periods of its weekday
const SWAPPED = 3; // a weekend day worked in exchange: the normal (first group) periods

const BLOCK_BITS = 8;
const BLOCK_SIZE = 1 << BLOCK_BITS;
/** Day number of 1800-01-01; the cache covers 1800–2500, other days are computed uncached. */
const CACHE_BASE = -62_091;
const CACHE_BLOCKS = Math.ceil((700 * 366) / BLOCK_SIZE);
/** No agency is closed for ten years: beyond this, the hours or the data are wrong. */
const MAX_IDLE_DAYS = 3660;

interface DayStatusCache {
  blocks: (Int8Array | undefined)[];
}
/** Calendars with the same schedules and weekday set share their day cache. */
const sharedCaches = new WeakMap<OfficialSchedules, Map<string, DayStatusCache>>();

class VnCalendar implements VnWorkingCalendar {
  readonly version: string;
  readonly workingDayMs: number;
  private readonly offsetMs: number;
  /** Per ISO weekday (index 1..7): flat [start0, end0, start1, end1, …] in ms after local midnight. */
  private readonly weekdayPeriods: (number[] | null)[] = [null, null, null, null, null, null, null, null];
  private readonly weekdayLength: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  private readonly normalPeriods: number[];
  private readonly holidays: HolidayIndex;
  private readonly cache: DayStatusCache;
  private readonly cutoffs = new Map<string, number>();

  constructor(
    readonly hours: WorkingHours,
    readonly schedules: OfficialSchedules,
    version: string | undefined,
  ) {
    validateWorkingHours(hours);
    this.offsetMs = hours.utcOffsetMinutes * MS_PER_MINUTE;
    const flat = (periods: WorkingPeriod[]) => periods.flatMap((p) => [parseLocalTime(p.start), parseLocalTime(p.end)]);
    const length = (f: number[]) => f.reduce((sum, v, i) => (i % 2 === 1 ? sum + v - f[i - 1] : sum), 0);
    this.normalPeriods = flat(hours.periods);
    this.workingDayMs = length(this.normalPeriods);
    for (const g of [{ weekdays: hours.weekdays, periods: hours.periods }, ...(hours.additionalDays ?? [])]) {
      const f = flat(g.periods);
      for (const wd of g.weekdays) {
        this.weekdayPeriods[wd] = f;
        this.weekdayLength[wd] = length(f);
      }
    }
    this.holidays = holidayIndexFor(schedules);
    const weekdaysKey = this.weekdayPeriods.map((p) => (p ? 1 : 0)).join('');
    let perSchedules = sharedCaches.get(schedules);
    if (!perSchedules) sharedCaches.set(schedules, (perSchedules = new Map()));
    let cache = perSchedules.get(weekdaysKey);
    if (!cache) perSchedules.set(weekdaysKey, (cache = { blocks: new Array(CACHE_BLOCKS) }));
    this.cache = cache;
    this.version = version ?? `vn-${schedules.version}+hours:${formatWorkingHours(hours)}`;
  }

  // ------------------------------------------------------------------ day status

  private computeStatus(d: number): number {
    const override = this.holidays.get(d, civilFromDays(d)[0]);
    if (override) return override.working ? SWAPPED : OFF;
    return this.weekdayPeriods[isoWeekday(d)] ? NORMAL : OFF;
  }

  private status(d: number): number {
    const i = d - CACHE_BASE;
    const b = i >> BLOCK_BITS;
    if (i < 0 || b >= CACHE_BLOCKS) return this.computeStatus(d);
    let block = this.cache.blocks[b];
    if (block === undefined) {
      block = new Int8Array(BLOCK_SIZE);
      const first = CACHE_BASE + (b << BLOCK_BITS);
      for (let k = 0; k < BLOCK_SIZE; k++) block[k] = this.computeStatus(first + k);
      this.cache.blocks[b] = block;
    }
    return block[i & (BLOCK_SIZE - 1)];
  }

  private periodsOf(d: number, status: number): number[] {
    return status === SWAPPED ? this.normalPeriods : (this.weekdayPeriods[isoWeekday(d)] as number[]);
  }

  private lengthOf(d: number, status: number): number {
    return status === SWAPPED ? this.workingDayMs : this.weekdayLength[isoWeekday(d)];
  }

  private dayOf(t: EpochMs): number {
    return Math.floor((t + this.offsetMs) / MS_PER_DAY);
  }

  private dayStart(d: number): EpochMs {
    return d * MS_PER_DAY - this.offsetMs;
  }

  /** The first working day after day `d`. */
  private nextWorkingDay(d: number): number {
    for (let idle = 0; idle < MAX_IDLE_DAYS; idle++) {
      d++;
      if (this.status(d) >= NORMAL) return d;
    }
    throw new RangeError(`No working day within ${MAX_IDLE_DAYS} days: check the working hours (${this.version})`);
  }

  // ------------------------------------------------------------------ contract

  isWorkingDay(date: LocalDate): boolean {
    return this.status(parseLocalDate(date)) >= NORMAL;
  }

  describeDay(date: LocalDate): DayInfo {
    const d = parseLocalDate(date);
    const status = this.status(d);
    const holiday = this.holidays.get(d, civilFromDays(d)[0]);
    const working = status >= NORMAL;
    let periods: WorkingPeriod[] = [];
    if (working) {
      const wd = isoWeekday(d);
      const groups = [{ weekdays: this.hours.weekdays, periods: this.hours.periods }, ...(this.hours.additionalDays ?? [])];
      periods = status === SWAPPED ? this.hours.periods : (groups.find((g) => g.weekdays.includes(wd))?.periods ?? []);
    }
    return { date: formatLocalDate(d), weekday: isoWeekday(d), working, periods, ...(holiday ? { holiday } : {}) };
  }

  isWorkingInstant(t: EpochMs): boolean {
    const d = this.dayOf(t);
    const status = this.status(d);
    if (status < NORMAL) return false;
    const p = this.periodsOf(d, status);
    const tod = t - this.dayStart(d);
    for (let i = 0; i < p.length; i += 2) if (tod >= p[i] && tod < p[i + 1]) return true;
    return false;
  }

  nextWorkingInstant(t: EpochMs): EpochMs {
    let d = this.dayOf(t);
    const status = this.status(d);
    if (status >= NORMAL) {
      const p = this.periodsOf(d, status);
      const tod = t - this.dayStart(d);
      for (let i = 0; i < p.length; i += 2) {
        if (tod < p[i + 1]) return tod >= p[i] ? t : this.dayStart(d) + p[i];
      }
    }
    d = this.nextWorkingDay(d);
    return this.dayStart(d) + this.periodsOf(d, this.status(d))[0];
  }

  /** Working ms of day `d` inside [lo, hi). */
  private overlap(d: number, lo: EpochMs, hi: EpochMs): number {
    const status = this.status(d);
    if (status < NORMAL) return 0;
    const p = this.periodsOf(d, status);
    const base = this.dayStart(d);
    let sum = 0;
    for (let i = 0; i < p.length; i += 2) {
      const s = base + p[i];
      const e = base + p[i + 1];
      const a = s > lo ? s : lo;
      const b = e < hi ? e : hi;
      if (b > a) sum += b - a;
    }
    return sum;
  }

  workingTimeBetween(a: EpochMs, b: EpochMs): number {
    if (!(b > a)) return 0;
    const da = this.dayOf(a);
    const db = this.dayOf(b);
    if (da === db) return this.overlap(da, a, b);
    let total = this.overlap(da, a, Infinity) + this.overlap(db, -Infinity, b);
    for (let d = da + 1; d < db; d++) {
      const status = this.status(d);
      if (status >= NORMAL) total += this.lengthOf(d, status);
    }
    return total;
  }

  addWorkingTime(from: EpochMs, workingMs: number): EpochMs {
    if (!Number.isFinite(workingMs) || workingMs < 0) {
      throw new RangeError(`Working time to add must be a finite, non-negative number of ms, got ${workingMs}`);
    }
    if (workingMs === 0) return from;
    let remaining = workingMs;
    let d = this.dayOf(from);
    let cursor = from;
    for (let idle = 0; idle < MAX_IDLE_DAYS; d++) {
      const status = this.status(d);
      if (status < NORMAL) {
        idle++;
        continue;
      }
      idle = 0;
      const base = this.dayStart(d);
      // Skip whole days without looking at their periods.
      if (cursor <= base) {
        const len = this.lengthOf(d, status);
        if (remaining > len) {
          remaining -= len;
          continue;
        }
      }
      const p = this.periodsOf(d, status);
      for (let i = 0; i < p.length; i += 2) {
        const e = base + p[i + 1];
        if (e <= cursor) continue;
        const s = base + p[i];
        const lo = s > cursor ? s : cursor;
        const avail = e - lo;
        if (remaining <= avail) return lo + remaining;
        remaining -= avail;
      }
      cursor = base;
    }
    throw new RangeError(`No working day within ${MAX_IDLE_DAYS} days: check the working hours (${this.version})`);
  }

  addWorkingDays(from: EpochMs, days: number): EpochMs {
    return this.addWorkingTime(from, Math.round(days * this.workingDayMs));
  }

  extendForPause(dueAt: EpochMs, pausedAt: EpochMs, resumedAt: EpochMs): EpochMs {
    return this.addWorkingTime(dueAt, this.workingTimeBetween(pausedAt, resumedAt));
  }

  private cutoffMs(cutoffTime: string): number {
    let ms = this.cutoffs.get(cutoffTime);
    if (ms === undefined) {
      ms = parseLocalTime(cutoffTime);
      this.cutoffs.set(cutoffTime, ms);
    }
    return ms;
  }

  /** Day number whose counting starts the clock: the receipt day, or the next working day after cut-off. */
  private startDay(receivedAt: EpochMs, cutoffTime: string | undefined): number {
    const d = this.dayOf(receivedAt);
    if (cutoffTime !== undefined && this.status(d) >= NORMAL && receivedAt - this.dayStart(d) > this.cutoffMs(cutoffTime)) {
      return this.nextWorkingDay(d);
    }
    return d;
  }

  clockStart(receivedAt: EpochMs, cutoffTime?: string): EpochMs {
    const d = this.dayOf(receivedAt);
    const sd = this.startDay(receivedAt, cutoffTime);
    if (sd !== d) return this.dayStart(sd) + this.periodsOf(sd, this.status(sd))[0];
    return this.nextWorkingInstant(receivedAt);
  }

  dueAt(receivedAt: EpochMs, rules: DeadlineRules): EpochMs {
    const { value, unit } = rules.deadline;
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`Invalid deadline value ${value}`);
    switch (unit) {
      case 'working_days':
        return this.addWorkingTime(this.clockStart(receivedAt, rules.cutoffTime), Math.round(value * this.workingDayMs));
      case 'working_hours':
        return this.addWorkingTime(this.clockStart(receivedAt, rules.cutoffTime), Math.round(value * MS_PER_HOUR));
      case 'calendar_days': {
        // Civil Code 2015 art. 147(1): a period in days starts the day after the event (receipt, or
        // the start day after a cut-off) and art. 148(1) ends at the end of its last day; for a counter
        // the end of a day is its closing time. Art. 148(5): if the last day is a weekly rest day or a
        // holiday, the period ends at the end of the next working day.
        let last = this.startDay(receivedAt, rules.cutoffTime) + Math.ceil(value);
        let status = this.status(last);
        if (status < NORMAL) {
          last = this.nextWorkingDay(last);
          status = this.status(last);
        }
        const p = this.periodsOf(last, status);
        return this.dayStart(last) + p[p.length - 1];
      }
      default:
        throw new RangeError(`Unknown deadline unit ${String(unit)}`);
    }
  }

  localDate(t: EpochMs): LocalDate {
    return formatLocalDate(this.dayOf(t));
  }
}

/**
 * Builds the working calendar of an agency. Cheap to call repeatedly: the holiday index and the day
 * cache are shared between calendars built on the same schedules object.
 */
export function createWorkingCalendar(options: CreateWorkingCalendarOptions = {}): VnWorkingCalendar {
  return new VnCalendar(options.hours ?? DEFAULT_WORKING_HOURS, options.schedules ?? OFFICIAL_SCHEDULES, options.version);
}
