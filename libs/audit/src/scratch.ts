/**
 * Scratch read-model stores for audit replays: a fresh SQLite file, or a fresh PostgreSQL schema,
 * thrown away afterwards. The replay writes the SAME tables as the live projection (libs/read-models),
 * so the live and replayed table sets can be compared row by row.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createPostgresDb, createSqliteDb, type SqlDb } from '@motcua/read-models';

export interface ScratchDb {
  db: SqlDb;
  /** Where it lives (a file or a schema), for reports. */
  location: string;
  dispose(): Promise<void>;
}

export type ScratchFactory = (label: string) => Promise<ScratchDb>;

/** Scratch SQLite files under `dir` (default: a new directory in the OS temp dir). */
export function sqliteScratch(dir?: string): ScratchFactory {
  return async (label) => {
    const base = dir ?? mkdtempSync(join(tmpdir(), 'motcua-audit-'));
    mkdirSync(base, { recursive: true });
    const file = join(base, `${label}-${randomBytes(4).toString('hex')}.sqlite`);
    // Scratch data is rebuilt on demand: durability of its last transactions does not matter.
    const db = createSqliteDb({ file, synchronous: 'OFF' });
    return {
      db,
      location: file,
      async dispose() {
        await db.close();
        for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
        if (!dir) rmSync(base, { recursive: true, force: true });
      },
    };
  };
}

/** Scratch schemas `audit_scratch_<label>_<random>` in a PostgreSQL database, dropped on dispose. */
export function postgresScratch(connectionString: string): ScratchFactory {
  return async (label) => {
    const schema = `audit_scratch_${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
    const db = createPostgresDb({ connectionString, schema, poolSize: 2 });
    return {
      db,
      location: `schema ${schema}`,
      async dispose() {
        try {
          await db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await db.close();
        }
      },
    };
  };
}

/** The same engine as the live read models, so that keys sort alike on both sides of a diff. */
export function scratchLike(live: SqlDb, o: { connectionString?: string; dir?: string }): ScratchFactory {
  if (live.dialect === 'postgres') {
    if (!o.connectionString) throw new Error('a PostgreSQL scratch store needs a connectionString');
    return postgresScratch(o.connectionString);
  }
  return sqliteScratch(o.dir);
}
