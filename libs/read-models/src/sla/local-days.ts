/**
 * Local days of the SLA read models. Counters are per local day in Viet Nam (UTC+7, no DST since 1975),
 * numbered from 1970-01-01 local; their YYYY-MM-DD names are cached, because every counted event and every
 * classification asks for one and a replay asks millions of times for the same few thousand days.
 */

/** Viet Nam: UTC+7, no DST since 1975. Day buckets are local days. */
export const VN_OFFSET_MS = 7 * 3_600_000;

export const DAY_MS = 86_400_000;

/**
 * The instants the SLA read models can hold: local days 0 to 2^20 - 1 (1970-01-01 to the year 4840), the
 * range the day counters key on (day-counters.ts) and the summary's local dates are written in. An event
 * whose instants fall outside it (a receipt in year 9999 due in year 10000) cannot be counted: the fold
 * throws and the event is quarantined.
 */
export const COUNTABLE_FROM_MS = -VN_OFFSET_MS;
export const COUNTABLE_UNTIL_MS = 2 ** 20 * DAY_MS - VN_OFFSET_MS;

/** The local day number (days since 1970-01-01 local) of instant `t` (epoch ms). */
export function localDayOf(t: number): number {
  return Math.floor((t + VN_OFFSET_MS) / DAY_MS);
}

/** YYYY-MM-DD of local day numbers, cached; also the `localDate` the domain's classify asks for. */
export class LocalDates {
  private readonly names = new Map<number, string>();

  /** Local date (YYYY-MM-DD) of local day number `n` (days since 1970-01-01 local). */
  name(n: number): string {
    let d = this.names.get(n);
    if (d === undefined) {
      d = new Date(n * DAY_MS).toISOString().slice(0, 10);
      this.names.set(n, d);
    }
    return d;
  }

  /** The local date of instant `t` (epoch ms), in the shape of the calendar's `localDate`. */
  readonly localDate = (t: number): string => this.name(localDayOf(t));
}

/** The calendar's `localDate` for Viet Nam, uncached (for the read side, which asks a few times per query). */
export const VN_DATER = { localDate: (t: number): string => new Date(t + VN_OFFSET_MS).toISOString().slice(0, 10) };
