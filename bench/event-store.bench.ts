/**
 * `event-store`: appends/s (one event per append, sequential; 100 events per append) and global
 * read events/s of the SQLite and PostgreSQL adapters, each beside the raw driver doing the
 * nearest equivalent work on a table of the same shape in the same run:
 *   single  ≥ 50 % of raw single-row autocommit INSERTs
 *   batched ≥ 50 % of raw 100-row INSERTs in one transaction
 *   read    ≥ 50 % of raw keyset-paged SELECT + JSON parse of data and metadata
 *   PostgreSQL: 32 concurrent single-event appenders ≥ 4 × the sequential single-append rate.
 * Appends are realistic: a Vietnamese dossier payload, exact expected revision, and a command id
 * (every command carries one, so the idempotency record is part of the measured cost).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { createSqliteEventStore, type EventStore, type NewEvent } from '@motcua/event-store';
// Not (yet) re-exported by the lib's index: imported from its file.
import { createPostgresEventStore } from '@motcua/event-store';
import { assertPostgresReachable, pgUrl, sampleEvent } from './common';
import { compared, perSecond, registerBenchmark, timed, type BenchContext, type Figure } from './registry';

const BATCH = 100;
const READ_BATCH = 1000;
const CONCURRENCY = 32;
const DUMMY_HASH = 'f'.repeat(64);

interface Engine {
  name: 'sqlite' | 'postgres';
  store: EventStore;
  raw: RawDriver;
  cleanup(): Promise<void>;
}

/** The raw driver's own work on a table shaped like the adapter's events table. */
interface RawDriver {
  insertOne(row: RawRow): Promise<void>;
  insertMany(rows: RawRow[]): Promise<void>;
  /** A reader of the whole table: each next() reads one page of READ_BATCH rows, parsing JSON, and returns its size (0 at the end). */
  pages(): { next(): Promise<number> };
}

interface RawRow {
  streamId: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

function rawRow(streamId: string, revision: number, e: NewEvent): RawRow {
  return { streamId, revision, type: e.type, data: JSON.stringify(e.data), metadata: JSON.stringify(e.metadata) };
}

// ---------------------------------------------------------------- SQLite

async function sqliteEngine(): Promise<Engine> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'motcua-bench-'));
  const store = await createSqliteEventStore({ file: path.join(dir, 'events.db') });
  const db = new Database(path.join(dir, 'raw.db'));
  // Same durability settings as the adapter (WAL, synchronous NORMAL). The cheapest table that still
  // keeps (stream, revision) unique: rowid positions without AUTOINCREMENT (as the adapter's), one index.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE raw_events (
    position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
    type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL,
    hash TEXT NOT NULL, prev_hash TEXT NOT NULL, UNIQUE (stream_id, revision))`);
  const ins = db.prepare(`INSERT INTO raw_events (stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const insert = (r: RawRow) => ins.run(r.streamId, r.revision, r.type, r.data, r.metadata, new Date().toISOString(), DUMMY_HASH, DUMMY_HASH);
  const insertTx = db.transaction((rows: RawRow[]) => rows.forEach(insert));
  const page = db.prepare(
    `SELECT position, stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash FROM raw_events WHERE position > ? ORDER BY position LIMIT ?`,
  );
  return {
    name: 'sqlite',
    store,
    raw: {
      insertOne: async (r) => void insert(r),
      insertMany: async (rows) => void insertTx(rows),
      pages() {
        let after = 0;
        return {
          async next() {
            const rows = page.all(after, READ_BATCH) as { position: number; data: string; metadata: string }[];
            for (const r of rows) {
              JSON.parse(r.data);
              JSON.parse(r.metadata);
            }
            if (rows.length > 0) after = rows[rows.length - 1].position;
            return rows.length;
          },
        };
      },
    },
    async cleanup() {
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- PostgreSQL

async function postgresEngine(): Promise<Engine> {
  const url = pgUrl();
  await assertPostgresReachable(url);
  const suffix = `${process.pid}_${Date.now().toString(36)}`;
  const schema = `bench_es_${suffix}`;
  const rawSchema = `bench_raw_${suffix}`;
  const store = createPostgresEventStore({ connectionString: url, schema, poolSize: CONCURRENCY + 2 });
  const pool = new Pool({ connectionString: url, max: 4 });
  await pool.query(`CREATE SCHEMA ${rawSchema}`);
  await pool.query(`CREATE TABLE ${rawSchema}.raw_events (
    seq bigserial PRIMARY KEY, stream_id text NOT NULL, revision bigint NOT NULL, type text NOT NULL,
    data json NOT NULL, metadata json NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(),
    hash text NOT NULL, prev_hash text NOT NULL, UNIQUE (stream_id, revision))`);
  const cols = '(stream_id, revision, type, data, metadata, hash, prev_hash)';
  const one = `INSERT INTO ${rawSchema}.raw_events ${cols} VALUES ($1, $2, $3, $4, $5, $6, $7)`;
  const many = (n: number) =>
    `INSERT INTO ${rawSchema}.raw_events ${cols} VALUES ` +
    Array.from({ length: n }, (_, i) => `($${i * 7 + 1}, $${i * 7 + 2}, $${i * 7 + 3}, $${i * 7 + 4}, $${i * 7 + 5}, $${i * 7 + 6}, $${i * 7 + 7})`).join(', ');
  const params = (r: RawRow) => [r.streamId, r.revision, r.type, r.data, r.metadata, DUMMY_HASH, DUMMY_HASH];
  const conn = await pool.connect();
  return {
    name: 'postgres',
    store,
    raw: {
      // One autocommit statement: one transaction, one WAL flush, like one append.
      insertOne: async (r) => void (await conn.query({ name: 'raw-one', text: one, values: params(r) })),
      // One multi-row INSERT in one transaction: the cheapest way the driver writes 100 rows.
      insertMany: async (rows) => void (await conn.query({ name: `raw-many-${rows.length}`, text: many(rows.length), values: rows.flatMap(params) })),
      pages() {
        let after = '0';
        const sql = `SELECT seq, stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash FROM ${rawSchema}.raw_events WHERE seq > $1 ORDER BY seq LIMIT ${READ_BATCH}`;
        return {
          async next() {
            // pg parses json columns with JSON.parse itself: the parse is in the measured time.
            const { rows } = await conn.query({ name: 'raw-page', text: sql, values: [after] });
            if (rows.length > 0) after = rows[rows.length - 1].seq;
            return rows.length;
          },
        };
      },
    },
    async cleanup() {
      conn.release();
      await store.close();
      const drop = new Pool({ connectionString: url, max: 1 });
      await drop.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await drop.query(`DROP SCHEMA IF EXISTS ${rawSchema} CASCADE`);
      await drop.end();
      await pool.end();
    },
  };
}

// ---------------------------------------------------------------- measurements

interface Sizes {
  single: number;
  batches: number;
  concurrent: number;
}

/**
 * Each phase runs in ROUNDS alternating rounds (raw then adapter, then adapter then raw, ...), each side's
 * time summed. The machine is shared and its load drifts over a run (and SQLite's WAL checkpoints land on
 * whichever writer crosses the threshold): alternating gives both sides the same conditions.
 */
const ROUNDS = 6;

async function alternate(raw: (round: number) => Promise<unknown>, adapter: (round: number) => Promise<unknown>): Promise<{ rawMs: number; ms: number }> {
  let rawMs = 0;
  let ms = 0;
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      rawMs += await timed(() => raw(round));
      ms += await timed(() => adapter(round));
    } else {
      ms += await timed(() => adapter(round));
      rawMs += await timed(() => raw(round));
    }
  }
  return { rawMs, ms };
}

/** [from, to) of round `round` when n items are split over ROUNDS rounds. */
function slice(n: number, round: number): [number, number] {
  return [Math.floor((n * round) / ROUNDS), Math.floor((n * (round + 1)) / ROUNDS)];
}

async function measureEngine(ctx: BenchContext, e: Engine, sizes: Sizes, figures: Figure[]): Promise<void> {
  const g = e.name;
  const streamsOf = (n: number) => Math.max(1, Math.floor(n / 10)); // dossier-sized streams of ~10 events
  // Warm-up (JIT, statement caches, first-connection costs): not measured.
  for (let i = 0; i < 50; i++) {
    await e.store.append(`warm-${i}`, [sampleEvent(i, `warm-${i}`)], { expectedRevision: 'no_stream', commandId: `warm-${i}` });
    await e.raw.insertOne(rawRow(`warm-${i}`, 0, sampleEvent(i, `warm-${i}`)));
  }

  // Single appends, sequential.
  let bar = ctx.progress(`${g}: raw single-row inserts / single-event appends`, sizes.single * 2);
  const rawRevs = new Map<string, number>();
  const revs = new Map<string, number>();
  const singles = await alternate(
    async (round) => {
      const [from, to] = slice(sizes.single, round);
      for (let i = from; i < to; i++) {
        const s = `single-${i % streamsOf(sizes.single)}`;
        const r = (rawRevs.get(s) ?? -1) + 1;
        rawRevs.set(s, r);
        await e.raw.insertOne(rawRow(s, r, sampleEvent(i, `c-${i}`)));
        bar.tick();
      }
    },
    async (round) => {
      const [from, to] = slice(sizes.single, round);
      for (let i = from; i < to; i++) {
        const s = `single-${i % streamsOf(sizes.single)}`;
        const cur = revs.get(s) ?? -1;
        const res = await e.store.append(s, [sampleEvent(i, `c-${i}`)], {
          expectedRevision: cur === -1 ? 'no_stream' : cur,
          commandId: `c-${i}`,
        });
        revs.set(s, res.nextExpectedRevision);
        bar.tick();
      }
    },
  );
  bar.done();
  const rawSingle = perSecond(sizes.single, singles.rawMs);
  const single = perSecond(sizes.single, singles.ms);
  figures.push(
    compared(
      { group: g, name: 'single-event appends, sequential', unit: 'appends/s', value: single },
      { name: 'raw single-row INSERT', value: rawSingle },
      0.5,
      '≥ 50 % of raw',
    ),
  );

  // 100-event appends.
  bar = ctx.progress(`${g}: raw ${BATCH}-row transactions / ${BATCH}-event appends`, sizes.batches * BATCH * 2);
  const batches = await alternate(
    async (round) => {
      const [from, to] = slice(sizes.batches, round);
      for (let b = from; b < to; b++) {
        const rows = Array.from({ length: BATCH }, (_, i) => rawRow(`batch-${b}`, i, sampleEvent(b * BATCH + i, `b-${b}`)));
        await e.raw.insertMany(rows);
        bar.tick(BATCH);
      }
    },
    async (round) => {
      const [from, to] = slice(sizes.batches, round);
      for (let b = from; b < to; b++) {
        const events = Array.from({ length: BATCH }, (_, i) => sampleEvent(b * BATCH + i, `b-${b}`));
        await e.store.append(`batch-${b}`, events, { expectedRevision: 'no_stream', commandId: `b-${b}` });
        bar.tick(BATCH);
      }
    },
  );
  bar.done();
  const rawBatch = perSecond(sizes.batches * BATCH, batches.rawMs);
  const batch = perSecond(sizes.batches * BATCH, batches.ms);
  figures.push(
    compared(
      { group: g, name: `${BATCH}-event appends`, unit: 'events/s', value: batch },
      { name: `raw ${BATCH}-row transaction`, value: rawBatch },
      0.5,
      '≥ 50 % of raw',
    ),
  );

  // Concurrent single appends (PostgreSQL: group commit).
  let concurrent: number | undefined;
  if (sizes.concurrent > 0) {
    const per = Math.max(1, Math.floor(sizes.concurrent / CONCURRENCY));
    bar = ctx.progress(`${g}: ${CONCURRENCY} concurrent single appenders`, per * CONCURRENCY);
    const ms = await timed(() =>
      Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, w) => {
          let cur = -1;
          for (let i = 0; i < per; i++) {
            // each worker its own dossier streams of 10 events
            if (i % 10 === 0) cur = -1;
            const s = `conc-${w}-${Math.floor(i / 10)}`;
            const res = await e.store.append(s, [sampleEvent(i, `k-${w}-${i}`)], {
              expectedRevision: cur === -1 ? 'no_stream' : cur,
              commandId: `k-${w}-${i}`,
            });
            cur = res.nextExpectedRevision;
            bar.tick();
          }
        }),
      ),
    );
    bar.done();
    concurrent = perSecond(per * CONCURRENCY, ms);
    figures.push(
      compared(
        { group: g, name: `single-event appends, ${CONCURRENCY} concurrent`, unit: 'appends/s', value: concurrent },
        { name: 'sequential single appends (above)', value: single },
        4,
        '≥ 4 × sequential',
      ),
    );
  }

  // Global read of everything written, in pages, alternating page by page.
  const total = await countAll(e.store);
  bar = ctx.progress(`${g}: raw paged read + JSON parse / readAll`, total * 2);
  const rawPages = e.raw.pages();
  let after: string | undefined;
  let rawRows = 0;
  let read = 0;
  let rawReadMs = 0;
  let readMs = 0;
  for (let page = 0, rawDone = false, done = false; !rawDone || !done; page++) {
    const rawStep = async () => {
      if (rawDone) return;
      let n = 0;
      rawReadMs += await timed(async () => {
        n = await rawPages.next();
      });
      rawDone = n === 0;
      rawRows += n;
      bar.tick(n);
    };
    const step = async () => {
      if (done) return;
      let n = 0;
      readMs += await timed(async () => {
        const p = await e.store.readAll({ after, maxCount: READ_BATCH });
        if (p.length > 0) after = p[p.length - 1].position;
        n = p.length;
      });
      done = n === 0;
      read += n;
      bar.tick(n);
    };
    if (page % 2 === 0) {
      await rawStep();
      await step();
    } else {
      await step();
      await rawStep();
    }
  }
  bar.done();
  figures.push(
    compared(
      { group: g, name: `global read (pages of ${READ_BATCH})`, unit: 'events/s', value: perSecond(read, readMs) },
      { name: 'raw paged SELECT + JSON parse', value: perSecond(rawRows, rawReadMs) },
      0.5,
      '≥ 50 % of raw',
    ),
  );
}

async function countAll(store: EventStore): Promise<number> {
  let n = 0;
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 5000 });
    if (page.length === 0) return n;
    n += page.length;
    after = page[page.length - 1].position;
  }
}

registerBenchmark({
  name: 'event-store',
  description:
    'Event-store adapters against their raw drivers. Appends carry a Vietnamese dossier payload (~600 B), ' +
    'an exact expected revision and a command id; streams hold ~10 events (single) or 100 (batched).',
  async run(ctx) {
    const figures: Figure[] = [];
    const sqliteSizes: Sizes = { single: ctx.size(5000, 100), batches: ctx.size(200, 2), concurrent: 0 };
    const pgSizes: Sizes = { single: ctx.size(1000, 50), batches: ctx.size(100, 2), concurrent: ctx.size(3200, CONCURRENCY) };
    for (const [make, sizes] of [
      [sqliteEngine, sqliteSizes],
      [postgresEngine, pgSizes],
    ] as const) {
      const e = await make();
      try {
        await measureEngine(ctx, e, sizes, figures);
      } finally {
        await e.cleanup();
      }
    }
    return {
      figures,
      parameters: { sqlite: sqliteSizes, postgres: pgSizes, batch: BATCH, readBatch: READ_BATCH, concurrency: CONCURRENCY },
      notes: [
        `SQLite: ${sqliteSizes.single} single appends, ${sqliteSizes.batches} × ${BATCH}-event appends; file in the OS temp dir, WAL, synchronous=NORMAL for adapter and raw alike.`,
        `PostgreSQL: ${pgSizes.single} single appends, ${pgSizes.batches} × ${BATCH}-event appends, ${pgSizes.concurrent} appends by ${CONCURRENCY} concurrent writers; throw-away schemas, default server durability (every commit flushes the WAL).`,
        'Raw baselines use a table of the same shape (JSON text data + metadata, unique (stream, revision)) and do no hashing, no expected-revision check and no idempotency record.',
        'The global read covers every event written by the runs above (including the warm-up).',
        `Raw and adapter alternate: each phase runs in ${ROUNDS} rounds (raw first, then adapter first, ...), the global read page by page; each side's time is summed, so both see the same machine load and WAL state.`,
      ],
    };
  },
});
