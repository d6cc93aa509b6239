/**
 * The SLA projection: folds the global log into the dossier summary, the per-local-day counters
 * per agency x procedure, the processing-time histogram and the agency tree. This file drives a batch
 * through the parts beside it:
 * - dossier-fold.ts: one dossier event applied to its dossier's entry, and the counters it adds (state from
 *   the domain's `evolve`, timeliness from the domain's `classify`: the read models never re-derive a
 *   clock rule);
 * - day-counters.ts: where those counters are held until they are written;
 * - dossier-cache.ts: the dossiers kept in memory between batches, and which ones a batch changed;
 * - flush.ts: the SQL that writes a batch (and reads the agency tree once).
 * The reference streams (agencies, procedures) are folded here (agencies.ts has the version rules).
 *
 * Work is split in two so the runner can make a batch atomic: `stage(events)` applies events in
 * memory (a dossier not in memory is refolded from its own stream, never a SELECT per event), `flush(tx)` writes
 * everything staged inside the caller's transaction, and `committed()` / `discard()` settle the cache
 * after COMMIT / ROLLBACK.
 *
 * Poison events: an event the fold cannot apply (it throws: a missing or impossible instant, a code that is
 * not a string, a classification the domain refuses) is quarantined instead of failing the batch. Nothing
 * of it is counted (the fold changes nothing before it could throw); its dossier is held: none of its later
 * events is applied (each is quarantined too, as held), its summary row stays as of its last good event,
 * flagged `quarantined`, and it leaves the open-dossier figures from the quarantined event on. The
 * quarantine rows are written by `flush` in the caller's transaction, with its checkpoint, and
 * `takeQuarantined()` hands the ones newly inserted to the caller once they committed. The isolation is a
 * try/catch around each event's apply: it costs the hot path nothing more. I/O (refolding a dossier from
 * its stream, the writes) is outside it: a store or database failure still fails the batch, which the
 * runner retries from its checkpoint.
 */
import type { EventStore } from '@motcua/event-store';
import { instantMs, validateDossierEvent, type DossierState } from '@motcua/domain';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import { recordQuarantined, type QuarantineCandidate, type QuarantinedEvent } from '../quarantine/quarantine';
import { SLA_PROJECTION, type TableSet } from './schema';
import { AGENCY_EVENT_TYPES, foldAgencyVersions, type AgencyVersionRow } from './agencies';
import { DayCounters } from './day-counters';
import { DossierCache } from './dossier-cache';
import { DossierFold, calendarProcessingTime, dossierCodeOf, type DossierEntry, type ProcessingTimeFn, type ProjectedEvent } from './dossier-fold';
import { addCounters, appendCounters, readAgencies, summaryRow, writeReference, writeSummaryRows } from './flush';
import { COUNTABLE_FROM_MS, COUNTABLE_UNTIL_MS, LocalDates } from './local-days';

export { VN_OFFSET_MS } from './local-days';
export {
  calendarProcessingTime,
  dossierCodeOf,
  type DossierEntry,
  type HeldDossier,
  type PauseSpan,
  type ProcessingTimeFn,
  type ProjectedEvent,
} from './dossier-fold';
export { QUARANTINED_STATUS } from './flush';

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
  /** The consumer its quarantine rows are recorded under (default SLA_PROJECTION: every table set of this version). */
  consumer?: string;
}

/** What the projection needs of the store: a dossier's own stream, to refold one not in memory. */
export type DossierStreamReader = Pick<EventStore, 'readStream'>;

export class SlaProjection {
  private readonly dossiers: DossierCache;
  private readonly counters: DayCounters;
  private readonly fold: DossierFold;
  private agencies = new Map<string, AgencyVersionRow[]>();
  private dirtyAgencies = new Set<string>();
  private procedures = new Map<string, { name: string | null; data: string }>();
  private agenciesLoaded = false;
  /** The held counters went into a transaction (they are forgotten once it settles). */
  private countersWritten = false;
  /** Events staged since the last flush. */
  stagedEvents = 0;
  /** Events set aside since the last flush (written by `flush`). */
  private quarantine: QuarantineCandidate[] = [];
  /** Rows the last flush inserted (reported once it committed), and those committed and not yet taken. */
  private inserted: QuarantinedEvent[] = [];
  private reportable: QuarantinedEvent[] = [];
  private readonly consumer: string;

  constructor(
    readonly tables: TableSet,
    private readonly options: SlaProjectionOptions = {},
  ) {
    this.dossiers = new DossierCache(options.cacheLimit ?? 100_000);
    // One cache of local dates for the counters' day rows and the fold's classify.
    const days = new LocalDates();
    this.counters = new DayCounters(days);
    this.fold = new DossierFold(options.processingTime ?? calendarProcessingTime(), days);
    this.consumer = options.consumer ?? SLA_PROJECTION;
  }

  /** Loads the agency tree from the tables (once), and dossiers not in memory from their own streams. */
  private async load(db: SqlExecutor, store: DossierStreamReader, missing: Map<string, ProjectedEvent>): Promise<void> {
    if (!this.agenciesLoaded) {
      await readAgencies(db, this.tables, this.agencies);
      this.agenciesLoaded = true;
    }
    // A dossier's state before the event is the fold of its stream up to the previous revision:
    // exact whatever the checkpoint, and it keeps the summary rows small (no serialised state).
    await Promise.all(
      [...missing].map(async ([code, first]) => {
        if (first.revision === 0) return;
        const prior = await store.readStream(first.streamId, { toRevision: first.revision - 1 });
        const entry = this.dossiers.entry(code);
        for (const e of prior) {
          try {
            this.applyDossier(e, true, entry);
          } catch {
            // Quarantined when it was first met (by this projection, or the rebuild thread of its range):
            // here the dossier is only held again.
            this.hold(entry, e);
            break;
          }
        }
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
      let entry = this.dossiers.get(code);
      if (entry === undefined && !missing?.has(code)) {
        // First seen at revision 0: a new dossier, nothing to refold (most of a replay).
        if (e.revision === 0) entry = this.dossiers.entry(code);
        else (missing ??= new Map()).set(code, e);
      }
      entries[i] = entry;
    }
    if (missing || !this.agenciesLoaded) await this.load(db, store, missing ?? new Map());
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      try {
        if (e.type.startsWith('dossier.')) this.applyDossier(e, false, entries[i]);
        else this.applyReference(e);
      } catch (err) {
        this.quarantineEvent(e, err, entries[i]);
      }
    }
    this.stagedEvents += events.length;
  }

  /** An event the fold could not apply: recorded with the reason; its dossier is held from it on. */
  private quarantineEvent(e: ProjectedEvent, err: unknown, known?: DossierEntry): void {
    this.quarantine.push({
      consumer: this.consumer,
      streamId: e.streamId,
      revision: e.revision,
      position: e.position,
      eventType: e.type,
      reason: reasonOf(e, err),
    });
    if (!e.type.startsWith('dossier.')) return;
    const entry = known ?? this.dossiers.entry(dossierCodeOf(e));
    this.hold(entry, e);
    // Its row (if it has one) is written again, frozen and flagged.
    if (entry.state.revision >= 0) this.dossiers.markDirty(entry.code);
  }

  private hold(entry: DossierEntry, e: ProjectedEvent): void {
    entry.held = { position: e.position, cutoff: cutoffOf(entry.state, e) };
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

  /**
   * `replay`: rebuilding a dossier's state from its stream, nothing is counted or marked dirty. A held
   * dossier's events are not applied; met live, each is quarantined as held.
   */
  private applyDossier(e: ProjectedEvent, replay = false, known?: DossierEntry): void {
    const entry = known ?? this.dossiers.entry(dossierCodeOf(e));
    if (entry.held !== null) {
      if (!replay) {
        this.quarantine.push({
          consumer: this.consumer,
          streamId: e.streamId,
          revision: e.revision,
          position: e.position,
          eventType: e.type,
          reason: `held: an earlier event of ${e.streamId} (position ${entry.held.position}) is quarantined`,
        });
      }
      return;
    }
    if (this.fold.apply(entry, e, replay ? null : this.counters) && !replay) this.dossiers.markDirty(entry.code);
  }

  /** Day x agency x procedure counter rows held in memory. */
  get counterKeys(): number {
    return this.counters.size;
  }

  /**
   * Writes everything staged since the last flush, inside the caller's transaction. A rebuild may
   * hold the day counters back (`counters: false`) and write them once: its log is not in time
   * order per dossier, so every chunk would touch most day rows again.
   */
  async flush(tx: SqlExecutor, options: { counters?: boolean; hold?: { codes: ReadonlySet<string>; rows: Map<string, SqlValue[]> } } = {}): Promise<void> {
    // Rows go in primary-key order: B-tree appends instead of random inserts (half the SQLite work).
    const rows: SqlValue[][] = [];
    const hold = options.hold;
    for (const entry of this.dossiers.dirtyEntries()) {
      const row = summaryRow(entry);
      // Held back (a rebuild thread's dossiers begun before its range): the caller writes them later.
      if (hold && hold.codes.has(entry.code)) hold.rows.set(entry.code, row);
      else rows.push(row);
    }
    await this.writeSummaryRows(tx, rows);
    await this.flushQuarantine(tx);
    if (options.counters === false) {
      await this.flushReference(tx);
      return;
    }
    await addCounters(tx, this.tables, this.counters);
    this.countersWritten = true;
    await this.flushReference(tx);
  }

  /** The events set aside since the last flush, into the quarantine table (the caller's transaction). */
  private async flushQuarantine(tx: SqlExecutor): Promise<void> {
    this.inserted = this.quarantine.length ? await recordQuarantined(tx, this.quarantine) : [];
  }

  /** Quarantine rows inserted by flushes that committed since the last call (to log, count and signal once). */
  takeQuarantined(): QuarantinedEvent[] {
    const out = this.reportable;
    this.reportable = [];
    return out;
  }

  /** Summary rows (`flush`'s, or rows it held back), replacing those of the same dossiers. */
  async writeSummaryRows(tx: SqlExecutor, rows: SqlValue[][]): Promise<void> {
    await writeSummaryRows(tx, this.tables, rows);
  }

  /**
   * A parallel rebuild's threads: the held counters go as plain rows (key columns, then the counters)
   * into staging tables without a key (`daily`: day, agency, procedure, counters; `hist`: day,
   * agency, procedure, bucket, n), appended, to be summed once at the end; then they are forgotten.
   */
  async drainCountersTo(tx: SqlExecutor, tables: { daily: string; hist: string }): Promise<void> {
    await appendCounters(tx, tables, this.counters);
    this.clearCounters();
  }

  private async flushReference(tx: SqlExecutor): Promise<void> {
    await writeReference(tx, this.tables, this.agencies, this.dirtyAgencies, this.procedures);
  }

  /** After COMMIT: forget what was written; drop terminal dossiers, then the oldest, beyond the limit. */
  committed(): void {
    this.dossiers.committed();
    if (this.inserted.length) this.reportable.push(...this.inserted);
    this.resetStaged();
  }

  /** After ROLLBACK: memory no longer matches the tables; start again from them. */
  discard(): void {
    this.dossiers.clear();
    this.countersWritten = true;
    this.agencies.clear();
    this.agenciesLoaded = false;
    this.resetStaged();
  }

  private clearCounters(): void {
    this.counters.clear();
    this.countersWritten = false;
  }

  private resetStaged(): void {
    if (this.countersWritten) this.clearCounters();
    this.dirtyAgencies.clear();
    this.procedures.clear();
    this.stagedEvents = 0;
    this.quarantine = [];
    this.inserted = [];
  }

  get cachedDossiers(): number {
    return this.dossiers.size;
  }
}

/** The reason recorded: the fold's error, and for a dossier event what the domain's schema says of it. */
function reasonOf(e: ProjectedEvent, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!e.type.startsWith('dossier.')) return message;
  const problems = validateDossierEvent(e.type, e.data).filter((p) => !message.includes(p));
  return problems.length ? `${message}; the event's schema: ${problems.join('; ')}` : message;
}

/** The countable instant of an ISO string, or null. */
function countableMs(iso: unknown): number | null {
  if (typeof iso !== 'string') return null;
  const t = instantMs(iso);
  return t >= COUNTABLE_FROM_MS && t < COUNTABLE_UNTIL_MS ? t : null;
}

/**
 * From when a held dossier leaves the open-dossier figures: the quarantined event's occurredAt when it can be
 * read and is not before what the dossier already recorded, else the last instant its good events recorded.
 * Derived from the log alone, so a rebuild holds it at the same instant as the live runner.
 */
function cutoffOf(s: DossierState, e: ProjectedEvent): number | null {
  let known: number | null = null;
  for (const v of [
    s.submittedAt,
    s.receivedAt,
    s.paymentRequestedAt,
    s.paused?.since ?? null,
    s.completedAt,
    s.returnedAt,
    s.refusedAt,
    s.withdrawnAt,
    s.stoppedAt,
  ]) {
    const t = countableMs(v);
    if (t !== null && (known === null || t > known)) known = t;
  }
  const at = countableMs((e.data as { occurredAt?: unknown } | null)?.occurredAt);
  return at !== null && (known === null || at >= known) ? at : known;
}
