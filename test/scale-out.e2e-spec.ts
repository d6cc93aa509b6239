/**
 * Scale-out: two API and two worker processes (the compiled app, real child processes) against one
 * PostgreSQL and one Redis of their own (test/faults/cluster.ts; the shared services are untouched).
 * - one active worker: exactly one holds the leader lock (apps/worker/src/leader.ts), the other stands by;
 * - projections are not double-applied: after load through both APIs, the SLA read model equals a fresh
 *   replay of the log (auditReplay, row by row);
 * - alerts fire once: one dossier.deadline-missed.v1 per open dossier, and each API instance delivers each
 *   alert exactly once on its SSE stream;
 * - kill -9 the active worker: the standby takes over within seconds (measured) and the projection and the
 *   alerts catch up with the load sent meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { auditReplay, postgresScratch } from '@motcua/audit';
import type { RecordedEvent } from '@motcua/event-store';
import { activeSet, createPostgresDb, readCheckpoint } from '@motcua/read-models';
import { loadConfig } from '@motcua/platform';
import { openEventStore } from '@motcua/platform';
import { buildOnce, missingTools, removeTempDirs, clusterEnv, freePort, NodeProc, PgInstance, RedisInstance, sleep, tempDir, waitHttp } from './faults/cluster';
import { Counters, prng, seedReference } from './faults/counters';
import { readAllEvents, waitUntil } from './faults/events';

jest.setTimeout(300_000);

const ACTIVE = /"msg":"worker: active/;

/** Reads an SSE stream into `alerts` (alert id -> times delivered) until aborted. */
function followAlerts(baseUrl: string, token: string, signal: AbortSignal): Map<string, number> {
  const seen = new Map<string, number>();
  void (async () => {
    for (;;) {
      if (signal.aborted) return;
      try {
        const r = await fetch(`${baseUrl}/api/alerts/stream`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal });
        if (!r.ok || !r.body) throw new Error(`SSE ${r.status}`);
        const decoder = new TextDecoder();
        let buf = '';
        for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            if (!/^event: alert$/m.test(frame)) continue;
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (!data) continue;
            const a = JSON.parse(data) as { id: string; kind: string };
            seen.set(a.id, (seen.get(a.id) ?? 0) + 1);
          }
        }
      } catch {
        if (signal.aborted) return;
        await sleep(200);
      }
    }
  })();
  return seen;
}

const MISSING = missingTools();
(MISSING ? describe.skip : describe)(
  `scale-out: two APIs and two workers on one PostgreSQL and one Redis${MISSING ? ` (skipped: needs private PostgreSQL/Redis instances: ${MISSING})` : ''}`,
  () => {
    let pg: PgInstance;
    let redis: RedisInstance;
    let apis: NodeProc[];
    let workers: NodeProc[];
    let urls: string[];
    let env: Record<string, string>;
    let secret: string;
    const sse = new AbortController();

    beforeAll(async () => {
      const dist = await buildOnce();
      [pg, redis] = await Promise.all([PgInstance.create(), RedisInstance.create()]);
      const dataDir = tempDir('scale-out');
      secret = randomBytes(32).toString('base64url');
      // Info level for the workers: their "active"/"standby" lines tell which one holds the lock.
      env = clusterEnv({ pg, redis, dataDir, secret, masterKey: randomBytes(32).toString('hex'), prefix: `scale:${randomBytes(4).toString('hex')}:` });
      const ports = [await freePort(), await freePort()];
      urls = ports.map((p) => `http://127.0.0.1:${p}`);
      apis = ports.map((p, i) => new NodeProc(`api${i + 1}`, 'apps/api/src/main.js', dist, { ...env, PORT: String(p) }, dataDir));
      workers = [1, 2].map((i) => new NodeProc(`worker${i}`, 'apps/worker/src/main.js', dist, { ...env, LOG_LEVEL: 'info' }, dataDir));
      for (const p of [...apis, ...workers]) p.start();
      await Promise.all(urls.map((u) => waitHttp(u)));
    });

    afterAll(async () => {
      sse.abort();
      await Promise.all([...(apis ?? []), ...(workers ?? [])].map((p) => p.stop()));
      await Promise.all([pg?.destroy(), redis?.destroy()]);
      removeTempDirs();
    });

    it('one active worker, no double-applied projection, alerts once per API, fail-over within seconds', async () => {
      const counters = new Counters(urls, secret);
      await seedReference(counters);
      const monitor = await counters.token('monitor', 'monitor-1', 'H30');
      const streams = urls.map((u) => followAlerts(u, monitor, sse.signal));
      await sleep(1000); // both SSE streams subscribed before the first alert

      await waitUntil('one worker active', async () => workers.some((w) => ACTIVE.test(w.tail(1e6))), 60_000);
      await sleep(2000); // the other had time to take the lock too if the lock were broken
      expect(workers.filter((w) => ACTIVE.test(w.tail(1e6))).length).toBe(1);

      const rnd = prng(7);
      const load = async (label: number, ms: number) => {
        const stopAt = Date.now() + ms;
        await Promise.all(
          [1, 2, 3, 4].map((n) =>
            counters.runCounter(n, {
              stopAt,
              finishBy: stopAt + 60_000,
              completeShare: 0.4,
              rnd,
              pauseMs: 20,
              codeOf: (c, seq) => `H30.01-25030${label}-${String(c * 1000 + seq).padStart(4, '0')}`,
            }),
          ),
        );
      };
      await load(3, 8000);

      // Fail-over: kill the active worker under load; the standby must become active within seconds.
      const active = workers.find((w) => ACTIVE.test(w.tail(1e6)))!;
      const standby = workers.find((w) => w !== active)!;
      const during = load(4, 8000);
      await sleep(2000);
      const killedAt = Date.now();
      await active.kill9();
      await waitUntil('the standby to take over', async () => ACTIVE.test(standby.tail(1e6)), 30_000);
      const takeoverMs = Date.now() - killedAt;
      await during;
      expect(takeoverMs).toBeLessThan(10_000);

      const store = await openEventStore(loadConfig(env).eventStore);
      const live = createPostgresDb({ connectionString: pg.url, schema: 'read_models', poolSize: 2 });
      const scratch = await postgresScratch(pg.url)('scale');
      try {
        let events: RecordedEvent[] = [];
        const openStreams = () => {
          const done = new Set(events.filter((e) => e.type === 'dossier.completed.v1').map((e) => e.streamId));
          return [...new Set(events.filter((e) => e.type === 'dossier.received.v1').map((e) => e.streamId))].filter((s) => !done.has(s));
        };
        const missed = () => events.filter((e) => e.type === 'dossier.deadline-missed.v1');
        await waitUntil(
          'a deadline-missed event per open dossier',
          async () => {
            events = await readAllEvents(store);
            const m = new Set(missed().map((e) => e.streamId));
            return openStreams().every((s) => m.has(s));
          },
          60_000,
        );
        const perStream = new Map<string, number>();
        for (const e of missed()) perStream.set(e.streamId, (perStream.get(e.streamId) ?? 0) + 1);
        expect([...perStream].filter(([, n]) => n !== 1)).toEqual([]);
        expect(openStreams().length).toBeGreaterThan(0);

        // Each API delivers every deadline-missed alert to its SSE client, exactly once.
        const ids = missed().map((e) => `deadline-missed-${e.streamId.replace(/^dossier-/, '')}-${Date.parse((e.data as { dueAt: string }).dueAt)}`);
        await waitUntil('both SSE streams to deliver every alert', async () => streams.every((s) => ids.every((id) => s.has(id))), 30_000);
        for (const s of streams) expect([...s].filter(([id, n]) => id.startsWith('deadline-missed-') && n !== 1)).toEqual([]);

        // Not double-applied: the live model (written by two workers in turn) equals a fresh replay.
        const head = await store.headPosition();
        await waitUntil(
          'the projection to reach the head',
          async () => {
            const set = await activeSet(live);
            return !!set && (await readCheckpoint(live, set.tableSet))?.position === head;
          },
          60_000,
        );
        const report = await auditReplay({ store, live, scratch: scratch.db });
        expect({ count: report.disagreementCount, sample: report.disagreements.slice(0, 3) }).toEqual({ count: 0, sample: [] });
        expect(report.replayedEvents).toBe(events.length);
        console.log(
          `scale-out: ${events.length} events, ${counters.acked.length} commands via 2 APIs, take-over ${takeoverMs} ms, ${ids.length} deadline alerts x 2 streams`,
        );
        expect(counters.answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
      } finally {
        await scratch.dispose().catch(() => undefined);
        await live.close().catch(() => undefined);
        await store.close().catch(() => undefined);
      }
    });
  },
);
