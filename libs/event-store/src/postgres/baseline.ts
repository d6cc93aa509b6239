import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { createPostgresEventStore } from './postgres-event-store';

/**
 * Bench hooks for the PostgreSQL adapter (called by the bench harness, not by tests).
 *
 * `rawPostgresBaselines` measures what the `pg` driver alone does on a table shaped like `events`, so the
 * bench can report the adapter as a ratio of it. `measureGroupCommit` measures the adapter's group commit:
 * N single-event appends one after another versus the same N from `concurrency` concurrent appenders.
 * Each call works in a throw-away schema it drops afterwards.
 */

export interface RawPostgresBaselines {
  /** One INSERT per row, autocommit: one commit (one WAL flush) per row. */
  singleInsertsPerSec: number;
  /** Rows inserted per second with multi-row INSERTs of `batchSize` rows, one transaction each. */
  batchedInsertsPerSec: number;
  batchSize: number;
  /** Rows read per second, in order, in pages of 1000, JSON columns parsed by the driver. */
  sequentialReadPerSec: number;
  rows: number;
}

const payload = (i: number) =>
  JSON.stringify({ dossierId: `HS-${i}`, procedure: '1.001234', applicant: { name: 'Nguyễn Thị Hoa', ward: 'Phường 1' }, i });
const meta = JSON.stringify({ actor: 'bench', correlationId: 'bench' });
const HASH = 'a'.repeat(64);

function scratchSchema(): string {
  return `es_bench_${randomBytes(5).toString('hex')}`;
}

export async function rawPostgresBaselines(connectionString: string, n = 2000, batchSize = 100): Promise<RawPostgresBaselines> {
  const schema = scratchSchema();
  const pool = new Pool({ connectionString, max: 2 });
  const table = `"${schema}".raw_events`;
  try {
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(`CREATE TABLE ${table} (
      seq bigserial PRIMARY KEY, stream_id text NOT NULL, revision bigint NOT NULL, type text NOT NULL,
      data json NOT NULL, metadata json NOT NULL, recorded_at timestamptz NOT NULL, hash text NOT NULL,
      prev_hash text NOT NULL, UNIQUE (stream_id, revision))`);
    const client = await pool.connect();
    let singleInsertsPerSec: number;
    let batchedInsertsPerSec: number;
    try {
      const insertOne = `INSERT INTO ${table} (stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash)
        VALUES ($1, $2, 'bench.raw.v1', $3::json, $4::json, now(), $5, $5)`;
      let t = performance.now();
      for (let i = 0; i < n; i++) await client.query(insertOne, [`s-${i % 100}`, Math.floor(i / 100), payload(i), meta, HASH]);
      singleInsertsPerSec = (n / (performance.now() - t)) * 1000;

      const insertMany = `INSERT INTO ${table} (stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash)
        SELECT s, r, 'bench.raw.v1', d::json, $4::json, now(), $5, $5 FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(s, r, d)`;
      t = performance.now();
      for (let done = 0; done < n; done += batchSize) {
        const size = Math.min(batchSize, n - done);
        const ids: string[] = [];
        const revs: number[] = [];
        const data: string[] = [];
        for (let k = 0; k < size; k++) {
          ids.push(`b-${done + k}`);
          revs.push(0);
          data.push(payload(done + k));
        }
        await client.query('BEGIN');
        await client.query(insertMany, [ids, revs, data, meta, HASH]);
        await client.query('COMMIT');
      }
      batchedInsertsPerSec = (n / (performance.now() - t)) * 1000;
    } finally {
      client.release();
    }

    const t = performance.now();
    let read = 0;
    let after = '0';
    for (;;) {
      const res = await pool.query(
        `SELECT seq, stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash FROM ${table}
          WHERE seq > $1 ORDER BY seq LIMIT 1000`,
        [after],
      );
      read += res.rows.length;
      if (res.rows.length < 1000) break;
      after = res.rows[res.rows.length - 1].seq;
    }
    const sequentialReadPerSec = (read / (performance.now() - t)) * 1000;
    return { singleInsertsPerSec, batchedInsertsPerSec, batchSize, sequentialReadPerSec, rows: read };
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

export interface GroupCommitMeasurement {
  appends: number;
  concurrency: number;
  /** One single-event append at a time (each its own commit). */
  sequentialAppendsPerSec: number;
  /** `concurrency` appenders, one single-event append each at a time, sharing commits. */
  concurrentAppendsPerSec: number;
  /** concurrent / sequential: the target is >= 4 with 32 appenders. */
  ratio: number;
  /** Transactions the concurrent phase used (distinct transaction ids in the positions). */
  concurrentCommits: number;
}

export async function measureGroupCommit(
  connectionString: string,
  options: { appends?: number; concurrency?: number } = {},
): Promise<GroupCommitMeasurement> {
  const appends = options.appends ?? 2000;
  const concurrency = options.concurrency ?? 32;
  const schema = scratchSchema();
  const store = createPostgresEventStore({ connectionString, schema, poolSize: 4 });
  const event = (i: number) => ({
    type: 'bench.appended.v1',
    data: JSON.parse(payload(i)) as Record<string, unknown>,
    metadata: { actor: 'bench', correlationId: `c-${i}` },
  });
  try {
    await store.init();
    let t = performance.now();
    for (let i = 0; i < appends; i++) await store.append(`seq-${i % 200}`, [event(i)]);
    const sequentialAppendsPerSec = (appends / (performance.now() - t)) * 1000;

    const txids = new Set<string>();
    let next = 0;
    t = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < appends; i = next++) {
          const r = await store.append(`con-${i % 200}`, [event(i)]);
          txids.add((BigInt(r.position) / 10n ** 20n).toString());
        }
      }),
    );
    const concurrentAppendsPerSec = (appends / (performance.now() - t)) * 1000;
    return {
      appends,
      concurrency,
      sequentialAppendsPerSec,
      concurrentAppendsPerSec,
      ratio: concurrentAppendsPerSec / sequentialAppendsPerSec,
      concurrentCommits: txids.size,
    };
  } finally {
    await store.dropSchema().catch(() => undefined);
    await store.close();
  }
}
