/**
 * The SLA projection: folds the global log into the dossier summary, the per-local-day counters
 * per agency x procedure, the processing-time histogram and the agency tree. Dossier state comes from
 * the domain's own `evolve`, and the timeliness from the domain's `classify` (rules in
 * libs/domain/src/classification.ts), so the read models never re-derive a clock rule.
 *
 * Work is split in two so the runner can make a batch atomic: `stage(events)` applies events in
 * memory (a dossier not in memory is refolded from its own stream, never a SELECT per event), `flush(tx)` writes
 * everything staged inside the caller's transaction, and `committed()` / `discard()` settle the cache
 * after COMMIT / ROLLBACK.
 */
import type { EventStore, RecordedEvent } from '@motcua/event-store';
import {
  classify,
  evolve,
  initialState,
  instantMs,
  overdueFrom,
  upcast,
  type DossierEvent,
  type DossierState,
} from '@motcua/domain';
import { createWorkingCalendar, type WorkingCalendar } from '@motcua/calendar';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import {
  C,
  DAILY_COUNTERS,
  DOSSIER_COLUMNS,
  HIST_BUCKETS_PER_DAY,
  HIST_MAX_BUCKET,
  OPEN_FOREVER,
  WORKING_DAY_MS,
  type TableSet,
} from './schema';
import { AGENCY_EVENT_TYPES, foldAgencyVersions, type AgencyVersionRow } from './agencies';
import { KeySlots } from './key-slots';

/** Viet Nam: UTC+7, no DST since 1975. Day buckets are local days. */
export const VN_OFFSET_MS = 7 * 3_600_000;

/** A clock pause as kept on the summary row: [start, end | null, dueAt after the resume | null] (epoch ms). */
export type PauseSpan = [number, number | null, number | null];

/** Offset of the national calendar, for the domain's `overdueFrom` (needs only `hours.utcOffsetMinutes`). */
const VN_HOURS = { hours: { utcOffsetMinutes: VN_OFFSET_MS / 60_000 } } as Pick<WorkingCalendar, 'hours'>;

export interface DossierEntry {
  code: string;
  state: DossierState;
  pauses: PauseSpan[];
  timeliness: string | null;
  processingMs: number | null;
  /** Id of the (agency, procedure) pair the day counters of this dossier go to; -1 until known. */
  ap: number;
  apAgency: string | null;
  apProcedure: string | null;
}

/**
 * Working time a completed dossier spent in processing: from clock start to completion, minus the
 * paused working time (which the domain events carry). Needs the dossier's recorded calendar, so it
 * is injected; returning null leaves the dossier out of the processing-time figures.
 */
export type ProcessingTimeFn = (state: DossierState, completedAtMs: number) => number | null;

/**
 * Default processing time: the national default working calendar (hours 07:00-11:30, 13:30-17:00,
 * Mon-Fri, official holidays). Agencies with other hours can inject a per-agency calendar.
 */
export function calendarProcessingTime(calendar: WorkingCalendar = createWorkingCalendar()): ProcessingTimeFn {
  return (s, completedAt) =>
    s.clockStartAt === null ? null : Math.max(0, calendar.workingTimeBetween(instantMs(s.clockStartAt), completedAt) - s.pausedWorkingMs);
}

export interface SlaProjectionOptions {
  processingTime?: ProcessingTimeFn;
  /** Dossiers kept in memory between batches (terminal ones are dropped after each commit). */
  cacheLimit?: number;
  /** Rebuild into empty tables: kept for the cache policy (open dossiers evicted are refolded). */
  freshTables?: boolean;
  /**
   * Called when a dossier not in memory was refolded from its stream, with the position of the
   * stream's first event (a rebuild thread replaying a range of the log learns which dossiers began
   * before its range).
   */
  onRefold?: (code: string, firstPosition: string) => void;
}

const TERMINAL = new Set(['refused', 'withdrawn', 'stopped', 'result_returned']);
const DAY_MS = 86_400_000;
const NC = DAILY_COUNTERS.length;
/**
 * Day counters are keyed by one number, `localDay * AP_SPAN + apId`: no string built per event. With
 * local days below 2^20 (year 4840) and ids below 2^24 the key stays an exact integer (< 2^53); the
 * histogram key is `dayKey * 256 + bucket` (buckets <= 240), still below 2^53.
 */
const AP_SPAN = 2 ** 24;
const HIST_COLUMNS = ['day', 'agency_code', 'procedure_code', 'bucket', 'n'];

const toMs = (iso: string | null): number | null => (iso === null ? null : instantMs(iso));

/**
 * What the projection reads of an event: a `RecordedEvent` has it, and so has the lighter object a
 * bulk rebuild makes from a raw log row (no metadata, no hashes).
 */
export type ProjectedEvent = Pick<RecordedEvent, 'streamId' | 'revision' | 'position' | 'type' | 'data'>;

/** What the projection needs of the store: a dossier's own stream, to refold one not in memory. */
export type DossierStreamReader = Pick<EventStore, 'readStream'>;

export function dossierCodeOf(e: ProjectedEvent): string {
  return e.streamId.startsWith('dossier-') ? e.streamId.slice(8) : String((e.data as { dossierCode?: unknown }).dossierCode);
}

export class SlaProjection {
  private readonly cache = new Map<string, DossierEntry>();
  private readonly dirty = new Set<string>();
  /** Day counters: key -> slot; slot i holds counters [i*NC, (i+1)*NC) of `pool` (one flat array, little for the GC to scan). */
  private readonly dailySlots = new KeySlots();
  private dailyKeys: number[] = [];
  private pool = new Float64Array(1024 * NC);
  private hist = new Map<number, number>();
  /** (agency, procedure) pairs by id, for the counter keys. Kept for the projection's life (a few thousand). */
  private readonly apIds = new Map<string, Map<string, number>>();
  private readonly apPairs: Array<[string, string]> = [];
  /** The pairs' ranks in (agency, procedure) string order, and back; sorted again only when pairs were added. */
  private apRank: number[] = [];
  private apOrder: number[] = [];
  private agencies = new Map<string, AgencyVersionRow[]>();
  private dirtyAgencies = new Set<string>();
  private procedures = new Map<string, { name: string | null; data: string }>();
  private agenciesLoaded = false;
  private readonly dayCache = new Map<number, string>();
  private readonly cacheLimit: number;
  /** Events staged since the last flush. */
  stagedEvents = 0;

  constructor(
    readonly tables: TableSet,
    private readonly options: SlaProjectionOptions = {},
  ) {
    this.cacheLimit = options.cacheLimit ?? 100_000;
    this.processingTime = options.processingTime ?? calendarProcessingTime();
  }
  private readonly processingTime: ProcessingTimeFn;
  /** The local date for the domain's classify, from the per-day cache (same answer as VN_DATER). */
  private readonly dater = { localDate: (t: number) => this.dayString(Math.floor((t + VN_OFFSET_MS) / DAY_MS)) };

  /** Local date (YYYY-MM-DD) of local day number `n` (days since 1970-01-01 local). */
  private dayString(n: number): string {
    let d = this.dayCache.get(n);
    if (d === undefined) {
      d = new Date(n * DAY_MS).toISOString().slice(0, 10);
      this.dayCache.set(n, d);
    }
    return d;
  }

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

  /** Loads the agency tree from the tables (once), and dossiers not in memory from their own streams. */
  private async load(db: SqlExecutor, store: DossierStreamReader, missing: Map<string, ProjectedEvent>): Promise<void> {
    if (!this.agenciesLoaded) {
      const rows = await db.all<{ code: string; valid_from: string; valid_to: string | null; name: string | null; level: string | null; parent_code: string | null }>(
        `SELECT code, valid_from, valid_to, name, level, parent_code FROM ${db.table(this.tables.agencies)}`,
      );
      for (const r of rows) {
        const list = this.agencies.get(r.code) ?? [];
        list.push({ code: r.code, effectiveFrom: r.valid_from, validTo: r.valid_to, name: r.name, level: r.level as AgencyVersionRow['level'], parentCode: r.parent_code });
        this.agencies.set(r.code, list);
      }
      for (const list of this.agencies.values()) list.sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
      this.agenciesLoaded = true;
    }
    // A dossier's state before the event is the fold of its stream up to the previous revision:
    // exact whatever the checkpoint, and it keeps the summary rows small (no serialised state).
    await Promise.all(
      [...missing].map(async ([code, first]) => {
        if (first.revision === 0) return;
        const prior = await store.readStream(first.streamId, { toRevision: first.revision - 1 });
        const entry = this.entry(code);
        for (const e of prior) this.applyDossier(e, true);
        if (prior.length > 0) this.options.onRefold?.(code, prior[0].position);
        return entry;
      }),
    );
  }

  /** Applies events in memory; dossiers not in memory are refolded from their streams first. */
  async stage(db: SqlExecutor, store: DossierStreamReader, events: ProjectedEvent[]): Promise<void> {
    let missing: Map<string, ProjectedEvent> | undefined;
    // Each dossier event's entry, found once here (its code is a new string per event: a second
    // lookup would hash it again); undefined for a dossier refolded by `load`.
    const entries = new Array<DossierEntry | undefined>(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (!e.type.startsWith('dossier.')) continue;
      const code = dossierCodeOf(e);
      let entry = this.cache.get(code);
      if (entry === undefined && !missing?.has(code)) {
        // First seen at revision 0: a new dossier, nothing to refold (most of a replay).
        if (e.revision === 0) entry = this.entry(code);
        else (missing ??= new Map()).set(code, e);
      }
      entries[i] = entry;
    }
    if (missing || !this.agenciesLoaded) await this.load(db, store, missing ?? new Map());
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e.type.startsWith('dossier.')) this.applyDossier(e, false, entries[i]);
      else this.applyReference(e);
    }
    this.stagedEvents += events.length;
  }

  private entry(code: string): DossierEntry {
    let entry = this.cache.get(code);
    if (!entry) {
      entry = { code, state: initialState, pauses: [], timeliness: null, processingMs: null, ap: -1, apAgency: null, apProcedure: null };
      this.cache.set(code, entry);
    }
    return entry;
  }

  /** An event of the reference streams (agencies, procedures); dossier events go to `applyDossier`. */
  private applyReference(e: ProjectedEvent): void {
    if (AGENCY_EVENT_TYPES.has(e.type)) {
      const code = String((e.data as { code?: unknown }).code);
      const next = foldAgencyVersions(this.agencies.get(code), e.type, e.data);
      if (next) {
        this.agencies.set(code, next);
        this.dirtyAgencies.add(code);
      }
      return;
    }
    if (e.type === 'procedure.registered.v1' || e.type === 'procedure.changed.v1') {
      const d = e.data as { code?: unknown; name?: unknown };
      this.procedures.set(String(d.code), { name: typeof d.name === 'string' ? d.name : null, data: JSON.stringify(e.data) });
    }
  }

  /** `replay`: rebuilding a dossier's state from its stream, nothing is counted or marked dirty. */
  private applyDossier(e: ProjectedEvent, replay = false, known?: DossierEntry): void {
    const entry = known ?? this.entry(dossierCodeOf(e));
    const code = entry.code;
    const up = upcast(e.type, e.data) as DossierEvent;
    const before = entry.state;
    let s: DossierState;
    try {
      s = evolve(before, up);
    } catch {
      return; // a dossier event type this projection version does not know: ignored, never half-applied
    }
    entry.state = s;
    const t = instantMs((up.data as { occurredAt: string }).occurredAt);
    // Counters of this event: the local day of its occurredAt, for the dossier's agency x procedure
    // (the slot found on the first count; fields, not closures: no allocation per event).
    this.ev.base = -1;
    this.ev.t = t;
    this.ev.entry = entry;
    this.ev.state = s;
    const count = replay ? noCount : this.count;
    if (!replay) this.dirty.add(code);
    switch (up.type) {
      case 'dossier.submitted-online.v1':
        count(C.submitted_online);
        break;
      case 'dossier.received.v1':
        count(s.channel === 'online' ? C.received_online : s.channel === 'postal' ? C.received_postal : C.received_counter);
        break;
      case 'dossier.refused.v1':
        count(C.refused);
        break;
      case 'dossier.supplement-requested.v1':
        count(C.supplement_requests);
        entry.pauses = [...entry.pauses, [t, null, null]];
        break;
      case 'dossier.payment-requested.v1':
        if (s.paused) entry.pauses = [...entry.pauses, [t, null, null]];
        break;
      case 'dossier.supplement-supplied.v1':
      case 'dossier.payment-recorded.v1':
        if (before.paused) entry.pauses = closePause(entry.pauses, t, toMs(s.dueAt));
        if (up.type === 'dossier.payment-recorded.v1' && before.paidOnline === null) {
          count(C.paid);
          if (up.data.online) count(C.paid_online);
        }
        break;
      case 'dossier.apology-issued.v1':
        count(C.apologies);
        break;
      case 'dossier.completed.v1': {
        // Classified once, at the close event, by the domain.
        const c = classify(s, this.dater);
        entry.timeliness = c?.timeliness ?? null;
        count(C.completed);
        if (c) count(c.timeliness === 'early' ? C.early : c.timeliness === 'on_time' ? C.on_time : C.late);
        if (up.data.electronicResult) count(C.electronic_results);
        const p = this.processingTime(s, t);
        entry.processingMs = p;
        if (p !== null) {
          count(C.processing_ms, Math.round(p));
          count(C.processing_count);
          if (!replay) {
            const b = Math.min(HIST_MAX_BUCKET, Math.ceil((p / WORKING_DAY_MS) * HIST_BUCKETS_PER_DAY));
            this.ensureSlot();
            const key = this.ev.dayKey * 256 + b;
            this.hist.set(key, (this.hist.get(key) ?? 0) + 1);
          }
        }
        break;
      }
      case 'dossier.result-returned.v1':
        count(C.returned);
        if (before.status === 'completed') break;
        entry.timeliness = classify(s, this.dater)?.timeliness ?? null;
        break;
      case 'dossier.withdrawn.v1':
        count(C.withdrawn);
        if (before.paused) entry.pauses = closePause(entry.pauses, t, null);
        break;
      case 'dossier.stopped.v1':
        count(C.stopped);
        if (before.paused) entry.pauses = closePause(entry.pauses, t, null);
        entry.timeliness = classify(s, this.dater)?.timeliness ?? null;
        break;
      case 'dossier.deadline-missed.v1':
        count(C.deadline_missed);
        break;
    }
  }

  /** The event being applied: its time, dossier and state after it, and its counter slot once found. */
  private readonly ev = { base: -1, dayKey: 0, t: 0, entry: null as DossierEntry | null, state: initialState };

  private ensureSlot(): number {
    const ev = this.ev;
    if (ev.base < 0) {
      ev.dayKey = Math.floor((ev.t + VN_OFFSET_MS) / DAY_MS) * AP_SPAN + this.apOf(ev.entry!, ev.state);
      ev.base = this.slot(ev.dayKey);
    }
    return ev.base;
  }

  /** Adds `n` to counter `c` of the event being applied. */
  private readonly count = (c: number, n = 1): void => {
    const at = this.ensureSlot() + c;
    this.pool[at] += n;
  };

  /** Day x agency x procedure counter rows held in memory. */
  get counterKeys(): number {
    return this.dailyKeys.length + this.hist.size;
  }

  /**
   * Writes everything staged since the last flush, inside the caller's transaction. A rebuild may
   * hold the day counters back (`counters: false`) and write them once: its log is not in time
   * order per dossier, so every chunk would touch most day rows again.
   */
  async flush(
    tx: SqlExecutor,
    options: { counters?: boolean; hold?: { codes: ReadonlySet<string>; rows: Map<string, SqlValue[]> } } = {},
  ): Promise<void> {
    // Rows go in primary-key order: B-tree appends instead of random inserts (half the SQLite work).
    const rows: SqlValue[][] = [];
    const hold = options.hold;
    for (const code of [...this.dirty].sort()) {
      const row = summaryRow(this.cache.get(code)!);
      // Held back (a rebuild thread's dossiers begun before its range): the caller writes them later.
      if (hold && hold.codes.has(code)) hold.rows.set(code, row);
      else rows.push(row);
    }
    await this.writeSummaryRows(tx, rows);
    if (options.counters === false) {
      await this.flushReference(tx);
      return;
    }
    await this.writeCounters((t, cols, rows) =>
      t === 'daily'
        ? tx.upsert(this.tables.daily, cols, ['day', 'agency_code', 'procedure_code'], rows, 'add')
        : tx.upsert(this.tables.hist, cols, ['day', 'agency_code', 'procedure_code', 'bucket'], rows, 'add'),
    );
    this.countersWritten = true;
    await this.flushReference(tx);
  }

  /** Summary rows (`flush`'s, or rows it held back), replacing those of the same dossiers. */
  async writeSummaryRows(tx: SqlExecutor, rows: SqlValue[][]): Promise<void> {
    await tx.upsert(this.tables.dossiers, [...DOSSIER_COLUMNS], ['code'], rows, 'replace');
  }

  /**
   * A parallel rebuild's threads: the held counters go as plain rows (key columns, then the counters)
   * into staging tables without a key (`daily`: day, agency, procedure, counters; `hist`: day,
   * agency, procedure, bucket, n), appended, to be summed once at the end; then they are forgotten.
   */
  async drainCountersTo(tx: SqlExecutor, tables: { daily: string; hist: string }): Promise<void> {
    await this.writeCounters((t, cols, rows) => tx.insert(t === 'daily' ? tables.daily : tables.hist, cols, rows));
    this.clearCounters();
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

  /**
   * The held counters as rows, in chunks, in key order (local day, then agency and procedure in
   * string order, as the tables' keys): B-tree appends for the upserts into the keyed tables, and
   * presorted runs for a rebuild's final sum of its staged rows (measured at full size: 3.4 s to sum
   * them, 5 s when staged as held).
   */
  private async writeCounters(write: (table: 'daily' | 'hist', columns: string[], rows: SqlValue[][]) => Promise<void>): Promise<void> {
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
    const dailyColumns = ['day', 'agency_code', 'procedure_code', ...DAILY_COUNTERS];
    const daily: SqlValue[][] = [];
    for (let from = 0; from < n; from += CHUNK) {
      daily.length = Math.min(n, from + CHUNK) - from;
      for (let i = from, r = 0; i < Math.min(n, from + CHUNK); i++, r++) {
        const slot = slots[i];
        const key = this.dailyKeys[slot];
        const at = slot * NC;
        const [a, p] = this.apPairs[key % AP_SPAN];
        const row = (daily[r] ??= new Array<SqlValue>(3 + NC));
        row[0] = this.dayString(Math.floor(key / AP_SPAN));
        row[1] = a;
        row[2] = p;
        for (let c = 0; c < NC; c++) row[3 + c] = pool[at + c];
      }
      await write('daily', dailyColumns, daily);
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
        hist.push([this.dayString(Math.floor(dayKey / AP_SPAN)), a, p, b, this.hist.get(dayKey * 256 + b)!]);
      }
      await write('hist', HIST_COLUMNS, hist);
    }
  }

  private countersWritten = false;

  private async flushReference(tx: SqlExecutor): Promise<void> {
    for (const code of this.dirtyAgencies) {
      await tx.run(`DELETE FROM ${tx.table(this.tables.agencies)} WHERE code = ?`, [code]);
      const vs = this.agencies.get(code) ?? [];
      await tx.upsert(
        this.tables.agencies,
        ['code', 'valid_from', 'valid_to', 'name', 'level', 'parent_code'],
        ['code', 'valid_from'],
        vs.map((v) => [code, v.effectiveFrom, v.validTo, v.name, v.level, v.parentCode]),
        'replace',
      );
    }
    const procs: SqlValue[][] = [];
    for (const [code, p] of this.procedures) procs.push([code, p.name, p.data]);
    await tx.upsert(this.tables.procedures, ['code', 'name', 'data'], ['code'], procs, 'replace');
  }

  /** After COMMIT: forget what was written; drop terminal dossiers, then the oldest, beyond the limit. */
  committed(): void {
    for (const code of this.dirty) {
      const entry = this.cache.get(code)!;
      if (TERMINAL.has(entry.state.status)) this.cache.delete(code);
    }
    if (this.cache.size > this.cacheLimit) {
      let excess = this.cache.size - Math.floor(this.cacheLimit * 0.8);
      for (const code of this.cache.keys()) {
        if (excess-- <= 0) break;
        this.cache.delete(code);
      }
    }
    this.resetStaged();
  }

  /** After ROLLBACK: memory no longer matches the tables; start again from them. */
  discard(): void {
    this.cache.clear();
    this.countersWritten = true;
    this.agencies.clear();
    this.agenciesLoaded = false;
    this.resetStaged();
  }

  private clearCounters(): void {
    this.pool.fill(0, 0, this.dailyKeys.length * NC);
    this.dailySlots.clear();
    this.dailyKeys = [];
    this.hist = new Map();
    this.countersWritten = false;
  }

  private resetStaged(): void {
    this.dirty.clear();
    if (this.countersWritten) this.clearCounters();
    this.dirtyAgencies.clear();
    this.procedures.clear();
    this.stagedEvents = 0;
  }

  get cachedDossiers(): number {
    return this.cache.size;
  }
}

const noCount = (_c: number, _n?: number): void => undefined;


function cmpPair(x: [string, string], y: [string, string]): number {
  return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0;
}

function closePause(pauses: PauseSpan[], end: number, dueAfter: number | null): PauseSpan[] {
  const out = pauses.slice();
  const last = out[out.length - 1];
  if (last && last[1] === null) out[out.length - 1] = [last[0], end, dueAfter];
  return out;
}

function summaryRow(e: DossierEntry): SqlValue[] {
  const s = e.state;
  const ended = s.completedAt ?? s.refusedAt ?? s.withdrawnAt ?? s.stoppedAt ?? null;
  const endedMs = toMs(ended);
  const dueMs = toMs(s.dueAt);
  return [
    e.code,
    s.agencyCode,
    s.procedureCode,
    s.channel,
    s.status,
    s.nationalStatusCode,
    toMs(s.submittedAt),
    toMs(s.receivedAt),
    toMs(s.originalDueAt),
    dueMs,
    dueMs ?? OPEN_FOREVER,
    // The domain's rule (unit-aware), once, here: queries compare instants with it.
    dueMs === null ? null : overdueFrom(dueMs, VN_HOURS, s.deadline?.unit),
    s.deadline?.unit ?? null,
    toMs(s.promisedAt),
    toMs(s.completedAt),
    toMs(s.returnedAt),
    endedMs,
    endedMs ?? (s.receivedAt ? OPEN_FOREVER : 0),
    e.timeliness,
    toMs(s.paused?.since ?? null),
    s.pausedWorkingMs,
    s.supplementRequestCount,
    s.paidOnline === null ? null : s.paidOnline ? 1 : 0,
    e.processingMs === null ? null : Math.round(e.processingMs),
    e.pauses.length ? JSON.stringify(e.pauses) : null,
  ];
}
