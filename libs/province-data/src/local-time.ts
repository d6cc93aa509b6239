/**
 * Local wall-clock helpers at a fixed offset (Viet Nam: UTC+7, no DST since 1975). Pure: no clock read.
 */
export const VN_OFFSET_MINUTES = 420;
const DAY_MS = 86_400_000;

/** ISO 8601 with the local offset, second precision: `2025-01-24T08:15:00+07:00`. */
export function formatLocal(epochMs: number, offsetMinutes = VN_OFFSET_MINUTES): string {
  // Hot path of the generator (millions of calls): the date part is cached per local day, the time
  // part is built with integer arithmetic instead of Date#toISOString.
  const local = epochMs + offsetMinutes * 60_000;
  const dayIndex = Math.floor(local / DAY_MS);
  let datePart = DATE_CACHE.get(dayIndex);
  if (datePart === undefined) {
    datePart = new Date(dayIndex * DAY_MS).toISOString().slice(0, 10);
    if (DATE_CACHE.size > 100_000) DATE_CACHE.clear();
    DATE_CACHE.set(dayIndex, datePart);
  }
  const secs = Math.floor((local - dayIndex * DAY_MS) / 1000);
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const sec = secs % 60;
  return `${datePart}T${TWO[h]}:${TWO[m]}:${TWO[sec]}${offsetMinutes === VN_OFFSET_MINUTES ? '+07:00' : formatOffset(offsetMinutes)}`;
}
const DATE_CACHE = new Map<number, string>();
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` of an instant at the offset. */
export function localDate(epochMs: number, offsetMinutes = VN_OFFSET_MINUTES): string {
  return new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** Epoch ms of local midnight starting `date` (`YYYY-MM-DD`). */
export function localMidnight(date: string, offsetMinutes = VN_OFFSET_MINUTES): number {
  return Date.parse(`${date}T00:00:00Z`) - offsetMinutes * 60_000;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday 1 = Monday … 7 = Sunday of a `YYYY-MM-DD`. */
export function isoWeekday(date: string): number {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO 8601 instant that carries an explicit offset (`Z` or `±hh:mm`). Returns undefined when the
 * text is not such an instant or names an impossible date/time (2025-02-30, 24:10): legacy data must not
 * be silently normalised by `Date.parse`.
 */
export function parseInstantWithOffset(text: string): number | undefined {
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return undefined;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}
