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

/** Viet Nam: UTC+7, no DST since 1975. Day buckets are local days. */
export const VN_OFFSET_MS = 7 * 3_600_000;
const VN_DATER = { localDate: (t: number) => new Date(t + VN_OFFSET_MS).toISOString().slice(0, 10) };

/** A clock pause as kept on the summary row: [start, end | null, dueAt after the resume | null] (epoch ms). */
export type PauseSpan = [number, number | null, number | null];

export interface DossierEntry {
  code: string;
  state: DossierState;
  pauses: PauseSpan[];
  timeliness: string | null;
  processingMs: number | null;
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
    s.clockStartAt === null ? null : Math.max(0, calendar.workingTimeBetween(Date.parse(s.clockStartAt), completedAt) - s.pausedWorkingMs);
}

export interface SlaProjectionOptions {
  processingTime?: ProcessingTimeFn;
  /** Dossiers kept in memory between batches (terminal ones are dropped after each commit). */
  cacheLimit?: number;
  /** Rebuild into empty tables: kept for the cache policy (open dossiers evicted are refolded). */
  freshTables?: boolean;
}

const TERMINAL = new Set(['refused', 'withdrawn', 'stopped', 'result_returned']);
const SEP = '\u0001';

const noCount = (_dayMs: number, _s: DossierState, _counter: number, _n?: number): void => undefined;
const toMs = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

export function dossierCodeOf(e: RecordedEvent): string {
  return e.streamId.startsWith('dossier-') ? e.streamId.slice(8) : String((e.data as { dossierCode?: unknown }).dossierCode);
}

export class SlaProjection {
  private readonly cache = new Map<string, DossierEntry>();
  private readonly dirty = new Set<string>();
  private daily = new Map<string, number[]>();
  private hist = new Map<string, number>();
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

  private day(ms: number): string {
    const n = Math.floor((ms + VN_OFFSET_MS) / 86_400_000);
    let d = this.dayCache.get(n);
    if (d === undefined) {
      d = new Date(n * 86_400_000).toISOString().slice(0, 10);
      this.dayCache.set(n, d);
    }
    return d;
  }

  private readonly countFn = (dayMs: number, s: DossierState, counter: number, n = 1) => this.count(dayMs, s, counter, n);

  private count(dayMs: number, s: DossierState, counter: number, n = 1): void {
    const key = this.day(dayMs) + SEP + (s.agencyCode ?? '') + SEP + (s.procedureCode ?? '');
    let row = this.daily.get(key);
    if (!row) {
      row = new Array<number>(DAILY_COUNTERS.length).fill(0);
      this.daily.set(key, row);
    }
    row[counter] += n;
  }

  /** Loads the agency tree from the tables (once), and dossiers not in memory from their own streams. */
  private async load(db: SqlExecutor, store: EventStore, missing: Map<string, RecordedEvent>): Promise<void> {
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
        return entry;
      }),
    );
  }

  /** Applies events in memory; dossiers not in memory are refolded from their streams first. */
  async stage(db: SqlExecutor, store: EventStore, events: RecordedEvent[]): Promise<void> {
    const missing = new Map<string, RecordedEvent>();
    for (const e of events) {
      if (!e.type.startsWith('dossier.')) continue;
      const code = dossierCodeOf(e);
      if (this.cache.has(code) || missing.has(code)) continue;
      missing.set(code, e);
    }
    if (missing.size > 0 || !this.agenciesLoaded) await this.load(db, store, missing);
    for (const e of events) this.apply(e);
    this.stagedEvents += events.length;
  }

  private entry(code: string): DossierEntry {
    let entry = this.cache.get(code);
    if (!entry) {
      entry = { code, state: initialState, pauses: [], timeliness: null, processingMs: null };
      this.cache.set(code, entry);
    }
    return entry;
  }

  private apply(e: RecordedEvent): void {
    if (e.type.startsWith('dossier.')) return this.applyDossier(e);
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
  private applyDossier(e: RecordedEvent, replay = false): void {
    const code = dossierCodeOf(e);
    const entry = this.entry(code);
    const up = upcast(e.type, e.data) as DossierEvent;
    const before = entry.state;
    let s: DossierState;
    try {
      s = evolve(before, up);
    } catch {
      return; // a dossier event type this projection version does not know: ignored, never half-applied
    }
    entry.state = s;
    if (!replay) this.dirty.add(code);
    const count = replay ? noCount : this.countFn;
    const t = Date.parse((up.data as { occurredAt: string }).occurredAt);
    switch (up.type) {
      case 'dossier.submitted-online.v1':
        count(t, s, C.submitted_online);
        break;
      case 'dossier.received.v1':
        count(t, s, s.channel === 'online' ? C.received_online : s.channel === 'postal' ? C.received_postal : C.received_counter);
        break;
      case 'dossier.refused.v1':
        count(t, s, C.refused);
        break;
      case 'dossier.supplement-requested.v1':
        count(t, s, C.supplement_requests);
        entry.pauses = [...entry.pauses, [t, null, null]];
        break;
      case 'dossier.payment-requested.v1':
        if (s.paused) entry.pauses = [...entry.pauses, [t, null, null]];
        break;
      case 'dossier.supplement-supplied.v1':
      case 'dossier.payment-recorded.v1':
        if (before.paused) entry.pauses = closePause(entry.pauses, t, toMs(s.dueAt));
        if (up.type === 'dossier.payment-recorded.v1' && before.paidOnline === null) {
          count(t, s, C.paid);
          if (up.data.online) count(t, s, C.paid_online);
        }
        break;
      case 'dossier.apology-issued.v1':
        count(t, s, C.apologies);
        break;
      case 'dossier.completed.v1': {
        const c = classify(s, VN_DATER);
        entry.timeliness = c?.timeliness ?? null;
        count(t, s, C.completed);
        if (c) count(t, s, c.timeliness === 'early' ? C.early : c.timeliness === 'on_time' ? C.on_time : C.late);
        if (up.data.electronicResult) count(t, s, C.electronic_results);
        const p = this.processingTime(s, t);
        entry.processingMs = p;
        if (p !== null) {
          count(t, s, C.processing_ms, Math.round(p));
          count(t, s, C.processing_count);
          const b = Math.min(HIST_MAX_BUCKET, Math.ceil((p / WORKING_DAY_MS) * HIST_BUCKETS_PER_DAY));
          if (!replay) {
          const key = this.day(t) + SEP + (s.agencyCode ?? '') + SEP + (s.procedureCode ?? '') + SEP + b;
          this.hist.set(key, (this.hist.get(key) ?? 0) + 1);
          }
        }
        break;
      }
      case 'dossier.result-returned.v1':
        count(t, s, C.returned);
        if (before.status === 'completed') break;
        entry.timeliness = classify(s, VN_DATER)?.timeliness ?? null;
        break;
      case 'dossier.withdrawn.v1':
        count(t, s, C.withdrawn);
        if (before.paused) entry.pauses = closePause(entry.pauses, t, null);
        break;
      case 'dossier.stopped.v1':
        count(t, s, C.stopped);
        if (before.paused) entry.pauses = closePause(entry.pauses, t, null);
        entry.timeliness = classify(s, VN_DATER)?.timeliness ?? null;
        break;
      case 'dossier.deadline-missed.v1':
        count(t, s, C.deadline_missed);
        break;
    }
  }

  /** Day x agency x procedure counter rows held in memory. */
  get counterKeys(): number {
    return this.daily.size + this.hist.size;
  }

  /**
   * Writes everything staged since the last flush, inside the caller's transaction. A rebuild may
   * hold the day counters back (`counters: false`) and write them once: its log is not in time
   * order per dossier, so every chunk would touch most day rows again.
   */
  async flush(tx: SqlExecutor, options: { counters?: boolean } = {}): Promise<void> {
    const rows: SqlValue[][] = [];
    for (const code of this.dirty) rows.push(summaryRow(this.cache.get(code)!));
    await tx.upsert(this.tables.dossiers, [...DOSSIER_COLUMNS], ['code'], rows, 'replace');
    if (options.counters === false) {
      await this.flushReference(tx);
      return;
    }
    const daily: SqlValue[][] = [];
    for (const [key, counts] of this.daily) daily.push([...key.split(SEP), ...counts]);
    await tx.upsert(this.tables.daily, ['day', 'agency_code', 'procedure_code', ...DAILY_COUNTERS], ['day', 'agency_code', 'procedure_code'], daily, 'add');
    const hist: SqlValue[][] = [];
    for (const [key, n] of this.hist) {
      const [day, a, p, b] = key.split(SEP);
      hist.push([day, a, p, Number(b), n]);
    }
    await tx.upsert(this.tables.hist, ['day', 'agency_code', 'procedure_code', 'bucket', 'n'], ['day', 'agency_code', 'procedure_code', 'bucket'], hist, 'add');
    this.countersWritten = true;
    await this.flushReference(tx);
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

  private resetStaged(): void {
    this.dirty.clear();
    if (this.countersWritten) {
      this.daily = new Map();
      this.hist = new Map();
      this.countersWritten = false;
    }
    this.dirtyAgencies.clear();
    this.procedures.clear();
    this.stagedEvents = 0;
  }

  get cachedDossiers(): number {
    return this.cache.size;
  }
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
    toMs(s.dueAt),
    toMs(s.dueAt) ?? OPEN_FOREVER,
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
