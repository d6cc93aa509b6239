/**
 * Proleptic Gregorian date arithmetic on day numbers, without `Date` objects (the calendar is pure
 * and hot: a projection rebuild calls it millions of times).
 *
 * A "day number" counts days since 1970-01-01 (day 0). JDN = day number + 2440588.
 * Algorithm: the well-known era/day-of-era decomposition of the Gregorian cycle (146097 days / 400 years).
 */
import type { LocalDate, LocalTime } from './types';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;
/** Julian Day Number of 1970-01-01. */
export const JDN_UNIX_EPOCH = 2_440_588;

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** [year, month 1-12, day 1-31] of a day number. */
export function civilFromDays(dayNumber: number): [number, number, number] {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseLocalDate(date: LocalDate): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`Invalid local date "${date}", expected YYYY-MM-DD`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const dn = daysFromCivil(year, month, day);
  const [y2, m2, d2] = civilFromDays(dn);
  if (y2 !== year || m2 !== month || d2 !== day) throw new RangeError(`Invalid local date "${date}"`);
  return dn;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function formatLocalDate(dayNumber: number): LocalDate {
  const [y, m, d] = civilFromDays(dayNumber);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

const TIME_RE = /^(\d{1,2}):(\d{2})$/;

/** `HH:mm` → milliseconds after local midnight. `24:00` is accepted as the end of the day. */
export function parseLocalTime(time: LocalTime): number {
  const m = TIME_RE.exec(time.trim());
  if (!m) throw new RangeError(`Invalid local time "${time}", expected HH:mm`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min !== 0)) throw new RangeError(`Invalid local time "${time}"`);
  return h * MS_PER_HOUR + min * MS_PER_MINUTE;
}

export function formatLocalTime(msOfDay: number): LocalTime {
  const totalMin = Math.floor(msOfDay / MS_PER_MINUTE);
  return `${pad2(Math.floor(totalMin / 60))}:${pad2(totalMin % 60)}`;
}

/**
 * Epoch ms of a local wall-clock date-time at a fixed UTC offset: a convenience for callers and tests
 * (`localInstant('2025-01-24', '10:00')` → Friday 24 Jan 2025 10:00 +07:00).
 */
export function localInstant(date: LocalDate, time: LocalTime = '00:00', utcOffsetMinutes = 420): number {
  return parseLocalDate(date) * MS_PER_DAY + parseLocalTime(time) - utcOffsetMinutes * MS_PER_MINUTE;
}
