/**
 * Counter storage of the SLA projection: the day counters (local day x agency x procedure, one column per
 * DAILY_COUNTERS entry) and the processing-time histogram the fold (dossier-fold.ts) adds to, held in
 * memory until they are written, and handed out as rows in the tables' key order. Built for a replay of
 * millions of events: a day row is a slot of one flat Float64Array (little for the GC to scan), found by
 * an integer key in an open-addressing table (key-slots.ts), so counting an event builds no string and
 * allocates nothing.
 */
import type { DossierState } from '@motcua/domain';
import { initialState } from '@motcua/domain';
import type { SqlValue } from '../sql/driver';
import type { DossierEntry, EventCounters } from './dossier-fold';
import { KeySlots } from './key-slots';
import { localDayOf, type LocalDates } from './local-days';
import { DAILY_COUNTERS } from './schema';

const NC = DAILY_COUNTERS.length;
/**
 * Day counters are keyed by one number, `localDay * AP_SPAN + apId`: no string built per event. With
 * local days below 2^20 (year 4840) and ids below 2^24 the key stays an exact integer (< 2^53); the
 * histogram key is `dayKey * 256 + bucket` (buckets <= 240), still below 2^53.
 */
const AP_SPAN = 2 ** 24;
const HIST_COLUMNS = ['day', 'agency_code', 'procedure_code', 'bucket', 'n'];
const DAILY_COLUMNS = ['day', 'agency_code', 'procedure_code', ...DAILY_COUNTERS];

/** Receives the held counters as rows (`daily`: key columns then DAILY_COUNTERS; `hist`: key columns, bucket, n). */
export type CounterRowsWriter = (table: 'daily' | 'hist', columns: string[], rows: SqlValue[][]) => Promise<void>;

export class DayCounters implements EventCounters {
  /** Day counters: key -> slot; slot i holds counters [i*NC, (i+1)*NC) of `pool`. */
  private readonly dailySlots = new KeySlots();
  private dailyKeys: number[] = [];
  private pool = new Float64Array(1024 * NC);
  private hist = new Map<number, number>();
  /** (agency, procedure) pairs by id, for the counter keys. Kept for the store's life (a few thousand). */
  private readonly apIds = new Map<string, Map<string, number>>();
  private readonly apPairs: Array<[string, string]> = [];
  /** The pairs' ranks in (agency, procedure) string order, and back; sorted again only when pairs were added. */
  private apRank: number[] = [];
  private apOrder: number[] = [];
  /** The event being counted: its time, dossier and state after it, and its counter slot once found. */
  private readonly ev = { base: -1, dayKey: 0, t: 0, entry: null as DossierEntry | null, state: initialState };

  constructor(private readonly days: LocalDates) {}

  /** Day x agency x procedure counter rows held in memory (daily and histogram). */
  get size(): number {
    return this.dailyKeys.length + this.hist.size;
  }

  begin(t: number, entry: DossierEntry, state: DossierState): void {
    const ev = this.ev;
    ev.base = -1;
    ev.t = t;
    ev.entry = entry;
    ev.state = state;
  }

  /** Adds `n` to counter `c` of the event being counted. */
  readonly count = (c: number, n = 1): void => {
    const at = this.ensureSlot() + c;
    this.pool[at] += n;
  };

  histogram(bucket: number): void {
    this.ensureSlot();
    const key = this.ev.dayKey * 256 + bucket;
    this.hist.set(key, (this.hist.get(key) ?? 0) + 1);
  }

  /** Forgets every held counter (after they were written). The pairs and their ids stay. */
  clear(): void {
    this.pool.fill(0, 0, this.dailyKeys.length * NC);
    this.dailySlots.clear();
    this.dailyKeys = [];
    this.hist = new Map();
  }

  /**
   * The held counters as rows, in chunks, in key order (local day, then agency and procedure in
   * string order, as the tables' keys): B-tree appends for the upserts into the keyed tables, and
   * presorted runs for a rebuild's final sum of its staged rows (measured at full size: 3.4 s to sum
   * them, 5 s when staged as held).
   */
  async writeRows(write: CounterRowsWriter): Promise<void> {
    this.rankPairs();
    const order = this.apOrder;
    const rank = this.apRank;
    const sortKey = (dayKey: number) => {
      const ap = dayKey % AP_SPAN;
      return dayKey - ap + rank[ap];
    };
    const unsort = (k: number) => {
      const r = k % AP_SPAN;
      return k - r + order[r];
    };
    const n = this.dailyKeys.length;
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = sortKey(this.dailyKeys[i]);
    keys.sort();
    /** Slots in key order. */
    const slots = new Int32Array(n);
    for (let i = 0; i < n; i++) slots[i] = this.dailySlots.get(unsort(keys[i]));
    // In chunks: the rows of ~400 000 held counters at once would double the memory they take. The
    // chunk's row arrays are reused (a rebuild writes millions of rows): `write` is awaited, and it
    // has bound the values by then.
    const CHUNK = 8_192;
    const pool = this.pool;
    const daily: SqlValue[][] = [];
    for (let from = 0; from < n; from += CHUNK) {
      daily.length = Math.min(n, from + CHUNK) - from;
      for (let i = from, r = 0; i < Math.min(n, from + CHUNK); i++, r++) {
        const slot = slots[i];
        const key = this.dailyKeys[slot];
        const at = slot * NC;
        const [a, p] = this.apPairs[key % AP_SPAN];
        const row = (daily[r] ??= new Array<SqlValue>(3 + NC));
        row[0] = this.days.name(Math.floor(key / AP_SPAN));
        row[1] = a;
        row[2] = p;
        for (let c = 0; c < NC; c++) row[3 + c] = pool[at + c];
      }
      await write('daily', DAILY_COLUMNS, daily);
    }
    const hkeys = new Float64Array(this.hist.size);
    let j = 0;
    for (const key of this.hist.keys()) {
      const b = key % 256;
      hkeys[j++] = sortKey((key - b) / 256) * 256 + b;
    }
    hkeys.sort();
    for (let from = 0; from < hkeys.length; from += CHUNK) {
      const hist: SqlValue[][] = [];
      for (let i = from; i < Math.min(hkeys.length, from + CHUNK); i++) {
        const b = hkeys[i] % 256;
        const dayKey = unsort((hkeys[i] - b) / 256);
        const [a, p] = this.apPairs[dayKey % AP_SPAN];
        hist.push([this.days.name(Math.floor(dayKey / AP_SPAN)), a, p, b, this.hist.get(dayKey * 256 + b)!]);
      }
      await write('hist', HIST_COLUMNS, hist);
    }
  }

  /** Offset in `pool` of the counters of the event being counted (found on its first count). */
  private ensureSlot(): number {
    const ev = this.ev;
    if (ev.base < 0) {
      ev.dayKey = localDayOf(ev.t) * AP_SPAN + this.apOf(ev.entry!, ev.state);
      ev.base = this.slot(ev.dayKey);
    }
    return ev.base;
  }

  /** The id of the dossier's (agency, procedure) pair, remembered on its entry while the pair stays the same. */
  private apOf(entry: DossierEntry, s: DossierState): number {
    if (entry.ap >= 0 && entry.apAgency === s.agencyCode && entry.apProcedure === s.procedureCode) return entry.ap;
    const a = s.agencyCode ?? '';
    const p = s.procedureCode ?? '';
    let byProcedure = this.apIds.get(a);
    if (byProcedure === undefined) this.apIds.set(a, (byProcedure = new Map()));
    let id = byProcedure.get(p);
    if (id === undefined) {
      id = this.apPairs.length;
      if (id >= AP_SPAN) throw new Error('more than 2^24 (agency, procedure) pairs');
      byProcedure.set(p, id);
      this.apPairs.push([a, p]);
    }
    entry.ap = id;
    entry.apAgency = s.agencyCode;
    entry.apProcedure = s.procedureCode;
    return id;
  }

  /** Offset of the counters of day-key `key` in `pool`, allocating a zeroed slot on first use. */
  private slot(key: number): number {
    let i = this.dailySlots.get(key);
    if (i < 0) {
      i = this.dailyKeys.length;
      if ((i + 1) * NC > this.pool.length) {
        const bigger = new Float64Array(this.pool.length * 2);
        bigger.set(this.pool);
        this.pool = bigger;
      }
      this.dailySlots.set(key, i);
      this.dailyKeys.push(key);
    }
    return i * NC;
  }

  /**
   * Brings the pairs' string order up to date: the pairs added since are sorted and merged in (a
   * replay meets new pairs in most of its writes; sorting them all again each time cost ~0.7 s per
   * thread of a full-size rebuild).
   */
  private rankPairs(): void {
    const known = this.apOrder.length;
    if (known === this.apPairs.length) return;
    const pairs = this.apPairs;
    const added = Array.from({ length: pairs.length - known }, (_, i) => known + i).sort((x, y) => cmpPair(pairs[x], pairs[y]));
    const old = this.apOrder;
    const order = new Array<number>(pairs.length);
    for (let i = 0, j = 0, k = 0; k < order.length; k++) {
      order[k] = j >= added.length || (i < old.length && cmpPair(pairs[old[i]], pairs[added[j]]) < 0) ? old[i++] : added[j++];
    }
    this.apOrder = order;
    const rank = new Array<number>(order.length);
    for (let r = 0; r < order.length; r++) rank[order[r]] = r;
    this.apRank = rank;
  }
}

function cmpPair(x: [string, string], y: [string, string]): number {
  return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0;
}
