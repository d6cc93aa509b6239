/**
 * Instants in commands and events are ISO-8601 strings with an explicit offset (events: always UTC `Z`).
 * Conversions here read no clock.
 */
import { InvalidCommandError } from './errors';

/** An ISO-8601 instant with a `Z` or `±hh:mm` offset; at least minute precision. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** What events carry: UTC with a `Z`. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/;

/**
 * The years an instant given in a command may fall in. One-stop-shop records start with the 2000s; past
 * 2099 no working calendar is published, and a receipt in year 9999 gave a due date in year 10000 that no
 * reader of the log could parse. Stored events are read whatever their year.
 */
export const INSTANT_YEARS = { min: 2000, max: 2099 } as const;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether the date and time fields exist as written: `2026-02-30` or `24:00` is refused (Date.parse would
 * roll them over into another day), the offset is at most ±14:00, the year within INSTANT_YEARS.
 */
function isRealDateTime(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const hour = Number(value.slice(11, 13));
  const minute = Number(value.slice(14, 16));
  const second = value[16] === ':' ? Number(value.slice(17, 19)) : 0;
  if (year < INSTANT_YEARS.min || year > INSTANT_YEARS.max) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1])) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(value);
  if (offset && (Number(offset[3]) > 59 || Number(offset[2]) * 60 + Number(offset[3]) > 14 * 60)) return false;
  return true;
}

/** An instant a command may carry: ISO-8601 with an offset, a real date and time, within INSTANT_YEARS. */
export function isIsoInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO_INSTANT.test(value) && isRealDateTime(value) && Number.isFinite(Date.parse(value));
}

export function isIsoUtcInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO_UTC.test(value) && Number.isFinite(Date.parse(value));
}

/**
 * Epoch ms of an instant already known to be valid (state and event data). The canonical form events
 * carry (`toISOString`: `YYYY-MM-DDTHH:mm:ss.sssZ`) is read digit by digit, a few times faster than
 * `Date.parse` (a projection replay reads several instants per event); any other form, or a field out
 * of its range, goes to `Date.parse`, so the answer is always `Date.parse`'s.
 */
export function ms(iso: string): number {
  const c = (i: number) => iso.charCodeAt(i) - 48;
  // Separators - - T : : . at their places (as digit values: -3 -3 36 10 10 -2), then the digits.
  if (iso.length !== 24 || c(23) !== 42 || c(4) !== -3 || c(7) !== -3 || c(10) !== 36 || c(13) !== 10 || c(16) !== 10 || c(19) !== -2) return Date.parse(iso);
  const y0 = c(0),
    y1 = c(1),
    y2 = c(2),
    y3 = c(3),
    mo0 = c(5),
    mo1 = c(6),
    d0 = c(8),
    d1 = c(9);
  const h0 = c(11),
    h1 = c(12),
    mi0 = c(14),
    mi1 = c(15),
    s0 = c(17),
    s1 = c(18),
    f0 = c(20),
    f1 = c(21),
    f2 = c(22);
  // `>>> 0` turns a negative value into a large one: one test per digit.
  if (
    y0 >>> 0 > 9 ||
    y1 >>> 0 > 9 ||
    y2 >>> 0 > 9 ||
    y3 >>> 0 > 9 ||
    mo0 >>> 0 > 9 ||
    mo1 >>> 0 > 9 ||
    d0 >>> 0 > 9 ||
    d1 >>> 0 > 9 ||
    h0 >>> 0 > 9 ||
    h1 >>> 0 > 9 ||
    mi0 >>> 0 > 9 ||
    mi1 >>> 0 > 9 ||
    s0 >>> 0 > 9 ||
    s1 >>> 0 > 9 ||
    f0 >>> 0 > 9 ||
    f1 >>> 0 > 9 ||
    f2 >>> 0 > 9
  ) {
    return Date.parse(iso);
  }
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const mo = mo0 * 10 + mo1;
  const day = d0 * 10 + d1;
  const h = h0 * 10 + h1;
  const mi = mi0 * 10 + mi1;
  const se = s0 * 10 + s1;
  if (mo < 1 || mo > 12 || day < 1 || day > daysInMonth(y, mo) || h > 23 || mi > 59 || se > 59) return Date.parse(iso);
  return daysFromCivil(y, mo, day) * 86_400_000 + h * 3_600_000 + mi * 60_000 + se * 1000 + f0 * 100 + f1 * 10 + f2;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Canonical UTC form, as stored in events. */
export function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Parses a command instant, or throws `InvalidCommandError` naming the field. */
export function parseInstant(action: string, field: string, value: unknown): number {
  if (!isIsoInstant(value)) {
    throw new InvalidCommandError(
      action,
      field,
      `must be a real ISO-8601 instant with an offset, in the years ${INSTANT_YEARS.min}-${INSTANT_YEARS.max}, got ${JSON.stringify(value)}`,
    );
  }
  return Date.parse(value);
}

/** Start (local midnight) of the local day after the one containing `epochMs`. */
export function startOfNextLocalDay(epochMs: number, utcOffsetMinutes: number): number {
  const offset = utcOffsetMinutes * 60_000;
  const local = epochMs + offset;
  const dayStart = Math.floor(local / 86_400_000) * 86_400_000;
  return dayStart + 86_400_000 - offset;
}
