/**
 * The PostgreSQL event store: the port's adapter for a server shared by several API and worker processes.
 * This file is the store itself (options, lazy schema creation, reads, stream metadata, health, close) and
 * wires the parts that live beside it:
 * - appends: validated here, queued for group commit (group-commit.ts) and written by appender.ts through
 *   the one-statement fast path (fast-write.ts) or the checked, row-locking path (checked-write.ts);
 * - subscriptions: the catch-up/live loop shared with the SQLite adapter (../subscription), woken by this
 *   store's own commits and by NOTIFYs of other processes (listener.ts);
 * - errors: engine errors become port errors (pg-errors.ts).
 * The global log is read in commit-consistent order (see readAll and positions.ts), so subscribers never
 * pass an event that commits later.
 */
import { Pool } from 'pg';
import { StoreUnavailableError } from '../errors';
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
  Writability,
} from '../port';
import { SpaceTracker } from '../write-health';
import { subscribeCatchUpLive } from '../subscription/catch-up-live';
import { CommitSignal } from '../subscription/commit-signal';
import { DEFAULT_MAX_EVENT_BYTES, prepareAppend, prepareStreamMetadata, type PreparedAppend } from '../validation';
import { PostgresAppender } from './appender';
import { HeadCache } from './head-cache';
import { NotificationListener } from './listener';
import { mapPgError } from './pg-errors';
import { decodePosition, encodePosition } from './positions';
import { EVENT_COLUMNS, normaliseInstant, toRecorded, type EventRow } from './rows';
import { quoteIdent, schemaDdl } from './schema';
import { StatementNames } from './statement-names';
import type { BeforeCommitHook, StoreTables } from './write-context';

export { mapPgError } from './pg-errors';

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
   * Test seam only: awaited inside each write transaction that writes events, just before COMMIT, with the
   * transaction id and the write path that runs it (both paths call it). Lets a test hold a transaction
   * open to provoke out-of-order commits.
   */
  beforeCommit?: BeforeCommitHook;
}

export class PostgresEventStore implements EventStore {
  readonly engine = 'postgres' as const;
  readonly storeScopedCommandIds = true;
  /** The outcome of this store's appends, for writability(): the server's disk cannot be measured from here. */
  private readonly space = new SpaceTracker();
  readonly schema: string;
  private readonly pool: Pool;
  private readonly t: StoreTables;
  private readonly maxEventBytes: number;
  private readonly pollIntervalMs: number;
  private initPromise?: Promise<void>;
  private closed = false;
  private readonly statements: StatementNames;
  private readonly appender: PostgresAppender;
  /** Commits seen (locally or by NOTIFY): subscribers compare it to avoid a lost wake-up. */
  private readonly commits = new CommitSignal();
  private readonly listener: NotificationListener;
  private readonly subscriptions = new Set<Subscription>();

  constructor(options: PostgresEventStoreOptions) {
    this.schema = options.schema ?? 'event_store';
    const s = quoteIdent(this.schema);
    this.t = { events: `${s}.events`, streams: `${s}.streams`, commands: `${s}.commands`, claims: `${s}.command_claims`, meta: `${s}.stream_metadata` };
    const channel = `es_${this.schema}`.slice(0, 63);
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
    this.statements = new StatementNames(this.schema);
    this.appender = new PostgresAppender(
      {
        pool: this.pool,
        tables: this.t,
        channel,
        clock: options.clock ?? (() => new Date()),
        heads: new HeadCache(),
        beforeCommit: options.beforeCommit,
        ready: () => this.init(),
        statementName: (text) => this.statements.name(text),
        signalCommit: () => this.commits.notify(),
      },
      options.maxBatchEvents ?? 1000,
    );
    this.listener = new NotificationListener(options.connectionString, channel, () => this.commits.notify());
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

  /** A recurring statement, named (prepared once per connection, then only bound and executed). */
  private async query<R extends object>(text: string, values?: unknown[]): Promise<R[]> {
    await this.init();
    try {
      const res = await this.pool.query({ name: this.statements.name(text), text, values });
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
      this.appender.enqueue({
        ...prepared,
        resolve: (r) => {
          if (!r.duplicate) this.space.succeeded();
          resolve(r);
        },
        reject: (e) => {
          this.space.failed(e);
          reject(e);
        },
      });
    });
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
    const rows = await this.query<{ revision: string }>(`SELECT revision FROM ${this.t.streams} WHERE stream_id = $1`, [streamId]);
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

  /** The shared catch-up/live loop over readAll; LISTEN makes other processes' commits wake it at once. */
  subscribeToAll(handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    if (!this.closed) this.listener.ensure();
    return subscribeCatchUpLive(
      {
        read: (after, maxCount) => this.readAll({ after, maxCount }),
        commits: this.commits,
        pollIntervalMs: this.pollIntervalMs,
      },
      handler,
      options,
      this.subscriptions,
    );
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
    const rows = await this.query<{ metadata: StreamMetadata }>(`SELECT metadata FROM ${this.t.meta} WHERE stream_id = $1`, [streamId]);
    return rows[0]?.metadata;
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (err) {
      throw mapPgError(err);
    }
  }

  /** The outcome of this store's appends (53100 disk_full marks it not writable; see ../write-health.ts). */
  async writability(): Promise<Writability> {
    return this.space.current();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.appender.idle();
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.listener.close();
    await this.pool.end();
  }

  /** Drops the store's schema with everything in it (tests). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(this.schema)} CASCADE`);
  }
}

export function createPostgresEventStore(options: PostgresEventStoreOptions): PostgresEventStore {
  return new PostgresEventStore(options);
}
