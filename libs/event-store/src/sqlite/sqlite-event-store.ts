/**
 * The embedded event store: the port's adapter for one SQLite file, for a single machine (one API process
 * and its worker sharing the file). This file holds the schema and its migration, the group-committed
 * appends and the reads; subscriptions run the catch-up/live loop shared with the PostgreSQL adapter
 * (../subscription), woken by this store's own commits and by polling for other processes' writes.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CommandIdTakenError, EventStoreError, StoreFullError, StoreUnavailableError, WrongExpectedRevisionError } from '../errors';
import { GENESIS_HASH } from '../hash';
import { subscribeCatchUpLive } from '../subscription/catch-up-live';
import { CommitSignal } from '../subscription/commit-signal';
import {
  DEFAULT_READ_ALL_BATCH,
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamMetadata,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
  type Writability,
} from '../port';
import { SpaceTracker } from '../write-health';
import { assertExpectedRevision, prepareAppend, prepareStreamMetadata, sealEvents, validateStreamId, type PreparedAppend } from '../validation';

export interface SqliteEventStoreOptions {
  /** Database file; `:memory:` works but tests should use real files. */
  file: string;
  /** Ceiling of one event's canonical data + metadata JSON, in UTF-8 bytes (default 256 KiB). */
  maxEventBytes?: number;
  /**
   * How often an idle subscriber looks for events written by another process on the same file
   * (appends through this store wake it at once). Default 100 ms.
   */
  pollIntervalMs?: number;
  /** How long a writer waits for another connection's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Source of `recordedAt` (default the system clock); tests inject one to record events at chosen instants. */
  clock?: () => Date;
  /**
   * Below this many bytes of room (free space of the file's file system, capped by the connection's
   * max_page_count) `writability()` reports `low_disk_space`. Default DEFAULT_MIN_FREE_BYTES; 0: not measured.
   */
  minFreeBytes?: number;
}

/** Default room below which the store reports itself not writable (64 MiB: a WAL checkpoint needs room too). */
export const DEFAULT_MIN_FREE_BYTES = 64 * 1024 * 1024;

/**
 * Schema version 3 (PRAGMA user_version). What an append costs in WAL mode is mostly the b-tree pages
 * its commit writes, so the layout keeps them few:
 * - events: the log, keyed by position (the rowid). No AUTOINCREMENT: events are never deleted (the
 *   triggers), so rowids are never reused anyway, and AUTOINCREMENT would write sqlite_sequence on
 *   every commit.
 * - stream_keys: ONE b-tree per stream for both of its unique keys: its revisions (INTEGER key) and its
 *   command ids (TEXT key 'c:' || command id; never a well-formed number, so INTEGER affinity leaves
 *   it text, and every text sorts after every integer). (stream_id, revision) and (stream_id, command)
 *   are unique through the primary key, and a dossier's revision and command entries share a leaf page:
 *   a single-event append with a command id dirties two pages (log tail, stream's leaf), not four
 *   (log tail, sqlite_sequence, revision index, commands table) as in version 1. A trigger on events
 *   writes them, so an append costs one statement per event.
 * - streams: stream metadata. A stream's head is not copied here: it is its highest revision key.
 * - command_claims (version 3): the command ids appended with `commandIdScope: 'store'`, each with the one
 *   stream it names, written in the append's transaction. Other command ids are not in it: their appends
 *   neither read nor write it.
 * Version 1 files (events with UNIQUE (stream_id, revision), commands table) are migrated on open:
 * stream_keys is filled from them; their extra index and table stay, unused. Version 2 files get the
 * (empty) command_claims table.
 */
const SCHEMA_VERSION = 3;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  hash        TEXT    NOT NULL,
  prev_hash   TEXT    NOT NULL,
  command_id  TEXT             -- on the last event of an append made with a command id
);
CREATE TABLE IF NOT EXISTS stream_keys (
  stream_id TEXT    NOT NULL,
  key       INTEGER NOT NULL, -- revision, or 'c:' || command id (text)
  position  INTEGER NOT NULL, -- the event; for a command, the last event it wrote
  PRIMARY KEY (stream_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS streams (
  stream_id TEXT PRIMARY KEY,
  metadata  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS command_claims (
  command_id TEXT PRIMARY KEY,
  stream_id  TEXT NOT NULL
) WITHOUT ROWID;
-- Every event row claims its keys in the same step (one call per event instead of two or three), and a
-- row inserted by any other writer is held to the same uniqueness.
CREATE TRIGGER IF NOT EXISTS events_keys AFTER INSERT ON events BEGIN
  INSERT INTO stream_keys (stream_id, key, position) VALUES (new.stream_id, new.revision, new.position);
  INSERT INTO stream_keys (stream_id, key, position)
    SELECT new.stream_id, 'c:' || new.command_id, new.position WHERE new.command_id IS NOT NULL;
END;
-- Append-only. These stop mistakes, not an attacker with the file: the hash chain detects those.
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
`;
/** An append waiting for its group commit, and then its outcome. */
interface PendingAppend {
  prepared: PreparedAppend;
  result?: AppendResult;
  error?: unknown;
  done: (p: PendingAppend) => void;
}

/** Revision keys are the integers of stream_keys: `key BETWEEN 0 AND MAX_REVISION` never matches a command key. */
const MAX_REVISION = Number.MAX_SAFE_INTEGER;

function commandKey(commandId: string): string {
  return `c:${commandId}`;
}

function migrate(db: Database.Database): void {
  if ((db.pragma('user_version', { simple: true }) as number) >= SCHEMA_VERSION) return;
  db.transaction(() => {
    if ((db.pragma('user_version', { simple: true }) as number) >= SCHEMA_VERSION) return; // another process did it
    const has = (name: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    const legacy = has('events') && !has('stream_keys');
    db.exec(SCHEMA);
    if (legacy) {
      db.exec('INSERT INTO stream_keys (stream_id, key, position) SELECT stream_id, revision, position FROM events');
      if (has('commands')) {
        db.exec("INSERT INTO stream_keys (stream_id, key, position) SELECT stream_id, 'c:' || command_id, position FROM commands");
      }
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

const EVENT_COLUMNS = 'position, stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash';
const E_COLUMNS = 'e.position, e.stream_id, e.revision, e.type, e.data, e.metadata, e.recorded_at, e.hash, e.prev_hash';
type EventRow = [number, string, number, string, string, string, string, string, string];

function toRecorded(r: EventRow): RecordedEvent {
  return {
    streamId: r[1],
    revision: r[2],
    position: String(r[0]),
    type: r[3],
    data: JSON.parse(r[4]) as Record<string, unknown>,
    metadata: JSON.parse(r[5]) as EventMetadata,
    recordedAt: r[6],
    hash: r[7],
    prevHash: r[8],
  };
}

function parsePosition(p: string | undefined): number {
  if (p === undefined) return 0;
  if (!/^\d+$/.test(p)) throw new EventStoreError('INVALID_POSITION', `not a position: ${JSON.stringify(p)}`);
  return Number(p);
}

function normaliseInstant(s: string): string {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new EventStoreError('INVALID_INSTANT', `not an ISO-8601 instant: ${JSON.stringify(s)}`);
  return new Date(t).toISOString();
}

/** Engine errors the caller may retry (lock held by another process, disk full, I/O) become StoreUnavailableError. */
function translate(err: unknown): unknown {
  if (err instanceof EventStoreError) return err;
  const code = (err as { code?: string })?.code;
  if (typeof code === 'string' && /^SQLITE_FULL/.test(code)) return new StoreFullError(`sqlite: ${(err as Error).message}`, err);
  if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL)/.test(code)) {
    return new StoreUnavailableError(`sqlite: ${(err as Error).message}`, err);
  }
  // (not `instanceof TypeError`: the native module's TypeError may come from another realm, e.g. under jest)
  if ((err as Error)?.name === 'TypeError' && /connection is not open/.test((err as Error).message)) {
    return new StoreUnavailableError('sqlite: the store is closed', err);
  }
  return err;
}

/**
 * The embedded event store: one SQLite file in WAL mode. better-sqlite3 is synchronous, so the
 * appends of one event-loop turn are one BEGIN IMMEDIATE transaction (group commit, one savepoint
 * each) that cannot interleave with another of this process; when another process holds the file's
 * write lock, the batch tries again a few milliseconds later, the event loop free meanwhile (SQLite's
 * own busy handler would sleep the whole process). Positions are the rowid: writers are serialised, so
 * positions become visible in order and a subscriber can never pass an event that commits later
 * with a lower position.
 */
export class SqliteEventStore implements EventStore {
  readonly engine = 'sqlite' as const;
  readonly storeScopedCommandIds = true;
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly minFreeBytes: number;
  /** The outcome of this store's appends, for writability(). */
  private readonly space = new SpaceTracker();
  private readonly maxEventBytes: number | undefined;
  private readonly pollIntervalMs: number;
  private readonly clock: () => Date;
  /** Commits of this store that wrote events: they wake its subscribers at once. */
  private readonly commits = new CommitSignal();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  private readonly stHead: Database.Statement;
  private readonly stCommand: Database.Statement;
  private readonly stInsert: Database.Statement;
  private readonly stRevision: Database.Statement;
  private readonly stReadAll: Database.Statement;
  private readonly stHeadPosition: Database.Statement;
  private readonly stSetMeta: Database.Statement;
  private readonly stGetMeta: Database.Statement;
  private readonly stPing: Database.Statement;
  private readonly stClaim: Database.Statement;
  private readonly stInsertClaim: Database.Statement;
  private readonly stPages: Database.Statement;
  private readonly readStreamStatements = new Map<string, Database.Statement>();
  private readonly appendBatchTx: (batch: PendingAppend[]) => void;
  /** Appends waiting for the next group commit (see append). */
  private pending: PendingAppend[] = [];
  /** How long appends wait for another process's write lock before they fail (`busyTimeoutMs`). */
  private readonly busyTimeoutMs: number;
  /** Consecutive tries of the waiting batch that found the write lock taken, and when the first did. */
  private busyTries = 0;
  private busySince = 0;
  /** busy_timeout off around an append batch's BEGIN IMMEDIATE, and back (prepared once: the batch is a hot path). */
  private readonly stBusyOff: Database.Statement;
  private readonly stBusyOn: Database.Statement;

  constructor(options: SqliteEventStoreOptions) {
    this.maxEventBytes = options.maxEventBytes;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.clock = options.clock ?? (() => new Date());
    this.file = options.file;
    this.minFreeBytes = Math.max(0, Math.floor(options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES));
    try {
      this.db = new Database(options.file);
    } catch (err) {
      throw translate(err);
    }
    const db = this.db;
    this.busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL: a commit survives a process crash; a power loss may lose the last commits but
    // never corrupts the file (https://www.sqlite.org/pragma.html#pragma_synchronous).
    db.pragma('synchronous = NORMAL');
    migrate(db);

    // Head: the highest revision key and its event's hash. Two plain lookups measure cheaper than one
    // statement joining both (its LEFT JOINs on a materialised subquery cost more than a second step).
    this.stHead = db
      .prepare(
        `SELECT k.key, e.hash FROM stream_keys k CROSS JOIN events e ON e.position = k.position
          WHERE k.stream_id = ? AND k.key BETWEEN 0 AND ${MAX_REVISION} ORDER BY k.key DESC LIMIT 1`,
      )
      .raw(true);
    // A recorded command: revision and position of the last event it wrote.
    this.stCommand = db
      .prepare('SELECT e.revision, k.position FROM stream_keys k CROSS JOIN events e ON e.position = k.position WHERE k.stream_id = ? AND k.key = ?')
      .raw(true);
    // The events_keys trigger adds the stream_keys rows (revision; command id on the last event).
    this.stInsert = db.prepare(
      `INSERT INTO events (stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash, command_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.stRevision = db.prepare(`SELECT key FROM stream_keys WHERE stream_id = ? AND key BETWEEN 0 AND ${MAX_REVISION} ORDER BY key DESC LIMIT 1`).pluck(true);
    this.stReadAll = db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true);
    this.stHeadPosition = db.prepare('SELECT MAX(position) FROM events').pluck(true);
    this.stSetMeta = db.prepare(
      `INSERT INTO streams (stream_id, metadata) VALUES (?, ?)
       ON CONFLICT (stream_id) DO UPDATE SET metadata = excluded.metadata`,
    );
    this.stGetMeta = db.prepare('SELECT metadata FROM streams WHERE stream_id = ?').pluck(true);
    this.stPing = db.prepare('SELECT 1').pluck(true);
    this.stClaim = db.prepare('SELECT stream_id FROM command_claims WHERE command_id = ?').pluck(true);
    this.stInsertClaim = db.prepare('INSERT OR IGNORE INTO command_claims (command_id, stream_id) VALUES (?, ?)');
    // The room the connection may still fill: its page limit (per connection) and the free pages inside the file.
    this.stPages = db
      .prepare(
        'SELECT p.page_size, c.page_count, m.max_page_count, f.freelist_count FROM pragma_page_size p, pragma_page_count c, pragma_max_page_count m, pragma_freelist_count f',
      )
      .raw(true);
    this.stBusyOff = db.prepare('PRAGMA busy_timeout = 0');
    this.stBusyOn = db.prepare(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`);

    // One append: a SAVEPOINT inside the batch's transaction (better-sqlite3 nests transactions that way), so
    // an append that fails rolls back alone and the others of its batch still commit.
    const appendOne = db.transaction((a: PreparedAppend): AppendResult => this.appendLocked(a));
    const appendBatch = db.transaction((batch: PendingAppend[]) => {
      for (const p of batch) {
        try {
          p.result = appendOne(p.prepared);
        } catch (err) {
          // SQLite ended the whole transaction (I/O error, disk full…): nothing of the batch stays; all fail.
          if (!db.inTransaction) throw err;
          p.error = err;
        }
      }
    });
    // BEGIN IMMEDIATE: take the write lock before reading the stream heads, so that two processes
    // cannot both read revision N and both decide they may write N+1.
    this.appendBatchTx = appendBatch.immediate;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('sqlite: the store is closed');
  }

  private appendLocked(a: PreparedAppend): AppendResult {
    if (a.commandId !== undefined) {
      const dup = this.stCommand.get(a.streamId, commandKey(a.commandId)) as [number, number] | undefined;
      if (dup) return { streamId: a.streamId, nextExpectedRevision: dup[0], position: String(dup[1]), duplicate: true };
      if (a.commandIdScope === 'store') {
        const owner = this.stClaim.get(a.commandId) as string | undefined;
        if (owner !== undefined && owner !== a.streamId) throw new CommandIdTakenError(a.streamId, a.commandId, owner);
      }
    }
    const [revision, lastHash] = (this.stHead.get(a.streamId) as [number, string] | undefined) ?? [null, null];
    const current = revision ?? -1;
    assertExpectedRevision(a.streamId, a.expectedRevision, current);
    const sealed = sealEvents(a, current, lastHash ?? GENESIS_HASH, this.clock().toISOString());
    let position = 0;
    const lastIndex = sealed.length - 1;
    for (let i = 0; i <= lastIndex; i++) {
      const e = sealed[i];
      const commandId = i === lastIndex ? (a.commandId ?? null) : null;
      position = Number(
        this.stInsert.run(a.streamId, e.revision, e.type, e.dataJson, e.metadataJson, e.recordedAt, e.hash, e.prevHash, commandId).lastInsertRowid,
      );
    }
    if (a.commandIdScope === 'store') this.stInsertClaim.run(a.commandId, a.streamId);
    const last = sealed[lastIndex];
    return { streamId: a.streamId, nextExpectedRevision: last.revision, position: String(position), duplicate: false };
  }

  /**
   * Group commit: the appends of one event-loop turn (concurrent requests) are written in ONE immediate
   * transaction at the end of the turn (setImmediate), each in its own savepoint, in call order. Each keeps its
   * own checks and answer: its expected revision against the head as the appends before it in the batch left
   * it, its command id, its own error (only its savepoint is rolled back). A commit costs what its WAL frames
   * cost, and concurrent receipts touch the same log tail pages: one commit for many appends is most of the
   * saving. A caller's promise settles only after the commit, so read-your-writes holds as before.
   */
  async append(streamId: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    const prepared = prepareAppend(streamId, events, options, { maxEventBytes: this.maxEventBytes });
    const p = await new Promise<PendingAppend>((resolve) => {
      if (this.pending.length === 0) setImmediate(() => this.flushAppends());
      this.pending.push({ prepared, done: resolve });
    });
    if (p.error !== undefined) {
      const err = p.error;
      this.space.failed(err);
      const code = (err as { code?: string })?.code;
      // Unreachable while every writer goes through BEGIN IMMEDIATE; kept so that a foreign writer
      // racing on the file still surfaces as a concurrency conflict, not a raw constraint error.
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new WrongExpectedRevisionError(streamId, prepared.expectedRevision, await this.streamRevision(streamId));
      }
      throw translate(err);
    }
    if (!p.result!.duplicate) this.space.succeeded();
    return p.result!;
  }

  /** Writes the waiting appends in one transaction; every caller is told its own outcome after the commit. */
  private flushAppends(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      if (this.closed) throw new StoreUnavailableError('sqlite: the store is closed');
      // No busy wait inside SQLite for the write lock: its busy handler sleeps the thread, and with it
      // every request of this process. The lock is asked for once; when another process holds it, the
      // batch goes back in front of the queue (appends made meanwhile join it behind, in call order)
      // and is tried again from a timer.
      this.stBusyOff.get();
      try {
        this.appendBatchTx(batch);
      } finally {
        this.stBusyOn.get();
      }
      this.busyTries = 0;
    } catch (err) {
      const busy = /^SQLITE_BUSY/.test(String((err as { code?: unknown })?.code)) && !this.db.inTransaction;
      const now = performance.now();
      if (this.busyTries === 0) this.busySince = now;
      if (busy && !this.closed && now - this.busySince < this.busyTimeoutMs) {
        for (const p of batch) {
          p.result = undefined;
          p.error = undefined;
        }
        this.pending = batch.concat(this.pending);
        // 1, 2, 4 then 4 ms: a writer holds the lock for about a millisecond per batch.
        setTimeout(() => this.flushAppends(), Math.min(4, 2 ** this.busyTries++));
        return;
      }
      this.busyTries = 0;
      // BEGIN or COMMIT failed (lock not obtained within busy_timeout, disk full, I/O): nothing was written.
      for (const p of batch) {
        p.result = undefined;
        p.error = err;
      }
    }
    if (batch.some((p) => p.result && !p.result.duplicate)) this.commits.notify();
    for (const p of batch) p.done(p);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    validateStreamId(streamId);
    const backwards = options.direction === 'backwards';
    const { fromRevision, toRevision, recordedAtOrBefore, maxCount } = options;
    if (maxCount !== undefined && maxCount <= 0) return [];
    // forwards: fromRevision is the lowest, toRevision the highest; backwards the other way round.
    const low = (backwards ? toRevision : fromRevision) ?? 0;
    const high = (backwards ? fromRevision : toRevision) ?? MAX_REVISION;
    if (low > high) return [];
    const params: unknown[] = [streamId, Math.max(0, low), Math.min(MAX_REVISION, high)];
    let asOf = '';
    if (recordedAtOrBefore !== undefined) {
      asOf = ' AND e.recorded_at <= ?';
      params.push(normaliseInstant(recordedAtOrBefore));
    }
    params.push(maxCount ?? -1); // LIMIT -1: no limit
    // The stream's revision keys in order, each joined to its event (CROSS JOIN: keys drive the loop).
    const sql = `SELECT ${E_COLUMNS} FROM stream_keys k CROSS JOIN events e ON e.position = k.position
      WHERE k.stream_id = ? AND k.key BETWEEN ? AND ?${asOf} ORDER BY k.key ${backwards ? 'DESC' : 'ASC'} LIMIT ?`;
    try {
      let st = this.readStreamStatements.get(sql);
      if (!st) {
        st = this.db.prepare(sql).raw(true);
        this.readStreamStatements.set(sql, st);
      }
      return (st.all(...params) as EventRow[]).map(toRecorded);
    } catch (err) {
      throw translate(err);
    }
  }

  async streamRevision(streamId: string): Promise<number> {
    validateStreamId(streamId);
    try {
      return (this.stRevision.get(streamId) as number | null) ?? -1;
    } catch (err) {
      throw translate(err);
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.readAllSync(parsePosition(options.after), options.maxCount ?? DEFAULT_READ_ALL_BATCH);
  }

  private readAllSync(after: number, maxCount: number): RecordedEvent[] {
    if (maxCount <= 0) return [];
    try {
      const rows = this.stReadAll.all(after, maxCount) as EventRow[];
      const out: RecordedEvent[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = toRecorded(rows[i]);
      return out;
    } catch (err) {
      throw translate(err);
    }
  }

  async headPosition(): Promise<string | undefined> {
    try {
      const p = this.stHeadPosition.get() as number | null;
      return p === null ? undefined : String(p);
    } catch (err) {
      throw translate(err);
    }
  }

  /**
   * The shared catch-up/live loop (../subscription/catch-up-live.ts) over the log: an append of this store
   * wakes it at once, a write of another process on the same file at the next poll.
   */
  subscribeToAll(handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    parsePosition(options.after); // an invalid checkpoint fails here, not in the loop
    return subscribeCatchUpLive(
      {
        read: (after, maxCount) => this.readAllSync(parsePosition(after), maxCount),
        commits: this.commits,
        pollIntervalMs: this.pollIntervalMs,
        isOpen: () => !this.closed,
      },
      handler,
      options,
      this.subscriptions,
    );
  }

  async setStreamMetadata(streamId: string, metadata: StreamMetadata): Promise<void> {
    const json = prepareStreamMetadata(streamId, metadata, { maxEventBytes: this.maxEventBytes });
    try {
      this.stSetMeta.run(streamId, json);
    } catch (err) {
      throw translate(err);
    }
  }

  async getStreamMetadata(streamId: string): Promise<StreamMetadata | undefined> {
    validateStreamId(streamId);
    try {
      const json = this.stGetMeta.get(streamId) as string | null | undefined;
      return json == null ? undefined : (JSON.parse(json) as StreamMetadata);
    } catch (err) {
      throw translate(err);
    }
  }

  async ping(): Promise<void> {
    try {
      this.stPing.get();
    } catch (err) {
      throw translate(err);
    }
  }

  /**
   * The outcome of this store's appends and the room left: the free space of the file's file system (plus the
   * file's free pages), capped by what the connection's max_page_count still allows. Two cheap reads (a
   * statfs and four pragmas), no write.
   */
  async writability(): Promise<Writability> {
    let freeBytes: number;
    try {
      const [pageSize, pageCount, maxPageCount, freelist] = this.stPages.get() as [number, number, number, number];
      const byPageLimit = (maxPageCount - pageCount + freelist) * pageSize;
      let byDisk = Number.POSITIVE_INFINITY;
      if (this.file !== ':memory:' && this.file !== '') {
        const fs = statfsSync(dirname(this.file));
        byDisk = fs.bavail * fs.bsize + freelist * pageSize;
      }
      freeBytes = Math.max(0, Math.min(byPageLimit, byDisk));
    } catch (err) {
      throw translate(err);
    }
    if (!Number.isFinite(freeBytes)) return this.space.current();
    return this.space.measured(freeBytes, this.minFreeBytes);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Appends already accepted are written before the file is closed.
    this.flushAppends();
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.db.close();
  }
}

export async function createSqliteEventStore(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
  return new SqliteEventStore(options);
}
