/**
 * Instants written as a Viet Nam wall clock (`YYYY-MM-DD HH:mm`, Asia/Ho_Chi_Minh, UTC+7, no daylight
 * saving), in the two ISO forms the tests need: as a caller sends it and as the events record it.
 */

/** `2025-06-23 09:00` -> `2025-06-23T09:00:00+07:00`: the instant with its offset, as a clerk or an API caller enters it. */
export function vnOffset(local: string): string {
  return `${local.replace(' ', 'T')}:00+07:00`;
}

/** `2025-06-23 09:00` -> `2025-06-23T02:00:00.000Z`: the same instant in UTC, as the decider writes it into events. */
export function vnUtc(local: string): string {
  return new Date(vnOffset(local)).toISOString();
}
