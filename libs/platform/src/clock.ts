/** The application's clock: the only place the API reads the time (the domain gets it passed in). */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol.for('motcua.Clock');
export const systemClock: Clock = { now: () => new Date() };

/** Viet Nam has used UTC+7 without daylight saving since 1975. */
const VN_OFFSET_MS = 7 * 3600_000;

/** The local date (`YYYY-MM-DD`) in Viet Nam at an instant. */
export function vnDate(d: Date): string {
  return new Date(d.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}
