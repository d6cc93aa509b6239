/**
 * `emmett`: head-to-head with a peer (issue 9): Motcua's PostgreSQL event store against Emmett's
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
import { createPostgresEventStore } from '../libs/event-store/src/postgres/postgres-event-store';
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
  /** Reads the whole global log in pages; returns the number of events. */
  readAll(onPage: (n: number) => void): Promise<number>;
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
    async readAll(onPage) {
      let n = 0;
      let after: string | undefined;
      for (;;) {
        const page = await store.readAll({ after, maxCount: READ_BATCH });
        if (page.length === 0) return n;
        n += page.length;
        onPage(page.length);
        after = page[page.length - 1].position;
      }
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
    async readAll(onPage) {
      let n = 0;
      let after = 0n;
      try {
        for (;;) {
          const b = await readMessagesBatch(executor.execute, { after, batchSize: READ_BATCH });
          if (b.messages.length === 0) return n;
          n += b.messages.length;
          onPage(b.messages.length);
          after = b.currentGlobalPosition;
          if (!b.areMessagesLeft) return n;
        }
      } finally {
        await executor.close();
      }
    },
  };
}

interface Sizes {
  single: number;
  concurrent: number;
  batches: number;
  loads: number;
}

type Measured = Record<'single' | 'concurrent' | 'batched' | 'load' | 'read', number>;

async function measure(ctx: BenchContext, s: Subject, sizes: Sizes): Promise<Measured> {
  const streams = (prefix: string, n: number) => Array.from({ length: Math.ceil(n / STREAM_LENGTH) }, (_, i) => `${prefix}-${i}`);
  for (let i = 0; i < 20; i++) await s.append(`warm-${i}`, -1, [sampleEvent(i, `w-${i}`)]); // warm-up

  let bar = ctx.progress(`${s.name}: single appends, sequential`, sizes.single);
  const singleStreams = streams('single', sizes.single);
  const singleMs = await timed(async () => {
    const version = new Map<string, number>();
    for (let i = 0; i < sizes.single; i++) {
      const id = singleStreams[i % singleStreams.length];
      version.set(id, await s.append(id, version.get(id) ?? -1, [sampleEvent(i, `c-${i}`)]));
      bar.tick();
    }
  });
  bar.done();

  const per = Math.max(1, Math.floor(sizes.concurrent / CONCURRENCY));
  bar = ctx.progress(`${s.name}: single appends, ${CONCURRENCY} concurrent`, per * CONCURRENCY);
  const concMs = await timed(() =>
    Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        let v = -1;
        for (let i = 0; i < per; i++) {
          if (i % STREAM_LENGTH === 0) v = -1;
          v = await s.append(`conc-${w}-${Math.floor(i / STREAM_LENGTH)}`, v, [sampleEvent(i, `k-${w}-${i}`)]);
          bar.tick();
        }
      }),
    ),
  );
  bar.done();

  bar = ctx.progress(`${s.name}: ${BATCH}-event appends`, sizes.batches * BATCH);
  const batchMs = await timed(async () => {
    for (let b = 0; b < sizes.batches; b++) {
      await s.append(`batch-${b}`, -1, Array.from({ length: BATCH }, (_, i) => sampleEvent(b * BATCH + i, `b-${b}`)));
      bar.tick(BATCH);
    }
  });
  bar.done();

  bar = ctx.progress(`${s.name}: stream loads (${STREAM_LENGTH} events)`, sizes.loads);
  const loadMs = await timed(async () => {
    for (let i = 0; i < sizes.loads; i++) {
      const n = await s.load(singleStreams[i % singleStreams.length]);
      if (n === 0) throw new Error(`${s.name}: stream ${singleStreams[i % singleStreams.length]} loaded empty`);
      bar.tick();
    }
  });
  bar.done();

  bar = ctx.progress(`${s.name}: global read`, 0);
  let read = 0;
  const readMs = await timed(async () => {
    read = await s.readAll((n) => bar.tick(n));
  });
  bar.done();
  return {
    single: perSecond(sizes.single, singleMs),
    concurrent: perSecond(per * CONCURRENCY, concMs),
    batched: perSecond(sizes.batches * BATCH, batchMs),
    load: perSecond(sizes.loads, loadMs),
    read: perSecond(read, readMs),
  };
}

registerBenchmark({
  name: 'emmett',
  description:
    "Head-to-head with Emmett's PostgreSQL event store (issue 9): the same events (Vietnamese dossier payload, " +
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
    let m: Measured;
    let e: Measured;
    try {
      // Emmett first, then Motcua: if anything, a warmer server favours the second.
      e = await measure(ctx, emmett(theirs, emmettUrl), sizes);
      m = await measure(ctx, motcua(ours), sizes);
    } finally {
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
        'Emmett runs first in a fresh database, Motcua second in a fresh schema of the same server; both with a pool of 34 connections.',
      ],
    };
  },
});
