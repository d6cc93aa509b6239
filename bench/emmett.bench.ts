/**
 * `emmett`: head-to-head with a peer: Motcua's PostgreSQL event store against Emmett's
 * (`@event-driven-io/emmett-postgresql`), same events, same PostgreSQL server, same run.
 * Target: Motcua ≥ 2 × Emmett on each figure. Emmett keeps its tables in the `public` schema of
 * its database, so it gets a throw-away database; Motcua a throw-away schema.
 * Emmett ships a CommonJS build (dist/index.cjs), so a plain import works from our CJS output.
 */
import { getPostgreSQLEventStore, readMessagesBatch, type PostgresEventStore as EmmettStore } from '@event-driven-io/emmett-postgresql';
import { dumbo } from '@event-driven-io/dumbo';
import { Pool } from 'pg';
import type { EventStore } from '@motcua/event-store';
// Not (yet) re-exported by the lib's index: imported from its file.
import { createPostgresEventStore } from '@motcua/event-store';
import { assertPostgresReachable, pgUrl, sampleEvent } from './common';
import { compared, perSecond, registerBenchmark, timed, type BenchContext, type Figure } from './registry';

const CONCURRENCY = 32;
const BATCH = 100;
const STREAM_LENGTH = 10;
const READ_BATCH = 1000;

/** The operations measured, for either store. */
interface Subject {
  name: string;
  /** Appends one or more events to a stream at a known version (-1: new stream); returns the new version. */
  append(streamId: string, version: number, events: ReturnType<typeof sampleEvent>[]): Promise<number>;
  load(streamId: string): Promise<number>;
  close?(): Promise<void>;
  /** A reader of the whole global log: each next() reads one page of READ_BATCH and returns its size (0 at the end). */
  pages(): { next(): Promise<number> };
}

function motcua(store: EventStore): Subject {
  return {
    name: 'Motcua',
    async append(streamId, version, events) {
      const r = await store.append(streamId, events, { expectedRevision: version === -1 ? 'no_stream' : version });
      return r.nextExpectedRevision;
    },
    async load(streamId) {
      return (await store.readStream(streamId)).length;
    },
    pages() {
      let after: string | undefined;
      return {
        async next() {
          const page = await store.readAll({ after, maxCount: READ_BATCH });
          if (page.length > 0) after = page[page.length - 1].position;
          return page.length;
        },
      };
    },
  };
}

function emmett(store: EmmettStore, url: string): Subject {
  const executor = dumbo({ connectionString: url });
  return {
    name: 'Emmett',
    async append(streamId, version, events) {
      // Emmett versions are 1-based counts: revision r is version r + 1.
      const r = await store.appendToStream(
        streamId,
        events.map((e) => ({ type: e.type, data: e.data, metadata: e.metadata })),
        { expectedStreamVersion: version === -1 ? 'STREAM_DOES_NOT_EXIST' : BigInt(version + 1) },
      );
      return Number(r.nextExpectedStreamVersion) - 1;
    },
    async load(streamId) {
      return (await store.readStream(streamId)).events.length;
    },
    pages() {
      let after = 0n;
      let left = true;
      return {
        async next() {
          if (!left) return 0;
          const b = await readMessagesBatch(executor.execute, { after, batchSize: READ_BATCH });
          after = b.currentGlobalPosition;
          left = b.areMessagesLeft && b.messages.length > 0;
          return b.messages.length;
        },
      };
    },
    close: () => executor.close(),
  };
}

/**
 * The floor under every store: the raw driver's own single-row autocommit INSERT (one row of the events'
 * shape, no hash, no checks) and plain SELECT of a stream's rows. Measured beside the two stores in the
 * sequential-single and stream-load phases, to show what one commit per append and one round trip per
 * load cost on this server.
 */
function rawInserts(pool: Pool, table: string): Subject {
  const sql = `INSERT INTO ${table} (stream_id, revision, type, data, metadata) VALUES ($1, $2, $3, $4, $5)`;
  const loadSql = `SELECT seq, stream_id, revision, type, data, metadata FROM ${table} WHERE stream_id = $1 ORDER BY revision`;
  const unused = () => {
    throw new Error('raw driver: only single appends and stream loads are measured');
  };
  return {
    name: 'raw INSERT',
    async append(streamId, version, events) {
      const e = events[0];
      await pool.query({ name: 'raw-insert', text: sql, values: [streamId, version + 1, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata)] });
      return version + 1;
    },
    async load(streamId) {
      // pg parses the json columns (JSON.parse), as both stores return parsed data.
      const { rows } = await pool.query({ name: 'raw-load', text: loadSql, values: [streamId] });
      return rows.length;
    },
    pages: unused,
  };
}

interface Sizes {
  single: number;
  concurrent: number;
  batches: number;
  loads: number;
}

type Measured = Record<'single' | 'concurrent' | 'batched' | 'load' | 'read', number>;

/**
 * Runs each phase for both stores in ROUNDS alternating rounds (A B, B A, A B, ...), summing each store's
 * own time. The machine is shared and its load drifts over a run: measuring one store after the other
 * hands each a different machine; alternating gives both the same one.
 */
const ROUNDS = 6;

async function alternate(subjects: Subject[], work: (s: Subject, k: number, round: number) => Promise<unknown>): Promise<number[]> {
  const ms = subjects.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? subjects.map((_, k) => k) : subjects.map((_, k) => subjects.length - 1 - k);
    for (const k of order) ms[k] += await timed(() => work(subjects[k], k, round));
  }
  return ms;
}

/** [from, to) of round `round` when n items are split over ROUNDS rounds. */
function slice(n: number, round: number): [number, number] {
  return [Math.floor((n * round) / ROUNDS), Math.floor((n * (round + 1)) / ROUNDS)];
}

async function measure(
  ctx: BenchContext,
  subjects: Subject[],
  sizes: Sizes,
  floor: Subject,
): Promise<{ measured: Measured[]; floorSingle: number; floorLoad: number }> {
  const names = subjects.map((s) => s.name).join(' / ');
  const streams = (prefix: string, n: number) => Array.from({ length: Math.ceil(n / STREAM_LENGTH) }, (_, i) => `${prefix}-${i}`);
  for (const s of subjects) for (let i = 0; i < 20; i++) await s.append(`warm-${i}`, -1, [sampleEvent(i, `w-${i}`)]); // warm-up

  for (let i = 0; i < 20; i++) await floor.append(`warm-${i}`, -1, [sampleEvent(i, `w-${i}`)]);
  const withFloor = [...subjects, floor];
  let bar = ctx.progress(`${names} / ${floor.name}: single appends, sequential`, sizes.single * withFloor.length);
  const singleStreams = streams('single', sizes.single);
  const versions = withFloor.map(() => new Map<string, number>());
  const singleMs = await alternate(withFloor, async (s, k, round) => {
    const [from, to] = slice(sizes.single, round);
    for (let i = from; i < to; i++) {
      const id = singleStreams[i % singleStreams.length];
      versions[k].set(id, await s.append(id, versions[k].get(id) ?? -1, [sampleEvent(i, `c-${i}`)]));
      bar.tick();
    }
  });
  bar.done();

  const per = Math.max(1, Math.floor(sizes.concurrent / CONCURRENCY));
  bar = ctx.progress(`${names}: single appends, ${CONCURRENCY} concurrent`, per * CONCURRENCY * subjects.length);
  const workerVersion = subjects.map(() => new Array<number>(CONCURRENCY).fill(-1));
  const concMs = await alternate(subjects, (s, k, round) => {
    const [from, to] = slice(per, round);
    return Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        for (let i = from; i < to; i++) {
          if (i % STREAM_LENGTH === 0) workerVersion[k][w] = -1;
          workerVersion[k][w] = await s.append(`conc-${w}-${Math.floor(i / STREAM_LENGTH)}`, workerVersion[k][w], [sampleEvent(i, `k-${w}-${i}`)]);
          bar.tick();
        }
      }),
    );
  });
  bar.done();

  bar = ctx.progress(`${names}: ${BATCH}-event appends`, sizes.batches * BATCH * subjects.length);
  const batchMs = await alternate(subjects, async (s, _k, round) => {
    const [from, to] = slice(sizes.batches, round);
    for (let b = from; b < to; b++) {
      await s.append(
        `batch-${b}`,
        -1,
        Array.from({ length: BATCH }, (_, i) => sampleEvent(b * BATCH + i, `b-${b}`)),
      );
      bar.tick(BATCH);
    }
  });
  bar.done();

  bar = ctx.progress(`${names} / ${floor.name}: stream loads (${STREAM_LENGTH} events)`, sizes.loads * withFloor.length);
  const loadMs = await alternate(withFloor, async (s, _k, round) => {
    const [from, to] = slice(sizes.loads, round);
    for (let i = from; i < to; i++) {
      const n = await s.load(singleStreams[i % singleStreams.length]);
      if (n === 0) throw new Error(`${s.name}: stream ${singleStreams[i % singleStreams.length]} loaded empty`);
      bar.tick();
    }
  });
  bar.done();

  // The global read alternates page by page (a whole-log read cannot be split into rounds).
  bar = ctx.progress(`${names}: global read`, 0);
  const cursors = subjects.map((s) => s.pages());
  const readMs = subjects.map(() => 0);
  const read = subjects.map(() => 0);
  const finished = subjects.map(() => false);
  for (let page = 0; finished.some((f) => !f); page++) {
    const order = page % 2 === 0 ? subjects.map((_, k) => k) : subjects.map((_, k) => subjects.length - 1 - k);
    for (const k of order) {
      if (finished[k]) continue;
      let n = 0;
      readMs[k] += await timed(async () => {
        n = await cursors[k].next();
      });
      if (n === 0) finished[k] = true;
      read[k] += n;
      bar.tick(n);
    }
  }
  bar.done();
  const measured = subjects.map((_, k) => ({
    single: perSecond(sizes.single, singleMs[k]),
    concurrent: perSecond(per * CONCURRENCY, concMs[k]),
    batched: perSecond(sizes.batches * BATCH, batchMs[k]),
    load: perSecond(sizes.loads, loadMs[k]),
    read: perSecond(read[k], readMs[k]),
  }));
  return {
    measured,
    floorSingle: perSecond(sizes.single, singleMs[subjects.length]),
    floorLoad: perSecond(sizes.loads, loadMs[subjects.length]),
  };
}

registerBenchmark({
  name: 'emmett',
  description:
    "Head-to-head with Emmett's PostgreSQL event store: the same events (Vietnamese dossier payload, " +
    'exact expected versions, no command id) appended and read on the same PostgreSQL server in the same run.',
  async run(ctx) {
    const url = pgUrl();
    await assertPostgresReachable(url);
    const sizes: Sizes = {
      single: ctx.size(1000, 50),
      concurrent: ctx.size(3200, CONCURRENCY),
      batches: ctx.size(100, 2),
      loads: ctx.size(2000, 50),
    };
    const dbName = `motcua_bench_emmett_${process.pid}`;
    const emmettUrl = url.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
    const schema = `bench_h2h_${process.pid}_${Date.now().toString(36)}`;
    const admin = new Pool({ connectionString: url, max: 1 });
    await admin.query(`CREATE DATABASE ${dbName}`);
    const ours = createPostgresEventStore({ connectionString: url, schema, poolSize: CONCURRENCY + 2 });
    // Emmett gets a pool as large as ours, so the concurrent figure compares engines, not pool sizes.
    const theirPool = new Pool({ connectionString: emmettUrl, max: CONCURRENCY + 2 });
    const theirs = getPostgreSQLEventStore(emmettUrl, { connectionOptions: { pool: theirPool as never } });
    const rawSchema = `${schema}_raw`;
    await admin.query(`CREATE SCHEMA ${rawSchema}`);
    await admin.query(`CREATE TABLE ${rawSchema}.raw_events (seq bigserial PRIMARY KEY, stream_id text NOT NULL, revision bigint NOT NULL,
      type text NOT NULL, data json NOT NULL, metadata json NOT NULL, UNIQUE (stream_id, revision))`);
    const rawPool = new Pool({ connectionString: url, max: 1 });
    let m: Measured;
    let e: Measured;
    let floorSingle: number;
    let floorLoad: number;
    const them = emmett(theirs, emmettUrl);
    try {
      const r = await measure(ctx, [them, motcua(ours)], sizes, rawInserts(rawPool, `${rawSchema}.raw_events`));
      [e, m] = r.measured;
      floorSingle = r.floorSingle;
      floorLoad = r.floorLoad;
    } finally {
      await rawPool.end().catch(() => undefined);
      await admin.query(`DROP SCHEMA IF EXISTS ${rawSchema} CASCADE`).catch(() => undefined);
      await them.close?.().catch(() => undefined);
      await theirs.close().catch(() => undefined);
      await theirPool.end().catch(() => undefined);
      await ours.close().catch(() => undefined);
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
    const row = (name: string, unit: string, k: keyof Measured): Figure =>
      compared({ group: 'postgres', name, unit, value: m[k] }, { name: 'Emmett', value: e[k] }, 2, '≥ 2 × Emmett');
    return {
      figures: [
        row('single-event appends, sequential', 'appends/s', 'single'),
        row(`single-event appends, ${CONCURRENCY} concurrent`, 'appends/s', 'concurrent'),
        row(`${BATCH}-event appends`, 'events/s', 'batched'),
        row(`stream loads (${STREAM_LENGTH} events)`, 'streams/s', 'load'),
        row(`global read (pages of ${READ_BATCH})`, 'events/s', 'read'),
      ],
      parameters: { ...sizes, concurrency: CONCURRENCY, batch: BATCH, streamLength: STREAM_LENGTH },
      notes: [
        `${sizes.single} sequential and ${sizes.concurrent} concurrent single appends, ${sizes.batches} × ${BATCH}-event appends, ${sizes.loads} stream loads, then one read of each store's whole log.`,
        'Emmett in a fresh database, Motcua in a fresh schema of the same server; both with a pool of 34 connections.',
        `Sequential single appends are bound by one commit (one WAL flush) each, for both stores: the raw driver's own single-row autocommit INSERT, measured in the same rounds, made ${Math.round(floorSingle)}/s, i.e. ${(floorSingle / e.single).toFixed(2)} × Emmett. No store can append durably one at a time faster than that, so ≥ 2 × Emmett is out of reach on this figure whenever that ratio is below 2 (Motcua: ${(m.single / floorSingle).toFixed(2)} × the raw INSERT).`,
        `Stream loads are one round trip each for both stores: the raw driver's plain SELECT of the same rows (JSON parsed), measured in the same rounds, made ${Math.round(floorLoad)}/s, i.e. ${(floorLoad / e.load).toFixed(2)} × Emmett (Motcua: ${(m.load / floorLoad).toFixed(2)} × the raw SELECT); ≥ 2 × Emmett is out of reach whenever that ratio is below 2.`,
        `Each phase runs in ${ROUNDS} alternating rounds (Emmett, Motcua, then Motcua, Emmett, ...; the global read alternates page by page), each store's time summed: both see the same machine load.`,
      ],
    };
  },
});
