/**
 * The quarantine of events a consumer of the log could not process (an event the current code cannot
 * read, or a read-model row derived from one): the consumer sets it aside with the reason, moves its
 * checkpoint past it and carries on with every other event. One table, `event_quarantine`, in the database
 * that holds the consumer's checkpoint (the read models for the SLA projection, the alerts database for the
 * deadline watcher), written in the same transaction as that checkpoint: a batch and the events it set
 * aside commit or roll back together, so each is quarantined exactly once.
 *
 * Keyed by consumer, stream and revision (a global position names the same event): recording it again (a
 * restart that re-reads a batch, a rebuild of the same projection version, a second watcher) is a no-op
 * that keeps the first sighting, and `recordQuarantined` returns only the rows it inserted, so a caller
 * reports (logs, counts, alerts) each one once.
 *
 * Read through the `QuarantineReader` port (`QUARANTINE` in the API): `sqlQuarantine(db)` over one
 * database, `mergedQuarantine` over several (the read models and the alerts database), in log order.
 */
import type { Dialect, SqlExecutor } from '../sql/driver';

/** Something a consumer set aside: one event of the log (or the read-model row it came from). */
export interface QuarantinedEvent {
  /** Who could not process it: `sla_v3` (the SLA projection), `alerts_v1`, `alert-schedule`, `deadline-process`. */
  consumer: string;
  streamId: string;
  revision: number;
  /** Global log position of the event ('' when a row's event could not be found). */
  position: string;
  eventType: string;
  /** The error, as the consumer saw it. */
  reason: string;
  /** When it was first set aside (ISO-8601); a repeat keeps it. */
  firstSeenAt: string;
}

export type QuarantineCandidate = Omit<QuarantinedEvent, 'firstSeenAt'>;

/** Called with what was newly quarantined, after it committed (log, metric, operator signal). */
export type QuarantineListener = (entries: readonly QuarantinedEvent[]) => void;

export interface QuarantineQuery {
  consumer?: string;
  /** 1..500. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface QuarantinePage {
  items: QuarantinedEvent[];
  nextCursor: string | null;
}

/** The port the API and the CLI read the quarantine through. */
export interface QuarantineReader {
  /** In log order (position, then consumer, stream, revision), keyset-paged. */
  list(q: QuarantineQuery): Promise<QuarantinePage>;
  /** Rows per consumer. */
  counts(): Promise<Record<string, number>>;
}

/** DI token of the `QuarantineReader` (the API binds the read models' and the alerts database's). */
export const QUARANTINE = Symbol.for('motcua.Quarantine');

/**
 * A bad value as a quarantine reason shows it (reasons are logged and listed to admins): a short token without
 * spaces (an instant, a code) quoted, anything else only by its kind, so no personal data a malformed event
 * might carry is copied into a reason.
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return /^[0-9A-Za-z:+.\-_]{1,40}$/.test(v) ? JSON.stringify(v) : `a string of ${v.length} characters`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? 'an array' : `an ${typeof v}`;
}

/** A cursor that is not one this reader gave out. */
export class InvalidQuarantineCursorError extends Error {}

export const QUARANTINE_TABLE = 'event_quarantine';

/** Reasons are error messages: bounded, so a huge message cannot bloat the table. */
const MAX_REASON = 2000;

/** Positions are decimal integers of any size: a fixed-width key sorts them as text. */
function posKey(position: string): string {
  return position.padStart(40, '0');
}

/** Text columns compared byte by byte in both dialects (PostgreSQL's default collation is the locale's). */
const bytewise = (dialect: Dialect) => (dialect === 'postgres' ? ' COLLATE "C"' : '');

export async function createQuarantineTable(db: SqlExecutor): Promise<void> {
  const c = bytewise(db.dialect);
  const t = db.table(QUARANTINE_TABLE);
  await db.exec(`
    CREATE TABLE IF NOT EXISTS ${t} (
      consumer TEXT${c} NOT NULL,
      stream_id TEXT${c} NOT NULL,
      revision BIGINT NOT NULL,
      position TEXT NOT NULL,
      pos_key TEXT${c} NOT NULL,
      event_type TEXT NOT NULL,
      reason TEXT NOT NULL,
      first_seen_at BIGINT NOT NULL,
      PRIMARY KEY (consumer, stream_id, revision)
    );
    CREATE INDEX IF NOT EXISTS event_quarantine_log_order ON ${t} (pos_key, consumer, stream_id, revision);`);
}

/**
 * Inserts the candidates not yet quarantined for their consumer (inside the caller's transaction, with its
 * checkpoint); returns the rows inserted, the ones to report.
 */
export async function recordQuarantined(tx: SqlExecutor, candidates: readonly QuarantineCandidate[], now = Date.now()): Promise<QuarantinedEvent[]> {
  const inserted: QuarantinedEvent[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const key = `${c.consumer}\u0000${c.streamId}\u0000${c.revision}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const reason = c.reason.length > MAX_REASON ? c.reason.slice(0, MAX_REASON - 1) + '…' : c.reason;
    const n = await tx.run(
      `INSERT INTO ${tx.table(QUARANTINE_TABLE)} (consumer, stream_id, revision, position, pos_key, event_type, reason, first_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (consumer, stream_id, revision) DO NOTHING`,
      [c.consumer, c.streamId, c.revision, c.position, posKey(c.position), c.eventType, reason, now],
    );
    if (n > 0) inserted.push({ ...c, reason, firstSeenAt: new Date(now).toISOString() });
  }
  return inserted;
}

/** Whether `consumer` has set aside the event at (stream, revision). */
export async function isQuarantined(db: SqlExecutor, consumer: string, streamId: string, revision: number): Promise<boolean> {
  const rows = await db.all(`SELECT 1 AS x FROM ${db.table(QUARANTINE_TABLE)} WHERE consumer = ? AND stream_id = ? AND revision = ?`, [
    consumer,
    streamId,
    revision,
  ]);
  return rows.length > 0;
}

/** The sort key of a row: log order, then consumer, stream and revision (a total order: the primary key is in it). */
type SortKey = [posKey: string, consumer: string, streamId: string, revision: number];

const keyOf = (e: QuarantinedEvent): SortKey => [posKey(e.position), e.consumer, e.streamId, e.revision];

/** Compares as the SQL does: text byte by byte (UTF-8), the revision as a number. */
function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < 3; i++) {
    const c = Buffer.compare(Buffer.from(a[i] as string), Buffer.from(b[i] as string));
    if (c !== 0) return c;
  }
  return a[3] - b[3];
}

function encodeCursor(k: SortKey): string {
  return Buffer.from(JSON.stringify(k)).toString('base64url');
}

function decodeCursor(cursor: string): SortKey {
  try {
    const k: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (
      Array.isArray(k) &&
      k.length === 4 &&
      typeof k[0] === 'string' &&
      /^\d{40}$/.test(k[0]) &&
      typeof k[1] === 'string' &&
      typeof k[2] === 'string' &&
      Number.isSafeInteger(k[3])
    ) {
      return k as SortKey;
    }
  } catch {
    /* not base64url JSON: refused below */
  }
  throw new InvalidQuarantineCursorError('cursor is not one this list gave out');
}

const clampLimit = (n: number) => Math.min(Math.max(Math.floor(n) || 1, 1), 500);

/** The quarantine of one database (the table is created on first use: the API may read before the worker wrote). */
export function sqlQuarantine(db: SqlExecutor): QuarantineReader {
  let ready: Promise<void> | undefined;
  const ensure = () =>
    (ready ??= createQuarantineTable(db).catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));
  return {
    async list(q) {
      await ensure();
      const limit = clampLimit(q.limit);
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (q.consumer !== undefined) {
        where.push('consumer = ?');
        params.push(q.consumer);
      }
      if (q.cursor) {
        const k = decodeCursor(q.cursor);
        where.push('(pos_key, consumer, stream_id, revision) > (?, ?, ?, ?)');
        params.push(...k);
      }
      const rows = await db.all<{
        consumer: string;
        stream_id: string;
        revision: number | string;
        position: string;
        event_type: string;
        reason: string;
        first_seen_at: number | string;
      }>(
        `SELECT consumer, stream_id, revision, position, event_type, reason, first_seen_at FROM ${db.table(QUARANTINE_TABLE)}
          ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY pos_key, consumer, stream_id, revision LIMIT ${limit + 1}`,
        params,
      );
      const items = rows.slice(0, limit).map((r) => ({
        consumer: r.consumer,
        streamId: r.stream_id,
        revision: Number(r.revision),
        position: r.position,
        eventType: r.event_type,
        reason: r.reason,
        firstSeenAt: new Date(Number(r.first_seen_at)).toISOString(),
      }));
      return { items, nextCursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1])) : null };
    },
    async counts() {
      await ensure();
      const rows = await db.all<{ consumer: string; n: number | string }>(
        `SELECT consumer, COUNT(*) AS n FROM ${db.table(QUARANTINE_TABLE)} GROUP BY consumer ORDER BY consumer`,
      );
      return Object.fromEntries(rows.map((r) => [r.consumer, Number(r.n)]));
    },
  };
}

/**
 * Several quarantines as one (the read models' and the alerts database's): each page is the first `limit`
 * rows of the union in log order, the cursor a position in that order, valid for every part.
 */
export function mergedQuarantine(parts: readonly QuarantineReader[]): QuarantineReader {
  return {
    async list(q) {
      const limit = clampLimit(q.limit);
      const pages = await Promise.all(parts.map((p) => p.list({ ...q, limit })));
      const all = pages.flatMap((p) => p.items).sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
      const items = all.slice(0, limit);
      const more = all.length > limit || pages.some((p) => p.nextCursor !== null);
      return { items, nextCursor: more && items.length > 0 ? encodeCursor(keyOf(items[items.length - 1])) : null };
    },
    async counts() {
      const out: Record<string, number> = {};
      for (const c of await Promise.all(parts.map((p) => p.counts()))) {
        for (const [consumer, n] of Object.entries(c)) out[consumer] = (out[consumer] ?? 0) + n;
      }
      // By consumer name, as one database's counts are.
      return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    },
  };
}
