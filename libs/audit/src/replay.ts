/**
 * Audit replay: re-derives the SLA read models from the raw events into scratch tables with the
 * read-models' own projection code (SlaProjection), optionally "as known at" an instant (only
 * events recorded by then), and compares the result with the live tables row by row.
 *
 * One pass over the global log can feed several scratch targets (e.g. "as known at" and "today"),
 * each with its own event filter.
 */
import { comparePositions, type EventStore, type ReadStreamOptions, type RecordedEvent } from '@motcua/event-store';
import {
  activeSet,
  ensureActiveSet,
  readCheckpoint,
  SlaProjection,
  tableSet,
  type SlaProjectionOptions,
  type SqlDb,
  type SqlExecutor,
  type SqlValue,
} from '@motcua/read-models';

export interface ReplayTarget {
  db: SqlDb;
  /** Only events recorded at or before this instant (ISO-8601). */
  knownAt?: string;
}

export interface ReplayProgress {
  events: number;
  position: string;
  /** Where the replay stops (the live checkpoint, or the head when it started). */
  target: string | undefined;
}

export interface ReplayOptions {
  store: EventStore;
  targets: ReplayTarget[];
  /** Inclusive last position to replay (default: the head when the replay starts). */
  upTo?: string;
  readBatch?: number;
  flushEvery?: number;
  projection?: SlaProjectionOptions;
  onProgress?: (p: ReplayProgress) => void;
  signal?: AbortSignal;
}

export interface ReplayResult {
  /** Events read from the log. */
  events: number;
  /** Per target: events applied (after its filter) and the table set written. */
  targets: Array<{ tableSet: string; applied: number; knownAt?: string }>;
  position: string;
}

/** Replays the log into each target's (empty) scratch store; each gets an active table set queryable by SlaQueryService. */
export async function replaySla(o: ReplayOptions): Promise<ReplayResult> {
  const readBatch = o.readBatch ?? 5000;
  const flushEvery = o.flushEvery ?? 50_000;
  const upTo = o.upTo ?? (await o.store.headPosition());
  const states = await Promise.all(
    o.targets.map(async (t) => {
      const active = await ensureActiveSet(t.db);
      const known = t.knownAt === undefined ? undefined : Date.parse(t.knownAt);
      if (known !== undefined && Number.isNaN(known)) throw new Error(`knownAt is not an ISO-8601 instant: ${t.knownAt}`);
      return {
        t,
        known,
        name: active.tableSet,
        projection: new SlaProjection(tableSet(active.tableSet), { ...o.projection, freshTables: true }),
        // The projection refolds a dossier it no longer holds from its stream: as known at K, only up to K.
        view: t.knownAt === undefined ? o.store : knownAtView(o.store, t.knownAt),
        applied: 0,
        committed: '',
        position: '',
      };
    }),
  );
  const flush = async () => {
    for (const s of states) {
      if (s.projection.stagedEvents === 0 && s.position === s.committed) continue;
      const n = s.projection.stagedEvents;
      await s.t.db.transaction(async (tx) => {
        await s.projection.flush(tx);
        await tx.run(`UPDATE ${tx.table('projection_checkpoints')} SET position = ?, events = events + ?, updated_at = ? WHERE name = ?`, [
          s.position,
          n,
          Date.now(),
          s.name,
        ]);
      });
      s.projection.committed();
      s.committed = s.position;
    }
  };
  let position = '';
  let events = 0;
  let staged = 0;
  if (upTo !== undefined) {
    for (;;) {
      if (o.signal?.aborted) throw new Error('replay aborted');
      const batch = await o.store.readAll({ after: position || undefined, maxCount: readBatch });
      let slice: RecordedEvent[] = batch;
      let done = batch.length < readBatch;
      const cut = batch.findIndex((e) => comparePositions(e.position, upTo) > 0);
      if (cut >= 0) {
        slice = batch.slice(0, cut);
        done = true;
      }
      if (slice.length > 0) {
        position = slice[slice.length - 1].position;
        events += slice.length;
        for (const s of states) {
          const mine = s.known === undefined ? slice : slice.filter((e) => Date.parse(e.recordedAt) <= s.known!);
          if (mine.length > 0) await s.projection.stage(s.t.db, s.view, mine);
          s.applied += mine.length;
          s.position = position;
        }
        staged += slice.length;
        if (staged >= flushEvery) {
          await flush();
          staged = 0;
        }
        o.onProgress?.({ events, position, target: upTo });
      }
      if (done) break;
    }
  }
  await flush();
  return { events, position, targets: states.map((s) => ({ tableSet: s.name, applied: s.applied, ...(s.t.knownAt ? { knownAt: s.t.knownAt } : {}) })) };
}

/** The store as it was known at an instant: stream reads stop at events recorded by then. */
export function knownAtView(store: EventStore, knownAt: string): EventStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'readStream') {
        return (streamId: string, options: ReadStreamOptions = {}) => {
          const mine = options.recordedAtOrBefore;
          const cut = mine !== undefined && Date.parse(mine) < Date.parse(knownAt) ? mine : knownAt;
          return target.readStream(streamId, { ...options, recordedAtOrBefore: cut });
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

// ------------------------------------------------------------------ diff

/** Tables of a set and their keys (libs/read-models/src/sla/schema.ts). */
export const TABLE_KEYS: ReadonlyArray<{ table: 'dossiers' | 'daily' | 'hist' | 'agencies' | 'procedures'; key: string[] }> = [
  { table: 'dossiers', key: ['code'] },
  { table: 'daily', key: ['day', 'agency_code', 'procedure_code'] },
  { table: 'hist', key: ['day', 'agency_code', 'procedure_code', 'bucket'] },
  { table: 'agencies', key: ['code', 'valid_from'] },
  { table: 'procedures', key: ['code'] },
];

export interface Disagreement {
  table: string;
  key: Record<string, unknown>;
  /** `missing_in_live`: the replay has the row, the live model does not; `extra_in_live`: the reverse. */
  kind: 'different' | 'missing_in_live' | 'extra_in_live';
  columns?: Array<{ column: string; live: unknown; replay: unknown }>;
}

export interface TableDiff {
  table: string;
  liveRows: number;
  replayRows: number;
  disagreements: number;
}

export interface DiffResult {
  tables: TableDiff[];
  disagreements: Disagreement[];
  disagreementCount: number;
  truncated: boolean;
}

type Row = Record<string, unknown>;

const norm = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v === undefined ? null : v);
const keyOf = (r: Row, key: string[]) => JSON.stringify(key.map((k) => norm(r[k])));

/**
 * Row-by-row comparison of two table sets of the same engine. Keyset pages of the live table; for
 * each page, the replay rows in the same key interval (so both sides are ordered by the same
 * engine's collation); finally the replay rows after the last live key.
 */
export async function diffTableSets(
  live: SqlExecutor,
  liveSet: string,
  replay: SqlExecutor,
  replaySet: string,
  o: { pageSize?: number; maxDisagreements?: number } = {},
): Promise<DiffResult> {
  if (live.dialect !== replay.dialect) throw new Error('live and replay read models must use the same engine');
  const pageSize = o.pageSize ?? 2000;
  const max = o.maxDisagreements ?? 1000;
  const disagreements: Disagreement[] = [];
  let count = 0;
  const tables: TableDiff[] = [];
  const report = (d: Disagreement) => {
    count++;
    if (disagreements.length < max) disagreements.push(d);
  };
  for (const { table, key } of TABLE_KEYS) {
    const lt = live.table(`${liveSet}_${table}`);
    const rt = replay.table(`${replaySet}_${table}`);
    const cols = `(${key.join(', ')})`;
    const marks = `(${key.map(() => '?').join(', ')})`;
    const order = key.join(', ');
    let after: SqlValue[] | undefined;
    let liveRows = 0;
    let replayRows = 0;
    const before = count;
    const compare = (l: Row[], r: Row[]) => {
      const rByKey = new Map(r.map((x) => [keyOf(x, key), x]));
      for (const x of l) {
        const k = keyOf(x, key);
        const y = rByKey.get(k);
        const keyObj = Object.fromEntries(key.map((c) => [c, norm(x[c])]));
        if (!y) {
          report({ table, key: keyObj, kind: 'extra_in_live' });
          continue;
        }
        rByKey.delete(k);
        const diffs: Array<{ column: string; live: unknown; replay: unknown }> = [];
        for (const c of Object.keys(x)) {
          if (key.includes(c)) continue;
          const a = norm(x[c]);
          const b = norm(y[c]);
          if (
            a !== b &&
            !(typeof a === 'number' && typeof b === 'string' && String(a) === b) &&
            !(typeof b === 'number' && typeof a === 'string' && String(b) === a)
          ) {
            diffs.push({ column: c, live: a, replay: b });
          }
        }
        if (diffs.length) report({ table, key: keyObj, kind: 'different', columns: diffs });
      }
      for (const y of rByKey.values()) report({ table, key: Object.fromEntries(key.map((c) => [c, norm(y[c])])), kind: 'missing_in_live' });
    };
    for (;;) {
      const l = await live.all<Row>(`SELECT * FROM ${lt} ${after ? `WHERE ${cols} > ${marks}` : ''} ORDER BY ${order} LIMIT ${pageSize}`, after);
      liveRows += l.length;
      const last = l.length ? (key.map((c) => norm(l[l.length - 1][c])) as SqlValue[]) : undefined;
      // The replay rows of the same key interval: (after, last], or (after, end) on the final page.
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (after) {
        where.push(`${cols} > ${marks}`);
        params.push(...after);
      }
      if (last && l.length === pageSize) {
        where.push(`${cols} <= ${marks}`);
        params.push(...last);
      }
      const r = await replay.all<Row>(`SELECT * FROM ${rt} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order}`, params);
      replayRows += r.length;
      compare(l, r);
      if (l.length < pageSize) break;
      after = last;
    }
    tables.push({ table, liveRows, replayRows, disagreements: count - before });
  }
  return { tables, disagreements, disagreementCount: count, truncated: count > disagreements.length };
}

export interface AuditReplayOptions {
  store: EventStore;
  /** The live read-model store. */
  live: SqlDb;
  /** A scratch store of the same engine (see scratch.ts); emptied beforehand is the caller's duty. */
  scratch: SqlDb;
  onProgress?: (p: ReplayProgress) => void;
  projection?: SlaProjectionOptions;
  maxDisagreements?: number;
}

export interface AuditReplayReport extends DiffResult {
  ok: boolean;
  liveTableSet: string;
  /** The live checkpoint the replay stopped at, so both sides reflect the same events. */
  livePosition: string;
  replayedEvents: number;
  /** The live checkpoint moved while comparing (a running projection): re-run on a quiet store to confirm. */
  liveMoved: boolean;
  elapsedMs: number;
}

export class NoLiveReadModelError extends Error {}

/** Full audit replay: scratch rebuild up to the live checkpoint, then the row-by-row diff. */
export async function auditReplay(o: AuditReplayOptions): Promise<AuditReplayReport> {
  const started = performance.now();
  const active = await activeSet(o.live).catch(() => undefined); // no control tables: never projected
  if (!active) throw new NoLiveReadModelError('the live SLA read model does not exist yet (no active table set)');
  const livePosition = (await readCheckpoint(o.live, active.tableSet))?.position ?? '';
  const replay = livePosition
    ? await replaySla({ store: o.store, targets: [{ db: o.scratch }], upTo: livePosition, onProgress: o.onProgress, projection: o.projection })
    : { events: 0, targets: [{ tableSet: (await ensureActiveSet(o.scratch)).tableSet, applied: 0 }], position: '' };
  const diff = await diffTableSets(o.live, active.tableSet, o.scratch, replay.targets[0].tableSet, { maxDisagreements: o.maxDisagreements });
  const after = (await readCheckpoint(o.live, active.tableSet))?.position ?? '';
  return {
    ok: diff.disagreementCount === 0,
    liveTableSet: active.tableSet,
    livePosition,
    replayedEvents: replay.events,
    liveMoved: after !== livePosition,
    ...diff,
    elapsedMs: performance.now() - started,
  };
}
