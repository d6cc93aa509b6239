/**
 * Real stores for the audit integration tests: an SQLite event store file and read-model file under
 * .tmp/audit, or PostgreSQL schemas with random names (dropped afterwards). The event store takes a
 * settable clock so that events are RECORDED at chosen instants ("as known at" tests).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { createPostgresEventStore, createSqliteEventStore, type EventStore } from '@motcua/event-store';
import { createPostgresDb, createSqliteDb, type SqlDb } from '@motcua/read-models';
import { postgresScratch, sqliteScratch, type ScratchFactory } from '../scratch';

export const PG_URL = process.env.AUDIT_TEST_PG_URL ?? `postgres://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:5432/test`;
export type Engine = 'sqlite' | 'postgres';

export interface AuditEnv {
  engine: Engine;
  dir: string;
  /** Event-store schema (PostgreSQL) or file (SQLite). */
  where: string;
  store: EventStore;
  live: SqlDb;
  scratch: ScratchFactory;
  /** The instant the store stamps as `recordedAt` on the next append. */
  setNow(iso: string): void;
  /** Runs SQL on the raw event table, bypassing the store (tamper tests). */
  rawEventsSql(sql: (table: string) => string, params?: unknown[]): Promise<void>;
  cleanup(): Promise<void>;
}

export async function makeAuditEnv(engine: Engine, label: string): Promise<AuditEnv> {
  const id = `${label}_${randomBytes(4).toString('hex')}`;
  const dir = join(__dirname, '../../../../.tmp/audit', id);
  mkdirSync(dir, { recursive: true });
  let now = new Date('2025-01-01T00:00:00Z');
  const clock = () => now;
  const schema = `audit_${id}`.toLowerCase();
  const store =
    engine === 'sqlite'
      ? await createSqliteEventStore({ file: join(dir, 'events.sqlite'), clock, pollIntervalMs: 20 })
      : createPostgresEventStore({ connectionString: PG_URL, schema: `${schema}_es`, clock, poolSize: 3, pollIntervalMs: 20 });
  const live = engine === 'sqlite' ? createSqliteDb({ file: join(dir, 'rm.sqlite') }) : createPostgresDb({ connectionString: PG_URL, schema: `${schema}_rm` });
  return {
    engine,
    dir,
    where: engine === 'sqlite' ? join(dir, 'events.sqlite') : `${schema}_es`,
    store,
    live,
    scratch: engine === 'sqlite' ? sqliteScratch(join(dir, 'scratch')) : postgresScratch(PG_URL),
    setNow: (iso) => {
      now = new Date(iso);
    },
    async rawEventsSql(sql, params = []) {
      if (engine === 'sqlite') {
        // A second connection on the real file, as an intruder with file access would open it.
        const db = new Database(join(dir, 'events.sqlite'));
        try {
          db.prepare(sql('events')).run(...params);
        } finally {
          db.close();
        }
      } else {
        const pool = new Pool({ connectionString: PG_URL, max: 1 });
        try {
          await pool.query(sql(`"${schema}_es".events`), params);
        } finally {
          await pool.end();
        }
      }
    },
    async cleanup() {
      await store.close().catch(() => undefined);
      await live.close().catch(() => undefined);
      if (engine === 'postgres') {
        const admin = new Pool({ connectionString: PG_URL, max: 1 });
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}_es" CASCADE`);
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}_rm" CASCADE`);
        await admin.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
