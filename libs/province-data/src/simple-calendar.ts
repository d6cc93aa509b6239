/**
 * A small working-time calendar used by the GENERATOR only when the caller passes no calendar: the
 * common hours (07:00–11:30, 13:30–17:00, Monday–Friday, UTC+7) and the official breaks listed in
 * /work/shared/domain/one-stop-shop.md ("Official breaks for public servants") plus the fixed days of
 * the Labour Code 2019 art. 112. It only makes generated data plausible; the import never uses it (the
 * domain decides with the real `@motcua/calendar`), and the CLI passes the real calendar to the generator.
 */
import type { DeadlineRules, EpochMs, LocalDate, WorkingCalendar, WorkingHours } from '@motcua/calendar';
import { addDays, isoWeekday, localDate, VN_OFFSET_MINUTES } from './local-time';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Breaks announced for public servants (source: the domain spec's list, each with its document there). */
const BREAK_RANGES: [string, string][] = [
  ['2023-01-20', '2023-01-26'], // Tết 2023
  ['2024-02-08', '2024-02-14'], // Tết 2024
  ['2024-04-27', '2024-05-01'], // 30 Apr–1 May 2024
  ['2024-08-31', '2024-09-03'], // 2 Sep 2024
  ['2025-01-25', '2025-02-02'], // Tết 2025 (8726/VPCP-KGVX)
  ['2025-04-30', '2025-05-04'], // 30 Apr–1 May 2025
  ['2026-02-14', '2026-02-22'], // Tết 2026
];
/** Saturdays worked in exchange (swaps). */
const WORKED_SATURDAYS = new Set(['2024-05-04', '2025-04-26']);
/** Labour Code 2019 art. 112 fixed-date holidays (month-day). */
const FIXED = new Set(['01-01', '04-30', '05-01', '09-02']);

const HOLIDAYS = new Set<string>();
for (const [a, b] of BREAK_RANGES) for (let d = a; d <= b; d = addDays(d, 1)) HOLIDAYS.add(d);

const PERIODS: [number, number][] = [
  [7 * HOUR, 11.5 * HOUR],
  [13.5 * HOUR, 17 * HOUR],
];

export function createSimpleCalendar(): WorkingCalendar {
  const off = VN_OFFSET_MINUTES;
  const offMs = off * 60_000;
  const workingCache = new Map<string, boolean>();
  const isWorkingDay = (date: LocalDate): boolean => {
    let w = workingCache.get(date);
    if (w === undefined) {
      const wd = isoWeekday(date);
      w = WORKED_SATURDAYS.has(date) || (wd <= 5 && !HOLIDAYS.has(date) && !FIXED.has(date.slice(5)));
      workingCache.set(date, w);
    }
    return w;
  };
  const dayStart = (t: number): number => Math.floor((t + offMs) / DAY) * DAY - offMs;
  // Hot path of the generator: cache by day index so a loop step costs no string formatting.
  const byIndex = new Map<number, boolean>();
  const workingAt = (start: number): boolean => {
    const index = Math.round((start + offMs) / DAY);
    let w = byIndex.get(index);
    if (w === undefined) {
      w = isWorkingDay(localDate(start, off));
      byIndex.set(index, w);
    }
    return w;
  };

  const nextWorkingInstant = (t: EpochMs): EpochMs => {
    let start = dayStart(t);
    for (let guard = 0; guard < 400; guard++) {
      if (workingAt(start)) {
        for (const [ps, pe] of PERIODS) {
          if (t < start + pe) return Math.max(t, start + ps);
        }
      }
      start += DAY;
      t = start;
    }
    throw new Error('no working time within 400 days');
  };

  const addWorkingTime = (from: EpochMs, workingMs: number): EpochMs => {
    let t = from;
    let left = workingMs;
    let start = dayStart(t);
    for (let guard = 0; guard < 5000; guard++) {
      if (workingAt(start)) {
        for (const [ps, pe] of PERIODS) {
          const s = Math.max(t, start + ps);
          const e = start + pe;
          if (s >= e) continue;
          if (left <= e - s) return s + left;
          left -= e - s;
          t = e;
        }
      }
      start += DAY;
      t = start;
    }
    throw new Error('working time too far');
  };

  const workingTimeBetween = (a: EpochMs, b: EpochMs): number => {
    if (b <= a) return 0;
    let total = 0;
    for (let start = dayStart(a); start < b; start += DAY) {
      if (!workingAt(start)) continue;
      for (const [ps, pe] of PERIODS) {
        const s = Math.max(a, start + ps);
        const e = Math.min(b, start + pe);
        if (e > s) total += e - s;
      }
    }
    return total;
  };

  const hours: WorkingHours = {
    weekdays: [1, 2, 3, 4, 5],
    periods: [
      { start: '07:00', end: '11:30' },
      { start: '13:30', end: '17:00' },
    ],
    utcOffsetMinutes: off,
  };

  return {
    version: 'province-data-simple.1',
    hours,
    isWorkingDay,
    isWorkingInstant: (t) => nextWorkingInstant(t) === t && workingTimeBetween(t, t + 1) === 1,
    nextWorkingInstant,
    workingTimeBetween,
    addWorkingTime,
    dueAt: (receivedAt: EpochMs, rules: DeadlineRules): EpochMs => {
      let start = receivedAt;
      if (rules.cutoffTime) {
        const [h, m] = rules.cutoffTime.split(':').map(Number);
        if (receivedAt - dayStart(receivedAt) >= (h * 60 + m) * 60_000) start = dayStart(receivedAt) + DAY;
      }
      const { value, unit } = rules.deadline;
      if (unit === 'calendar_days') return nextWorkingInstant(start + value * DAY);
      return addWorkingTime(nextWorkingInstant(start), value * (unit === 'working_days' ? 8 : 1) * HOUR);
    },
    localDate: (t) => localDate(t, off),
  };
}

