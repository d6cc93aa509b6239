/**
 * Agency working hours: the default, the text format used in agencies.csv, and the canonical form that
 * goes into a calendar's version string.
 */
import { formatLocalTime, MS_PER_MINUTE, parseLocalTime } from './civil';
import type { WorkingDayGroup, WorkingHours, WorkingPeriod } from './types';

/** Mon–Fri 07:00–11:30 and 13:30–17:00, Asia/Ho_Chi_Minh (UTC+7, no DST): the common counter hours. */
export const DEFAULT_WORKING_HOURS: WorkingHours = Object.freeze({
  weekdays: Object.freeze([1, 2, 3, 4, 5]) as number[],
  periods: Object.freeze([Object.freeze({ start: '07:00', end: '11:30' }), Object.freeze({ start: '13:30', end: '17:00' })]) as WorkingPeriod[],
  utcOffsetMinutes: 420,
}) as WorkingHours;

const DAY_NAMES: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

function parseDays(spec: string, input: string): number[] {
  const days = new Set<number>();
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-').map((s) => DAY_NAMES[s.trim().toLowerCase().slice(0, 3)]);
    if (a === undefined || (part.includes('-') && b === undefined)) {
      throw new RangeError(`Invalid weekday "${part}" in working hours "${input}"`);
    }
    const end = b ?? a;
    // A wrapping range like Sat-Mon is allowed.
    for (let d = a; ; d = (d % 7) + 1) {
      days.add(d);
      if (d === end) break;
    }
  }
  return [...days].sort((x, y) => x - y);
}

function parsePeriod(token: string, input: string): WorkingPeriod {
  const m = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(token);
  if (!m) throw new RangeError(`Invalid period "${token}" in working hours "${input}"`);
  const norm = (t: string) => formatLocalTime(parseLocalTime(t));
  return { start: norm(m[1]), end: norm(m[2]) };
}

/**
 * Parses `Mon-Fri 07:00-11:30 13:30-17:00`, optionally followed by further day groups with their own
 * periods: `Mon-Fri 07:00-11:30 13:30-17:00; Sat 07:00-11:30`. The first group is the agency's normal
 * working day (its length is "one working day" for the deadline); later groups go to `additionalDays`.
 * Every group listed counts as working time for deadlines: list a Saturday only when the agency's
 * calendar makes it a working day, not merely when the counter opens for receipt.
 */
export function parseWorkingHours(input: string, utcOffsetMinutes = 420): WorkingHours {
  const groups: WorkingDayGroup[] = input
    .split(';')
    .map((g) => g.trim())
    .filter((g) => g.length > 0)
    .map((g) => {
      const [days, ...periods] = g.split(/\s+/);
      if (periods.length === 0) throw new RangeError(`No working period in "${g}" of working hours "${input}"`);
      return { weekdays: parseDays(days, input), periods: periods.map((p) => parsePeriod(p, input)) };
    });
  if (groups.length === 0) throw new RangeError(`Empty working hours "${input}"`);
  const hours: WorkingHours = { weekdays: groups[0].weekdays, periods: groups[0].periods, utcOffsetMinutes };
  if (groups.length > 1) hours.additionalDays = groups.slice(1);
  validateWorkingHours(hours);
  return hours;
}

/** Throws when periods are empty, unsorted, overlapping, or weekdays repeat across groups. */
export function validateWorkingHours(hours: WorkingHours): void {
  const seen = new Set<number>();
  for (const g of [{ weekdays: hours.weekdays, periods: hours.periods }, ...(hours.additionalDays ?? [])]) {
    let last = -1;
    if (g.periods.length === 0) throw new RangeError('A working day group has no period');
    for (const p of g.periods) {
      const s = parseLocalTime(p.start);
      const e = parseLocalTime(p.end);
      if (!(s < e) || s < last) throw new RangeError(`Working periods must be sorted and non-overlapping: ${p.start}-${p.end}`);
      last = e;
    }
    for (const d of g.weekdays) {
      if (!Number.isInteger(d) || d < 1 || d > 7) throw new RangeError(`Invalid ISO weekday ${d}`);
      if (seen.has(d)) throw new RangeError(`Weekday ${d} appears in two working day groups`);
      seen.add(d);
    }
  }
  if (!Number.isInteger(hours.utcOffsetMinutes) || Math.abs(hours.utcOffsetMinutes) > 14 * 60) {
    throw new RangeError(`Invalid UTC offset ${hours.utcOffsetMinutes}`);
  }
}

function formatDays(days: number[]): string {
  const sorted = [...days].sort((a, b) => a - b);
  const contiguous = sorted.every((d, i) => i === 0 || d === sorted[i - 1] + 1);
  return contiguous && sorted.length > 1 ? `${sorted[0]}-${sorted[sorted.length - 1]}` : sorted.join(',');
}

/** Canonical text of working hours, e.g. `07:00-11:30,13:30-17:00/1-5` (plus `;…` groups, `@+08:00` if not +07). */
export function formatWorkingHours(hours: WorkingHours): string {
  const group = (periods: WorkingPeriod[], days: number[]) => `${periods.map((p) => `${p.start}-${p.end}`).join(',')}/${formatDays(days)}`;
  let s = group(hours.periods, hours.weekdays);
  for (const g of hours.additionalDays ?? []) s += `;${group(g.periods, g.weekdays)}`;
  if (hours.utcOffsetMinutes !== 420) {
    const off = Math.abs(hours.utcOffsetMinutes);
    const sign = hours.utcOffsetMinutes < 0 ? '-' : '+';
    s += `@${sign}${formatLocalTime(off * MS_PER_MINUTE)}`;
  }
  return s;
}
