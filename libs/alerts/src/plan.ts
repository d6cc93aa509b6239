/**
 * When to warn and when to mark a dossier late. Pure: instants are passed in, nothing is read.
 *
 * - The deadline instant is the domain's `overdueFrom(dueAt, calendar, unit)`: deadlines in working hours
 *   are missed at dueAt + 1 ms, others at local midnight after the due date (docs/domain.md, "The clock").
 * - "Due soon" (configurable): when the working time left before `dueAt` falls to
 *   min(fraction × allowed working time, maxWorkingDays × the agency's working day). Allowed time is the
 *   receipt's `clockStartAt → originalDueAt`; pauses move `dueAt` but do not change the allowance.
 *   Defaults: 25 % of the allowance, at most one working day (a 15-day procedure warns one day ahead,
 *   a 4-hour one an hour ahead).
 */
import type { DeadlineUnit } from '@motcua/calendar';
import { overdueFrom } from '@motcua/domain';
import { calendarForVersion } from './calendar-version';

export interface DueSoonPolicy {
  /** Fraction of the allowed time left that triggers the warning, 0..1. */
  fraction: number;
  /** Cap, in working days of the agency (calendar days for `calendar_days` deadlines). */
  maxWorkingDays: number;
}

export const DEFAULT_DUE_SOON_POLICY: DueSoonPolicy = Object.freeze({ fraction: 0.25, maxWorkingDays: 1 });

export interface DeadlineFacts {
  dueAtMs: number;
  /** A DeadlineUnit (kept as text: read-model rows hold it as text). */
  unit: DeadlineUnit | string | null;
  calendarVersion: string | null;
  clockStartAtMs: number;
  originalDueAtMs: number;
}

export interface AlertPlan {
  /** When the due-soon warning is due. */
  dueSoonAt: number;
  /** First instant the dossier is late: when the deadline job runs. */
  overdueFrom: number;
  /** Working time left at `dueSoonAt` (the threshold). */
  thresholdMs: number;
}

const DAY_MS = 86_400_000;

export function planAlerts(f: DeadlineFacts, policy: DueSoonPolicy = DEFAULT_DUE_SOON_POLICY): AlertPlan {
  const calendar = calendarForVersion(f.calendarVersion);
  const lateFrom = overdueFrom(f.dueAtMs, calendar, (f.unit ?? undefined) as DeadlineUnit | undefined);
  if (f.unit === 'calendar_days') {
    const allowed = Math.max(0, f.originalDueAtMs - f.clockStartAtMs);
    const threshold = Math.min(policy.fraction * allowed, policy.maxWorkingDays * DAY_MS);
    return { dueSoonAt: f.dueAtMs - Math.round(threshold), overdueFrom: lateFrom, thresholdMs: Math.round(threshold) };
  }
  const allowed = calendar.workingTimeBetween(f.clockStartAtMs, f.originalDueAtMs);
  const threshold = Math.round(Math.min(policy.fraction * allowed, policy.maxWorkingDays * calendar.workingDayMs));
  // remaining(t) = workingTimeBetween(t, dueAt) is pure calendar arithmetic (pauses do not enter it), so
  // the instant where `threshold` is left is `W - threshold` of working time after the clock start.
  const total = calendar.workingTimeBetween(f.clockStartAtMs, f.dueAtMs);
  const dueSoonAt = total <= threshold ? f.clockStartAtMs : calendar.addWorkingTime(f.clockStartAtMs, total - threshold);
  return { dueSoonAt, overdueFrom: lateFrom, thresholdMs: threshold };
}

/** Working (or, for calendar-day deadlines, plain) time left from `now` to `dueAt`. */
export function remainingTime(f: Pick<DeadlineFacts, 'dueAtMs' | 'unit' | 'calendarVersion'>, now: number): number {
  if (f.unit === 'calendar_days') return Math.max(0, f.dueAtMs - now);
  return calendarForVersion(f.calendarVersion).workingTimeBetween(now, f.dueAtMs);
}
