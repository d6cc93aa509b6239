/**
 * The PostgreSQL adapter's checked write path: whatever the fast path (fast-write.ts) does not take, or
 * gives back, is decided here with the stream heads read under their row locks. One transaction for the
 * whole batch, in two round trips (on a loaded host each round trip costs about as much as a commit's
 * fsync, so they matter for single appends):
 *   1. BEGIN; lock the streams (reading their heads); look up already-recorded commands
 *   2. insert events + commands, move the stream heads, NOTIFY; COMMIT
 * Each append keeps its own answer: its expected revision is checked against the head as the appends before
 * it in the batch left it, a command already recorded (or recorded earlier in the batch) is a duplicate, and
 * a store-scoped command id claimed by another stream (in the table or earlier in the batch) is refused with
 * CommandIdTakenError. A concurrent claim of the same id by another stream's transaction fails this one's
 * insert on the claims' primary key (23505): the appender runs the batch again, and the lookup then sees it.
 * Values are inlined as escaped literals because the simple-query protocol that carries several
 * statements in one message takes no bind parameters.
 */
import { escapeLiteral, type QueryResult } from 'pg';
import { CommandIdTakenError } from '../errors';
import { GENESIS_HASH } from '../hash';
import type { AppendResult } from '../port';
import { assertExpectedRevision, sealEvents } from '../validation';
import { encodePosition } from './positions';
import type { PendingAppend, WriteContext } from './write-context';

function commandKey(streamId: string, commandId: string): string {
  return `${streamId}\u0000${commandId}`;
}

/** Writes the batch in one transaction. Returns, per append, its result or its conflict; throws when the transaction failed. */
export async function writeChecked(ctx: WriteContext, batch: PendingAppend[]): Promise<(AppendResult | Error)[]> {
  await ctx.ready();
  const t = ctx.tables;
  const client = await ctx.pool.connect();
  const lit = (v: string) => escapeLiteral(v);
  let released = false;
  try {
    const streamIds = [...new Set(batch.map((b) => b.streamId))].sort();
    const withCommand = batch.filter((b) => b.commandId !== undefined);
    const claiming = [...new Set(batch.filter((b) => b.commandIdScope === 'store').map((b) => b.commandId!))];
    // Lock every stream of the batch (creating a -1 row for a new one) in sorted order, reading the
    // latest committed head: writers of one stream, in this process or another, are serialised here.
    // The command lookup is a separate statement, so its snapshot is taken after the locks are held and
    // sees a concurrent twin that committed while we waited.
    let first = `BEGIN;
      INSERT INTO ${t.streams} AS s (stream_id, revision, last_hash)
      VALUES ${streamIds.map((id) => `(${lit(id)}, -1, '${GENESIS_HASH}')`).join(', ')}
      ON CONFLICT (stream_id) DO UPDATE SET stream_id = excluded.stream_id
      RETURNING s.stream_id, s.revision, s.last_hash;`;
    if (withCommand.length > 0) {
      first += `
      SELECT c.stream_id, c.command_id, c.next_expected_revision AS rev, e.transaction_id::text AS txid, e.seq
        FROM ${t.commands} c
        JOIN ${t.events} e ON e.stream_id = c.stream_id AND e.revision = c.next_expected_revision
       WHERE (c.stream_id, c.command_id) IN (${withCommand.map((b) => `(${lit(b.streamId)}, ${lit(b.commandId!)})`).join(', ')});`;
    }
    if (claiming.length > 0) {
      first += `
      SELECT command_id, stream_id FROM ${t.claims} WHERE command_id IN (${claiming.map(lit).join(', ')});`;
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
    /** Store-scoped command id -> the stream it names (claimed before, or by an append earlier in this batch). */
    const claims = new Map<string, string>();
    if (claiming.length > 0) {
      for (const r of firstResults[withCommand.length > 0 ? 3 : 2].rows as { command_id: string; stream_id: string }[]) claims.set(r.command_id, r.stream_id);
    }

    const recordedAt = ctx.clock().toISOString();
    const eventValues: string[] = [];
    const commandValues: string[] = [];
    const claimValues: string[] = [];
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
      if (p.commandIdScope === 'store') {
        const owner = claims.get(p.commandId!);
        if (owner !== undefined && owner !== p.streamId) {
          plans.push({ kind: 'done', result: new CommandIdTakenError(p.streamId, p.commandId!, owner) });
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
      if (p.commandIdScope === 'store') {
        claims.set(p.commandId!, p.streamId);
        claimValues.push(`(${lit(p.commandId!)}, ${streamLit})`);
      }
      plans.push({ kind: 'write', last: h.revision });
    });

    const positions = new Map<string, string>(); // "stream\0revision" of last events -> position

    if (eventValues.length > 0) {
      const streamValues = [...written].map((id) => `(${lit(id)}, ${head.get(id)!.revision}, '${head.get(id)!.hash}')`);
      // A VALUES list keeps its order, so seq follows revision order inside a stream.
      const write = `WITH ev AS (
           INSERT INTO ${t.events} (stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash)
           VALUES ${eventValues.join(',\n')}
           RETURNING stream_id, revision, seq, transaction_id::text AS txid
         )${
           commandValues.length > 0
             ? `, cmd AS (INSERT INTO ${t.commands} (stream_id, command_id, next_expected_revision) VALUES ${commandValues.join(', ')})`
             : ''
         }${claimValues.length > 0 ? `, cl AS (INSERT INTO ${t.claims} (command_id, stream_id) VALUES ${claimValues.join(', ')})` : ''}, st AS (
           UPDATE ${t.streams} AS s SET revision = u.r, last_hash = u.h
             FROM (VALUES ${streamValues.join(', ')}) AS u(id, r, h)
            WHERE s.stream_id = u.id
         ), n AS (SELECT pg_notify('${ctx.channel}', '') AS x)
         SELECT ev.*, (SELECT x FROM n) AS notified FROM ev;`;
      let rows: { stream_id: string; revision: string; seq: string; txid: string }[];
      if (ctx.beforeCommit) {
        rows = (await client.query(write)).rows;
        await ctx.beforeCommit({ transactionId: rows[0].txid, streamIds, path: 'checked' });
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
    for (const [id, h] of head) ctx.heads.remember(id, h.revision, h.hash);
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
