/**
 * Real stores for the integration tests: SQLite files under .tmp/, PostgreSQL schemas with random
 * names (dropped afterwards). Nothing here is a fake.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { createSqliteEventStore, type EventStore } from '@motcua/event-store';
import { createPostgresEventStore } from '@motcua/event-store';
import { createPostgresDb, createSqliteDb, type SqlDb } from '../sql/driver';

export const PG_URL = process.env.READ_MODELS_TEST_PG_URL ?? `postgres://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:5432/test`;
export type Engine = 'sqlite' | 'postgres';

export interface Env {
  engine: Engine;
  id: string;
  dir: string;
  schema: string;
  store: EventStore;
  db: SqlDb;
  /** Another connection to the read-model store, or to a separate one named `name` (reference runs). */
  openDb(name?: string): SqlDb;
  /** Another event store handle on the same log. */
  openStore(): Promise<EventStore>;
  cleanup(): Promise<void>;
}

/** A fresh environment; `existingId` reopens one (a child process reopening its parent's stores). */
export async function makeEnv(engine: Engine, label: string, existingId?: string): Promise<Env> {
  const id = existingId ?? `${label}_${randomBytes(4).toString('hex')}`;
  const dir = join(__dirname, '../../../../.tmp/read-models', id);
  mkdirSync(dir, { recursive: true });
  const schema = `rm_${id}`.toLowerCase();
  const opened: Array<{ close(): Promise<void> }> = [];
  const openStore = async (): Promise<EventStore> => {
    const s =
      engine === 'sqlite'
        ? await createSqliteEventStore({ file: join(dir, 'events.sqlite'), pollIntervalMs: 20 })
        : createPostgresEventStore({ connectionString: PG_URL, schema: `${schema}_es`, poolSize: 3, pollIntervalMs: 20 });
    opened.push(s);
    return s;
  };
  const openDb = (name = 'rm'): SqlDb => {
    const d =
      engine === 'sqlite' ? createSqliteDb({ file: join(dir, `${name}.sqlite`) }) : createPostgresDb({ connectionString: PG_URL, schema: `${schema}_${name}` });
    opened.push(d);
    return d;
  };
  const store = await openStore();
  const db = openDb();
  return {
    engine,
    id,
    dir,
    schema,
    store,
    db,
    openDb,
    openStore,
    async cleanup() {
      for (const o of opened.reverse()) await o.close().catch(() => undefined);
      if (engine === 'postgres') {
        const admin = new Pool({ connectionString: PG_URL, max: 1 });
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}_es" CASCADE`);
        const { rows } = await admin.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${schema}_%`]);
        for (const r of rows) await admin.query(`DROP SCHEMA IF EXISTS "${r.nspname}" CASCADE`);
        await admin.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every row of every table of a table set, sorted, for equality checks between two sets. */
export async function dumpTableSet(db: SqlDb, setName: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [t, order] of [
    ['dossiers', 'code'],
    ['daily', 'day, agency_code, procedure_code'],
    ['hist', 'day, agency_code, procedure_code, bucket'],
    ['agencies', 'code, valid_from'],
    ['procedures', 'code'],
  ]) {
    const rows = await db.all<Record<string, unknown>>(`SELECT * FROM ${db.table(`${setName}_${t}`)} ORDER BY ${order}`);
    out[t] = rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' || (typeof v === 'string' && /^\d+$/.test(v) && k !== 'code') ? Number(v) : v]),
      ),
    );
  }
  return out;
}

/**
 * The position of the newest event committed to the log, once subscribers may read up to it. PostgreSQL's
 * head stops below the oldest transaction in flight anywhere in the cluster (another test file's, in its own
 * schema), so `headPosition()` can lag behind what this test has written; this waits until no committed event
 * lies beyond the head.
 */
export async function settledHead(env: Env, timeoutMs = 30_000): Promise<string | undefined> {
  if (env.engine === 'sqlite') return env.store.headPosition();
  const pool = new Pool({ connectionString: PG_URL, max: 1 });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM "${env.schema}_es".events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())`,
      );
      if (rows[0].n === '0') return env.store.headPosition();
      if (Date.now() > deadline) throw new Error(`the log's head did not settle in ${timeoutMs} ms (${rows[0].n} events beyond it)`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await pool.end();
  }
}
