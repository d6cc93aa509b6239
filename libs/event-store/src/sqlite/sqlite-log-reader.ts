/**
 * A bulk, read-only reader of a SQLite event store's global log for projections (rebuilds). It is
 * not part of the port: a projection replaying millions of events needs neither the metadata nor
 * the hash chain of each event, and `readAll` parses both. This reader opens its own read-only
 * connection to the file (so it can run in a worker thread beside the store's own connection) and
 * returns rows of `[position, stream_id, revision, type, data JSON]`: the caller parses `data` only
 * for the events it applies. Rows are raw arrays from one prepared statement: no object per event.
 */
import Database from 'better-sqlite3';
import type { EventStore } from '../port';
import { SqliteEventStore } from './sqlite-event-store';

/** `[position, streamId, revision, type, data as JSON text]`. */
export type LogRow = [number, string, number, string, string];

export interface SqliteLogReaderOptions {
  /** The event store's database file. */
  file: string;
  /** SQLite page cache of this connection in KiB (default 8 MiB): a sequential scan needs little. */
  cacheKiB?: number;
}

export class SqliteLogReader {
  private readonly db: Database.Database;
  private readonly stPage: Database.Statement;
  private readonly stPageTo: Database.Statement;
  private readonly stHead: Database.Statement;
  private readonly stReference: Database.Statement;

  constructor(o: SqliteLogReaderOptions) {
    this.db = new Database(o.file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma(`cache_size = -${Math.max(256, Math.floor(o.cacheKiB ?? 8192))}`);
    this.stPage = this.db.prepare(`SELECT position, stream_id, revision, type, data FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(true);
    this.stPageTo = this.db
      .prepare(`SELECT position, stream_id, revision, type, data FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`)
      .raw(true);
    this.stHead = this.db.prepare('SELECT MAX(position) FROM events').pluck(true);
    // The streams other than `dossier-*` (agencies, procedures: a few thousand events), found through
    // the stream index (two key ranges around the 'dossier-' prefix), not by scanning the log.
    this.stReference = this.db
      .prepare(
        `SELECT e.position, e.stream_id, e.revision, e.type, e.data FROM stream_keys k JOIN events e ON e.position = k.position
          WHERE (k.stream_id < 'dossier-' OR k.stream_id >= 'dossier.') AND typeof(k.key) = 'integer' AND k.position > ? AND k.position <= ?
          ORDER BY k.position LIMIT ?`,
      )
      .raw(true);
  }

  /**
   * Up to `maxCount` rows of the streams whose id does not start with `dossier-`, after position
   * `after` up to `upTo`, in log order (read through the stream index: no scan of the dossier events).
   */
  otherStreamsPage(after: number, maxCount: number, upTo: number): LogRow[] {
    return this.stReference.all(after, upTo, maxCount) as LogRow[];
  }

  /** Up to `maxCount` rows after position `after` (0 = from the start), up to `upTo` when given. */
  page(after: number, maxCount: number, upTo?: number): LogRow[] {
    return (upTo === undefined ? this.stPage.all(after, maxCount) : this.stPageTo.all(after, upTo, maxCount)) as LogRow[];
  }

  /** The position of the last event (0 when the log is empty). */
  head(): number {
    return (this.stHead.get() as number | null) ?? 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * The database file of a SQLite event store, when `store` is one on a file (not `:memory:`): a
 * projection rebuild may then read the log with `SqliteLogReader`s of its own. Undefined otherwise.
 */
export function sqliteEventStoreFile(store: EventStore): string | undefined {
  if (!(store instanceof SqliteEventStore)) return undefined;
  const name = (store['db'] as Database.Database).name;
  return name && name !== ':memory:' && !name.startsWith('file::memory:') ? name : undefined;
}
