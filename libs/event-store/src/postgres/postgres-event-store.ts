import { Client, Pool, escapeLiteral, type QueryResult } from 'pg';
import { EventStoreError, StoreUnavailableError } from '../errors';
import { waitForWake } from '../wake';
import { GENESIS_HASH } from '../hash';
import { DEFAULT_READ_ALL_BATCH } from '../port';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamMetadata,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from '../port';
import {
  DEFAULT_MAX_EVENT_BYTES,
  assertExpectedRevision,
  prepareAppend,
  prepareStreamMetadata,
  sealEvents,
  type PreparedAppend,
} from '../validation';
import { decodePosition, encodePosition } from './positions';
import { quoteIdent, schemaDdl } from './schema';

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** Schema holding the tables; created on first use. Default `event_store`. */
  schema?: string;
  /** Connections of the pool (reads + the writer). Default 10. */
  poolSize?: number;
  /** Largest accepted event (canonical data + metadata, UTF-8 bytes). Default DEFAULT_MAX_EVENT_BYTES (validation.ts). */
  maxEventBytes?: number;
  /** Most events one group-commit transaction carries (a single larger append still goes alone). Default 1000. */
  maxBatchEvents?: number;
  /** Subscribers re-read at least this often even without a notification. Default 100 ms. */
  pollIntervalMs?: number;
  /** Connect timeout; an unreachable server fails with StoreUnavailableError after it. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Source of `recordedAt`. Default the system clock. */
  clock?: () => Date;
  /**
   * Test seam only: awaited inside each write transaction just before COMMIT, with the transaction id.
   * Lets a test hold a transaction open to provoke out-of-order commits.
   */
  beforeCommit?: (info: { transactionId: string; streamIds: string[] }) => Promise<void>;
}

/** An append waiting in the group-commit queue (already validated and canonicalised). */
interface PendingAppend extends PreparedAppend {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

interface EventRow {
  stream_id: string;
  revision: string;
  txid: string;
  seq: string;
  type: string;
  data: Record<string, unknown>;
  metadata: RecordedEvent['metadata'];
  recorded_at: string;
  hash: string;
  prev_hash: string;
}

const EVENT_COLUMNS = `stream_id, revision, transaction_id::text AS txid, seq, type, data, metadata,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, hash, prev_hash`;

function toRecorded(r: EventRow): RecordedEvent {
  return {
    streamId: r.stream_id,
    revision: Number(r.revision),
    position: encodePosition(r.txid, r.seq),
    type: r.type,
    data: r.data,
    metadata: r.metadata,
    recordedAt: r.recorded_at,
    hash: r.hash,
    prevHash: r.prev_hash,
  };
}

function normaliseInstant(s: string): string {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new EventStoreError('INVALID_INSTANT', `not an ISO-8601 instant: ${JSON.stringify(s)}`);
  return new Date(t).toISOString();
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '3D000', // database does not exist
]);

function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused|not queryable/i.test(
    message,
  );
}

/** Engine errors into port errors: connection trouble becomes StoreUnavailableError (API: 503). */
export function mapPgError(err: unknown): unknown {
  if (err instanceof EventStoreError) return err;
  if (isUnavailable(err)) {
    return new StoreUnavailableError(`PostgreSQL unavailable: ${(err as Error)?.message ?? String(err)}`, err);
  }
  return err;
}

/** Transient failures of a whole group-commit transaction that are safe to re-run. */
function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '40P01' /* deadlock */ || code === '40001' /* serialization */ || code === '23505' /* race */;
}

export class PostgresEventStore implements EventStore {
  readonly engine = 'postgres' as const;
  readonly schema: string;
  private readonly pool: Pool;
  private readonly t: { events: string; streams: string; commands: string; meta: string };
  private readonly channel: string;
  private readonly maxEventBytes: number;
  private readonly maxBatchEvents: number;
  private readonly pollIntervalMs: number;
  private readonly clock: () => Date;
  private readonly beforeCommit?: PostgresEventStoreOptions['beforeCommit'];
  private initPromise?: Promise<void>;
  private queue: PendingAppend[] = [];
  private draining?: Promise<void>;
  private closed = false;
  private readonly wakeups = new Set<() => void>();
  private listener?: Client;
  private listenerPromise?: Promise<void>;
  private readonly subscriptions = new Set<Subscription>();
  /** Commits seen (locally or by NOTIFY): subscribers compare it to avoid a lost wake-up. */
  private generation = 0;
  /**
   * Committed heads (revision, hash) of streams this store wrote or locked recently, most recent last.
   * Only a hint: the one-statement write checks it against the streams row and falls back to the locking
   * path when another process moved the stream (see writeFast).
   */
  private readonly heads = new Map<string, { revision: number; hash: string }>();
  /** SQL text -> prepared statement name (per store; pg prepares it once per connection). */
  private readonly statementNames = new Map<string, string>();

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.schema = options.schema ?? 'event_store';
    const s = quoteIdent(this.schema);
    this.t = { events: `${s}.events`, streams: `${s}.streams`, commands: `${s}.commands`, meta: `${s}.stream_metadata` };
    this.channel = `es_${this.schema}`.slice(0, 63);
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.maxBatchEvents = options.maxBatchEvents ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.clock = options.clock ?? (() => new Date());
    this.beforeCommit = options.beforeCommit;
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  /** Creates the schema and tables if missing. Called lazily by every operation; safe to call eagerly. */
  init(): Promise<void> {
    if (!this.initPromise) {
      this.initPromise = this.migrate().catch((err) => {
        this.initPromise = undefined; // let the next call try again (server back up)
        throw mapPgError(err);
      });
    }
    return this.initPromise;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Stores starting together on one schema must not race on CREATE ... IF NOT EXISTS.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`motcua.event_store.${this.schema}`]);
      await client.query(schemaDdl(this.schema));
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Named (prepared once per connection, then only bound and executed): these statements recur. */
  private statementName(text: string): string {
    let name = this.statementNames.get(text);
    if (name === undefined) {
      name = `es_${this.schema}_${this.statementNames.size}`;
      this.statementNames.set(text, name);
    }
    return name;
  }

  private async query<R extends object>(text: string, values?: unknown[]): Promise<R[]> {
    await this.init();
    try {
      const res = await this.pool.query({ name: this.statementName(text), text, values });
      return res.rows as R[];
    } catch (err) {
      throw mapPgError(err);
    }
  }

  // ---------------------------------------------------------------- append (group commit)

  append(streamId: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('event store is closed'));
    let prepared: PreparedAppend;
    try {
      // Validation is shared by all adapters and runs before any I/O: a bad batch writes nothing.
      prepared = prepareAppend(streamId, events, options, { maxEventBytes: this.maxEventBytes });
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ ...prepared, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining || this.queue.length === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      this.kick();
    });
  }

  /**
   * Group commit: one writer drains whatever appends queued up while the previous commit waited for
   * the disk into the next transaction. Under load each fsync carries many appends.
   */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: PendingAppend[] = [];
      let count = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0];
        if (batch.length > 0 && count + next.events.length > this.maxBatchEvents) break;
        batch.push(this.queue.shift()!);
        count += next.events.length;
      }
      await this.runBatch(batch);
    }
  }

  private async runBatch(batch: PendingAppend[]): Promise<void> {
    let rest = batch;
    if (!this.beforeCommit) {
      try {
        rest = await this.writeFast(batch);
      } catch (err) {
        for (const p of batch) this.heads.delete(p.streamId);
        const mapped = mapPgError(err);
        const code = String((err as { code?: unknown })?.code ?? '');
        if (mapped instanceof StoreUnavailableError || code.startsWith('42')) {
          // A connection lost mid-statement leaves its outcome unknown: never re-run it. A syntax or
          // access error (class 42) is a defect to surface, not to hide behind the other path.
          for (const p of batch) p.reject(mapped);
          return;
        }
        // A race (unique key, deadlock) or an engine refusal rolled the single statement back, nothing
        // was written: the locking path decides these appends (one by one if the engine refuses again).
        rest = batch;
      }
      if (rest.length === 0) return;
    }
    await this.runLocked(rest);
  }

  private async runLocked(batch: PendingAppend[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcomes = await this.writeBatch(batch);
        this.signalCommit();
        outcomes.forEach((o, i) => (o instanceof Error ? batch[i].reject(o) : batch[i].resolve(o)));
        return;
      } catch (err) {
        for (const p of batch) this.heads.delete(p.streamId);
        if (isRetryable(err) && attempt < 5) continue;
        const mapped = mapPgError(err);
        if (batch.length > 1 && !(mapped instanceof StoreUnavailableError)) {
          // One append the engine refuses must not fail the others: re-run them one by one.
          for (const one of batch) await this.runLocked([one]);
          return;
        }
        for (const p of batch) p.reject(mapped);
        return;
      }
    }
  }

  private rememberHead(streamId: string, revision: number, hash: string): void {
    this.heads.delete(streamId); // re-insert: most recently used last
    this.heads.set(streamId, { revision, hash });
    if (this.heads.size > MAX_CACHED_HEADS) this.heads.delete(this.heads.keys().next().value!);
  }

  /**
   * The common case in ONE statement and one round trip (an autocommit statement is its own transaction,
   * so no BEGIN/COMMIT trips): appends to a stream whose head this store knows (it wrote or locked it
   * last) or that must not exist yet (`no_stream`). The events are chained in JS onto the remembered
   * head; the statement moves the stream row only if it still holds exactly that head (revision AND
   * hash) and the command id is not yet recorded, or creates it only if it is absent, and writes the
   * events and commands of exactly the streams it moved or created. An append it did not write
   * (another process moved the stream, a duplicate, a conflict, a stream not remembered) is returned
   * and takes the locking path, which decides it with the head read under the row lock: same
   * guarantees, one round trip instead of three when nothing raced.
   * Resolves the appends it wrote; returns the others.
   */
  private async writeFast(batch: PendingAppend[]): Promise<PendingAppend[]> {
    const perStream = new Map<string, number>();
    for (const p of batch) perStream.set(p.streamId, (perStream.get(p.streamId) ?? 0) + 1);
    const fast: PendingAppend[] = [];
    const rest: PendingAppend[] = [];
    const g = { id: [] as string[], oldRev: [] as number[], oldHash: [] as string[], rev: [] as number[], hash: [] as string[], cmd: [] as (string | null)[] };
    const eventParams: unknown[] = []; // 7 per event, in the order of fastSql's VALUES rows
    const recordedAt = this.clock().toISOString();
    for (const p of batch) {
      // Several appends to one stream in a batch chain onto each other: the locking path handles those.
      const head = this.heads.get(p.streamId);
      const single = perStream.get(p.streamId) === 1;
      // Bind parameters are limited (65535): very large batches take the locking path (inlined literals).
      const fits = eventParams.length / 7 + p.events.length <= MAX_FAST_EVENTS;
      const from =
        !single || !fits
          ? undefined
          : head !== undefined
            ? expectationHolds(p, head.revision) ? head : undefined
            : p.expectedRevision === 'no_stream' ? { revision: -1, hash: GENESIS_HASH } : undefined;
      if (from === undefined) {
        rest.push(p);
        continue;
      }
      const sealed = sealEvents(p, from.revision, from.hash, recordedAt);
      for (const s of sealed) eventParams.push(p.streamId, s.revision, s.type, s.dataJson, s.metadataJson, s.hash, s.prevHash);
      const last = sealed[sealed.length - 1];
      g.id.push(p.streamId);
      g.oldRev.push(from.revision);
      g.oldHash.push(from.hash);
      g.rev.push(last.revision);
      g.hash.push(last.hash);
      g.cmd.push(p.commandId ?? null);
      fast.push(p);
    }
    if (fast.length === 0) return rest;
    await this.init();
    const count = eventParams.length / 7;
    const text = this.fastSql(count);
    const { rows } = await this.pool.query<{ stream_id: string; revision: string; seq: string; txid: string }>({
      // Prepared for the common event counts only, so that neither side keeps a statement per count.
      name: this.fastSqlByCount.has(count) ? this.statementName(text) : undefined,
      text,
      values: [g.id, g.oldRev, g.oldHash, g.rev, g.hash, g.cmd, recordedAt, ...eventParams],
    });
    const written = new Map(rows.map((r) => [r.stream_id, encodePosition(r.txid, r.seq)]));
    if (written.size > 0) this.signalCommit();
    fast.forEach((p, i) => {
      const position = written.get(p.streamId);
      if (position === undefined) {
        this.heads.delete(p.streamId);
        rest.push(p);
        return;
      }
      this.rememberHead(p.streamId, g.rev[i], g.hash[i]);
      p.resolve({ streamId: p.streamId, nextExpectedRevision: g.rev[i], position, duplicate: false });
    });
    return rest;
  }

  /**
   * The one-statement append for `n` events (one prepared statement per event count). The events travel
   * as a multi-row VALUES list of bind parameters, measurably cheaper than arrays (no array literal to
   * build in JS and parse on the server).
   */
  private fastSql(n: number): string {
    let text = this.fastSqlByCount.get(n);
    if (text !== undefined) return text;
    const rows: string[] = [];
    for (let i = 0; i < n; i++) {
      const b = 8 + i * 7;
      rows.push(`(${i}, $${b}::text, $${b + 1}::bigint, $${b + 2}::text, $${b + 3}::json, $${b + 4}::json, $${b + 5}::text, $${b + 6}::text)`);
    }
    text = `WITH g AS (
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[])
          AS g(id, old_rev, old_hash, rev, hash, command_id)
      ), moved AS (
        UPDATE ${this.t.streams} AS s SET revision = g.rev, last_hash = g.hash
          FROM g
         WHERE g.old_rev >= 0 AND s.stream_id = g.id AND s.revision = g.old_rev AND s.last_hash = g.old_hash
           AND NOT EXISTS (SELECT 1 FROM ${this.t.commands} c WHERE c.stream_id = g.id AND c.command_id = g.command_id)
        RETURNING s.stream_id
      ), created AS (
        INSERT INTO ${this.t.streams} (stream_id, revision, last_hash)
        SELECT g.id, g.rev, g.hash FROM g WHERE g.old_rev = -1
        ON CONFLICT (stream_id) DO NOTHING
        RETURNING stream_id
      ), ok AS (
        SELECT ARRAY(SELECT stream_id FROM moved UNION ALL SELECT stream_id FROM created) AS ids
      ), ev AS (
        INSERT INTO ${this.t.events} (stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash)
        SELECT e.stream_id, e.revision, e.type, e.data, e.metadata, $7::timestamptz, e.hash, e.prev_hash
          FROM (VALUES ${rows.join(', ')}) AS e(n, stream_id, revision, type, data, metadata, hash, prev_hash)
         WHERE e.stream_id = ANY ((SELECT ids FROM ok)::text[])
         ORDER BY e.n -- seq follows revision order inside a stream
        RETURNING stream_id, revision, seq, transaction_id
      ), cmd AS (
        INSERT INTO ${this.t.commands} (stream_id, command_id, next_expected_revision)
        SELECT g.id, g.command_id, g.rev FROM g WHERE g.command_id IS NOT NULL AND g.id = ANY ((SELECT ids FROM ok)::text[])
      ), n AS (
        SELECT pg_notify('${this.channel}', '') AS x WHERE EXISTS (SELECT 1 FROM ev)
      )
      SELECT DISTINCT ON (stream_id) stream_id, revision, seq, transaction_id::text AS txid, (SELECT count(*) FROM n) AS notified
        FROM ev ORDER BY stream_id, revision DESC`;
    if (this.fastSqlByCount.size < 64) this.fastSqlByCount.set(n, text); // the common counts
    return text;
  }
  private readonly fastSqlByCount = new Map<number, string>();

  /**
   * One transaction for the whole batch, in two round trips (on a loaded host each round trip costs about
   * as much as a commit's fsync, so they matter for single appends):
   *   1. BEGIN; lock the streams (reading their heads); look up already-recorded commands
   *   2. insert events + commands, move the stream heads, NOTIFY; COMMIT
   * Values are inlined as escaped literals because the simple-query protocol that carries several
   * statements in one message takes no bind parameters. Returns, per append, its result or its conflict.
   */
  private async writeBatch(batch: PendingAppend[]): Promise<(AppendResult | Error)[]> {
    await this.init();
    const client = await this.pool.connect();
    const lit = (v: string) => escapeLiteral(v);
    let released = false;
    try {
      const streamIds = [...new Set(batch.map((b) => b.streamId))].sort();
      const withCommand = batch.filter((b) => b.commandId !== undefined);
      // Lock every stream of the batch (creating a -1 row for a new one) in sorted order, reading the
      // latest committed head: writers of one stream, in this process or another, are serialised here.
      // The command lookup is a separate statement, so its snapshot is taken after the locks are held and
      // sees a concurrent twin that committed while we waited.
      let first = `BEGIN;
        INSERT INTO ${this.t.streams} AS s (stream_id, revision, last_hash)
        VALUES ${streamIds.map((id) => `(${lit(id)}, -1, '${GENESIS_HASH}')`).join(', ')}
        ON CONFLICT (stream_id) DO UPDATE SET stream_id = excluded.stream_id
        RETURNING s.stream_id, s.revision, s.last_hash;`;
      if (withCommand.length > 0) {
        first += `
        SELECT c.stream_id, c.command_id, c.next_expected_revision AS rev, e.transaction_id::text AS txid, e.seq
          FROM ${this.t.commands} c
          JOIN ${this.t.events} e ON e.stream_id = c.stream_id AND e.revision = c.next_expected_revision
         WHERE (c.stream_id, c.command_id) IN (${withCommand.map((b) => `(${lit(b.streamId)}, ${lit(b.commandId!)})`).join(', ')});`;
      }
      const firstResults = (await client.query(first)) as unknown as QueryResult[];
      const heads = firstResults[1].rows as { stream_id: string; revision: string; last_hash: string }[];
      const head = new Map<string, { revision: number; hash: string }>();
      for (const r of heads) head.set(r.stream_id, { revision: Number(r.revision), hash: r.last_hash });
      const known = new Map<string, { revision: number; position: string }>();
      if (withCommand.length > 0) {
        for (const r of firstResults[2].rows as { stream_id: string; command_id: string; rev: string; txid: string; seq: string }[]) {
          known.set(commandKey(r.stream_id, r.command_id), { revision: Number(r.rev), position: encodePosition(r.txid, r.seq) });
        }
      }

      const recordedAt = this.clock().toISOString();
      const eventValues: string[] = [];
      const commandValues: string[] = [];
      const written = new Set<string>();
      type Plan = { kind: 'write'; last: number } | { kind: 'dup'; ref: string } | { kind: 'done'; result: AppendResult | Error };
      const plans: Plan[] = [];
      const inBatch = new Map<string, number>(); // command key -> index in batch of the append that writes it
      batch.forEach((p, index) => {
        const key = p.commandId !== undefined ? commandKey(p.streamId, p.commandId) : undefined;
        if (key !== undefined) {
          const prior = known.get(key);
          if (prior) {
            plans.push({
              kind: 'done',
              result: { streamId: p.streamId, nextExpectedRevision: prior.revision, position: prior.position, duplicate: true },
            });
            return;
          }
          if (inBatch.has(key)) {
            plans.push({ kind: 'dup', ref: key });
            return;
          }
        }
        const h = head.get(p.streamId)!;
        try {
          assertExpectedRevision(p.streamId, p.expectedRevision, h.revision);
        } catch (conflict) {
          plans.push({ kind: 'done', result: conflict as Error });
          return;
        }
        const streamLit = lit(p.streamId);
        for (const e of sealEvents(p, h.revision, h.hash, recordedAt)) {
          eventValues.push(
            `(${streamLit}, ${e.revision}, ${lit(e.type)}, ${lit(e.dataJson)}::json, ${lit(e.metadataJson)}::json, '${recordedAt}', '${e.hash}', '${e.prevHash}')`,
          );
          h.revision = e.revision;
          h.hash = e.hash;
        }
        written.add(p.streamId);
        if (key !== undefined) {
          inBatch.set(key, index);
          commandValues.push(`(${streamLit}, ${lit(p.commandId!)}, ${h.revision})`);
        }
        plans.push({ kind: 'write', last: h.revision });
      });

      const positions = new Map<string, string>(); // "stream\0revision" of last events -> position

      if (eventValues.length > 0) {
        const streamValues = [...written].map((id) => `(${lit(id)}, ${head.get(id)!.revision}, '${head.get(id)!.hash}')`);
        // A VALUES list keeps its order, so seq follows revision order inside a stream.
        const write = `WITH ev AS (
             INSERT INTO ${this.t.events} (stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash)
             VALUES ${eventValues.join(',\n')}
             RETURNING stream_id, revision, seq, transaction_id::text AS txid
           )${
             commandValues.length > 0
               ? `, cmd AS (INSERT INTO ${this.t.commands} (stream_id, command_id, next_expected_revision) VALUES ${commandValues.join(', ')})`
               : ''
           }, st AS (
             UPDATE ${this.t.streams} AS s SET revision = u.r, last_hash = u.h
               FROM (VALUES ${streamValues.join(', ')}) AS u(id, r, h)
              WHERE s.stream_id = u.id
           ), n AS (SELECT pg_notify('${this.channel}', '') AS x)
           SELECT ev.*, (SELECT x FROM n) AS notified FROM ev;`;
        let rows: { stream_id: string; revision: string; seq: string; txid: string }[];
        if (this.beforeCommit) {
          rows = (await client.query(write)).rows;
          await this.beforeCommit({ transactionId: rows[0].txid, streamIds });
          await client.query('COMMIT');
        } else {
          const results = (await client.query(`${write}\nCOMMIT;`)) as unknown as QueryResult[];
          rows = results[0].rows;
        }
        for (const r of rows) {
          positions.set(`${r.stream_id}\u0000${r.revision}`, encodePosition(r.txid, r.seq));
        }
      } else {
        await client.query('COMMIT');
      }

      // Committed: every head read or written under the locks is now the stream's latest.
      for (const [id, h] of head) this.rememberHead(id, h.revision, h.hash);
      const results: (AppendResult | Error)[] = [];
      plans.forEach((plan, i) => {
        const p = batch[i];
        if (plan.kind === 'done') results.push(plan.result);
        else if (plan.kind === 'write') {
          results.push({
            streamId: p.streamId,
            nextExpectedRevision: plan.last,
            position: positions.get(`${p.streamId}\u0000${plan.last}`)!,
            duplicate: false,
          });
        } else {
          const original = results[inBatch.get(plan.ref)!] as AppendResult;
          results.push({ ...original, duplicate: true });
        }
      });
      return results;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        client.release(true);
        released = true;
      }
      throw err;
    } finally {
      if (!released) client.release();
    }
  }

  // ---------------------------------------------------------------- reads

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const where = ['stream_id = $1'];
    const values: unknown[] = [streamId];
    if (options.fromRevision !== undefined) {
      values.push(options.fromRevision);
      where.push(`revision ${backwards ? '<=' : '>='} $${values.length}`);
    }
    if (options.toRevision !== undefined) {
      values.push(options.toRevision);
      where.push(`revision ${backwards ? '>=' : '<='} $${values.length}`);
    }
    if (options.recordedAtOrBefore !== undefined) {
      values.push(normaliseInstant(options.recordedAtOrBefore));
      where.push(`recorded_at <= $${values.length}::timestamptz`);
    }
    let limit = '';
    if (options.maxCount !== undefined) {
      values.push(options.maxCount);
      limit = `LIMIT $${values.length}`;
    }
    const rows = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.t.events} WHERE ${where.join(' AND ')}
        ORDER BY revision ${backwards ? 'DESC' : 'ASC'} ${limit}`,
      values,
    );
    return rows.map(toRecorded);
  }

  async streamRevision(streamId: string): Promise<number> {
    const rows = await this.query<{ revision: string }>(`SELECT revision FROM ${this.t.streams} WHERE stream_id = $1`, [
      streamId,
    ]);
    return rows.length ? Number(rows[0].revision) : -1;
  }

  /**
   * The global log in commit-consistent order. Only rows written by transactions older than every
   * transaction still in flight (`transaction_id < xmin` of the current snapshot) are returned, ordered by
   * (transaction_id, seq): a transaction that commits later always has a transaction id at or above that
   * xmin, so it sorts after everything already returned and no reader ever passes it.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? DEFAULT_READ_ALL_BATCH;
    let rows: EventRow[];
    if (options.after === undefined) {
      rows = await this.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${this.t.events}
          WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY transaction_id, seq LIMIT $1`,
        [limit],
      );
    } else {
      const after = decodePosition(options.after);
      rows = await this.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${this.t.events}
          WHERE (transaction_id, seq) > ($1::text::xid8, $2::bigint)
            AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY transaction_id, seq LIMIT $3`,
        [after.transactionId, after.seq, limit],
      );
    }
    return rows.map(toRecorded);
  }

  async headPosition(): Promise<string | undefined> {
    const rows = await this.query<{ txid: string; seq: string }>(
      `SELECT transaction_id::text AS txid, seq FROM ${this.t.events}
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id DESC, seq DESC LIMIT 1`,
    );
    return rows.length ? encodePosition(rows[0].txid, rows[0].seq) : undefined;
  }

  // ---------------------------------------------------------------- subscriptions

  private signalCommit(): void {
    this.generation++;
    for (const wake of [...this.wakeups]) wake();
  }

  /** LISTEN on the schema's channel so commits of other processes wake subscribers at once. */
  private ensureListener(): void {
    if (this.listener || this.listenerPromise || this.closed) return;
    const client = new Client({ connectionString: this.options.connectionString });
    this.listenerPromise = (async () => {
      try {
        await client.connect();
        client.on('notification', () => this.signalCommit());
        client.on('error', () => {
          // Polling keeps subscribers going; a later subscribe re-establishes LISTEN.
          if (this.listener === client) this.listener = undefined;
        });
        await client.query(`LISTEN "${this.channel}"`);
        if (this.closed) await client.end();
        else this.listener = client;
      } catch {
        await client.end().catch(() => undefined);
      } finally {
        this.listenerPromise = undefined;
      }
    })();
  }

  subscribeToAll(handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    const batchSize = options.batchSize ?? DEFAULT_READ_ALL_BATCH;
    let stopped = false;
    let wake: (() => void) | undefined;
    const stop = () => {
      stopped = true;
      wake?.();
    };
    options.signal?.addEventListener('abort', stop, { once: true });
    if (options.signal?.aborted) stopped = true;
    this.ensureListener();

    const loop = async () => {
      let checkpoint = options.after;
      while (!stopped) {
        const seen = this.generation;
        const events = await this.readAll({ after: checkpoint, maxCount: batchSize });
        if (stopped) return;
        if (events.length > 0) {
          await handler(events);
          checkpoint = events[events.length - 1].position;
          if (events.length === batchSize) continue;
        }
        if (this.generation !== seen) continue; // a commit landed while we read
        await waitForWake(this.pollIntervalMs, (done) => {
          wake = done;
          this.wakeups.add(done);
          return () => {
            this.wakeups.delete(done);
            wake = undefined;
          };
        });
      }
    };
    const done = loop();
    const subscription: Subscription = {
      done,
      close: async () => {
        stop();
        await done.catch(() => undefined);
        this.subscriptions.delete(subscription);
      },
    };
    done.catch(() => undefined).finally(() => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    return subscription;
  }

  // ---------------------------------------------------------------- metadata, health

  async setStreamMetadata(streamId: string, metadata: StreamMetadata): Promise<void> {
    const json = prepareStreamMetadata(streamId, metadata, { maxEventBytes: this.maxEventBytes });
    await this.query(
      `INSERT INTO ${this.t.meta} (stream_id, metadata) VALUES ($1, $2::json)
       ON CONFLICT (stream_id) DO UPDATE SET metadata = excluded.metadata, updated_at = now()`,
      [streamId, json],
    );
  }

  async getStreamMetadata(streamId: string): Promise<StreamMetadata | undefined> {
    const rows = await this.query<{ metadata: StreamMetadata }>(`SELECT metadata FROM ${this.t.meta} WHERE stream_id = $1`, [
      streamId,
    ]);
    return rows[0]?.metadata;
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (err) {
      throw mapPgError(err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.draining) await this.draining;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    while (this.listenerPromise) await this.listenerPromise;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
    await this.pool.end();
  }

  /** Drops the store's schema with everything in it (tests). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(this.schema)} CASCADE`);
  }
}

/** Most events one one-statement append carries (7 bind parameters each, 65535 at most). */
const MAX_FAST_EVENTS = 1000;

/** Heads remembered for the one-statement path (about 200 bytes each). */
const MAX_CACHED_HEADS = 10_000;

/** Whether an append's expected revision accepts a stream whose head is `revision` (-1: none). */
function expectationHolds(p: PreparedAppend, revision: number): boolean {
  const x = p.expectedRevision;
  return x === 'any' || (x === 'no_stream' ? revision === -1 : x === 'stream_exists' ? revision >= 0 : x === revision);
}

function commandKey(streamId: string, commandId: string): string {
  return `${streamId}\u0000${commandId}`;
}

export function createPostgresEventStore(options: PostgresEventStoreOptions): PostgresEventStore {
  return new PostgresEventStore(options);
}
