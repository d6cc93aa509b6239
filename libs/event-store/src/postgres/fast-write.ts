/**
 * The PostgreSQL adapter's fast write path: the common appends in ONE statement and one round trip (an
 * autocommit statement is its own transaction, so no BEGIN/COMMIT trips). It takes an append to a stream
 * whose head this store remembers (it wrote or locked it last, head-cache.ts) or that must not exist yet
 * (`no_stream`: a new dossier). The events are chained in JS onto that head; the statement moves the
 * stream row only if it still holds exactly that head (revision AND hash) and the command id is not yet
 * recorded, or creates it only if it is absent, and writes the events and commands of exactly the streams
 * it moved or created. A store-scoped command id (`commandIdScope: 'store'`) already claimed leaves its stream
 * alone (the checked path tells a retry from a reuse), and its claim is inserted with the events: a concurrent
 * claim of the same id fails the statement on the primary key, and the checked path decides again. An append it did not write (another process moved the stream, a duplicate, a
 * conflict, a stream not remembered, several appends to one stream in a batch) goes back to the appender,
 * which hands it to the checked path (checked-write.ts): same guarantees, one round trip instead of three
 * when nothing raced.
 */
import type { QueryConfig } from 'pg';
import { GENESIS_HASH } from '../hash';
import { sealEvents, type PreparedAppend } from '../validation';
import { encodePosition } from './positions';
import type { PendingAppend, WriteContext } from './write-context';

/** Most events one one-statement append carries (7 bind parameters each, 65535 at most). */
export const MAX_FAST_EVENTS = 1000;

/** Prepared statements kept for this many event counts (the common ones); larger counts go unnamed. */
const MAX_PREPARED_COUNTS = 64;

/** Whether an append's expected revision accepts a stream whose head is `revision` (-1: none). */
export function expectationHolds(p: PreparedAppend, revision: number): boolean {
  const x = p.expectedRevision;
  return x === 'any' || (x === 'no_stream' ? revision === -1 : x === 'stream_exists' ? revision >= 0 : x === revision);
}

type FastRow = { stream_id: string; revision: string; seq: string; txid: string };

export class FastWritePath {
  /** Statement text per event count (the common counts only). */
  private readonly sqlByCount = new Map<number, string>();

  constructor(private readonly ctx: WriteContext) {}

  /** Resolves the appends it wrote; returns the others, for the checked path. */
  async write(batch: PendingAppend[]): Promise<PendingAppend[]> {
    const { ctx } = this;
    const perStream = new Map<string, number>();
    for (const p of batch) perStream.set(p.streamId, (perStream.get(p.streamId) ?? 0) + 1);
    const fast: PendingAppend[] = [];
    const rest: PendingAppend[] = [];
    const g = {
      id: [] as string[],
      oldRev: [] as number[],
      oldHash: [] as string[],
      rev: [] as number[],
      hash: [] as string[],
      cmd: [] as (string | null)[],
      claim: [] as boolean[],
    };
    const eventParams: unknown[] = []; // 7 per event, in the order of sql()'s VALUES rows
    const recordedAt = ctx.clock().toISOString();
    for (const p of batch) {
      // Several appends to one stream in a batch chain onto each other: the checked path handles those.
      const head = ctx.heads.get(p.streamId);
      const single = perStream.get(p.streamId) === 1;
      // Bind parameters are limited (65535): very large batches take the checked path (inlined literals).
      const fits = eventParams.length / 7 + p.events.length <= MAX_FAST_EVENTS;
      const from =
        !single || !fits
          ? undefined
          : head !== undefined
            ? expectationHolds(p, head.revision)
              ? head
              : undefined
            : p.expectedRevision === 'no_stream'
              ? { revision: -1, hash: GENESIS_HASH }
              : undefined;
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
      g.claim.push(p.commandIdScope === 'store');
      fast.push(p);
    }
    if (fast.length === 0) return rest;
    await ctx.ready();
    const count = eventParams.length / 7;
    const text = this.sql(count);
    const query: QueryConfig = {
      // Prepared for the common event counts only, so that neither side keeps a statement per count.
      name: this.sqlByCount.has(count) ? ctx.statementName(text) : undefined,
      text,
      values: [g.id, g.oldRev, g.oldHash, g.rev, g.hash, g.cmd, recordedAt, g.claim, ...eventParams],
    };
    const rows = ctx.beforeCommit ? await this.writeHeld(query) : (await ctx.pool.query<FastRow>(query)).rows;
    const written = new Map(rows.map((r) => [r.stream_id, encodePosition(r.txid, r.seq)]));
    if (written.size > 0) ctx.signalCommit();
    fast.forEach((p, i) => {
      const position = written.get(p.streamId);
      if (position === undefined) {
        ctx.heads.forget(p.streamId);
        rest.push(p);
        return;
      }
      ctx.heads.remember(p.streamId, g.rev[i], g.hash[i]);
      p.resolve({ streamId: p.streamId, nextExpectedRevision: g.rev[i], position, duplicate: false });
    });
    return rest;
  }

  /**
   * The same statement inside BEGIN ... COMMIT on a connection of its own, with the test seam awaited
   * before COMMIT when the statement wrote events: a test can hold this path's transaction open, as it
   * can the checked path's. Only stores given `beforeCommit` take this detour.
   */
  private async writeHeld(query: QueryConfig): Promise<FastRow[]> {
    const client = await this.ctx.pool.connect();
    let released = false;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<FastRow>(query);
      if (rows.length > 0) {
        const streamIds = [...new Set(rows.map((r) => r.stream_id))].sort();
        await this.ctx.beforeCommit!({ transactionId: rows[0].txid, streamIds, path: 'fast' });
      }
      await client.query('COMMIT');
      return rows;
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

  /**
   * The one-statement append for `n` events (one prepared statement per event count). The events travel
   * as a multi-row VALUES list of bind parameters, measurably cheaper than arrays (no array literal to
   * build in JS and parse on the server).
   */
  private sql(n: number): string {
    let text = this.sqlByCount.get(n);
    if (text !== undefined) return text;
    const t = this.ctx.tables;
    const rows: string[] = [];
    for (let i = 0; i < n; i++) {
      const b = 9 + i * 7;
      rows.push(`(${i}, $${b}::text, $${b + 1}::bigint, $${b + 2}::text, $${b + 3}::json, $${b + 4}::json, $${b + 5}::text, $${b + 6}::text)`);
    }
    text = `WITH g AS (
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[], $8::boolean[])
          AS g(id, old_rev, old_hash, rev, hash, command_id, claim)
      ), moved AS (
        UPDATE ${t.streams} AS s SET revision = g.rev, last_hash = g.hash
          FROM g
         WHERE g.old_rev >= 0 AND s.stream_id = g.id AND s.revision = g.old_rev AND s.last_hash = g.old_hash
           AND NOT EXISTS (SELECT 1 FROM ${t.commands} c WHERE c.stream_id = g.id AND c.command_id = g.command_id)
           AND NOT (g.claim AND EXISTS (SELECT 1 FROM ${t.claims} k WHERE k.command_id = g.command_id))
        RETURNING s.stream_id
      ), created AS (
        INSERT INTO ${t.streams} (stream_id, revision, last_hash)
        SELECT g.id, g.rev, g.hash FROM g
         WHERE g.old_rev = -1 AND NOT (g.claim AND EXISTS (SELECT 1 FROM ${t.claims} k WHERE k.command_id = g.command_id))
        ON CONFLICT (stream_id) DO NOTHING
        RETURNING stream_id
      ), ok AS (
        SELECT ARRAY(SELECT stream_id FROM moved UNION ALL SELECT stream_id FROM created) AS ids
      ), ev AS (
        INSERT INTO ${t.events} (stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash)
        SELECT e.stream_id, e.revision, e.type, e.data, e.metadata, $7::timestamptz, e.hash, e.prev_hash
          FROM (VALUES ${rows.join(', ')}) AS e(n, stream_id, revision, type, data, metadata, hash, prev_hash)
         WHERE e.stream_id = ANY ((SELECT ids FROM ok)::text[])
         ORDER BY e.n -- seq follows revision order inside a stream
        RETURNING stream_id, revision, seq, transaction_id
      ), cmd AS (
        INSERT INTO ${t.commands} (stream_id, command_id, next_expected_revision)
        SELECT g.id, g.command_id, g.rev FROM g WHERE g.command_id IS NOT NULL AND g.id = ANY ((SELECT ids FROM ok)::text[])
      ), cl AS (
        INSERT INTO ${t.claims} (command_id, stream_id)
        SELECT g.command_id, g.id FROM g WHERE g.claim AND g.id = ANY ((SELECT ids FROM ok)::text[])
      ), n AS (
        SELECT pg_notify('${this.ctx.channel}', '') AS x WHERE EXISTS (SELECT 1 FROM ev)
      )
      SELECT DISTINCT ON (stream_id) stream_id, revision, seq, transaction_id::text AS txid, (SELECT count(*) FROM n) AS notified
        FROM ev ORDER BY stream_id, revision DESC`;
    if (this.sqlByCount.size < MAX_PREPARED_COUNTS) this.sqlByCount.set(n, text); // the common counts
    return text;
  }
}
