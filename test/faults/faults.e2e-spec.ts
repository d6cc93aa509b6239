/**
 * Fault test: under a bounded load of receive/complete commands from simulated counters, the API
 * and the worker are killed with SIGKILL at random moments (seeded: FAULTS_SEED) and restarted by a supervisor
 * (as an orchestrator would), our own PostgreSQL is stopped ("immediate": connections dropped) and started, and
 * our own Redis (no persistence: everything in it is lost) is killed and started. Afterwards:
 * - every acknowledged (2xx) command is in the store exactly once (events per command id);
 * - the SLA read model equals a fresh replay of the log (auditReplay of @motcua/audit: row-by-row diff);
 * - no deadline alert was lost: every dossier still open (past its due instant: received in March 2025) has
 *   exactly one dossier.deadline-missed.v1 event, and no dossier has two;
 * - while a dependency was down, every 5xx answer was a 503 with Retry-After (never a 500), and the counters'
 *   retries (same Idempotency-Key) all got through once the dependencies were back, with no operator action.
 *
 * Real processes on private instances (test/faults/cluster.ts): the shared PostgreSQL/Redis are not touched.
 * Run alone: `npm run test:faults`. Sizes: FAULTS_LOAD_MS (default 30 s of load), FAULTS_COUNTERS (6).
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditReplay, postgresScratch } from '@motcua/audit';
import type { RecordedEvent } from '@motcua/event-store';
import { readAllEvents, waitUntil } from './events';
import { createPostgresDb } from '@motcua/read-models';
import { activeSet, readCheckpoint } from '@motcua/read-models';
import { loadConfig } from '@motcua/platform';
import { openEventStore } from '@motcua/platform';
import { buildOnce, missingTools, removeTempDirs, clusterEnv, freePort, NodeProc, PgInstance, RedisInstance, sleep, tempDir, waitHttp } from './cluster';
import { Counters, prng, seedReference } from './counters';

const LOAD_MS = Number(process.env.FAULTS_LOAD_MS ?? 30_000);
const COUNTERS = Number(process.env.FAULTS_COUNTERS ?? 6);
const SEED = Number(process.env.FAULTS_SEED ?? Date.now() % 100_000);

jest.setTimeout(300_000);

const MISSING = missingTools();
(MISSING ? describe.skip : describe)(
  `faults: kill -9 API and worker, restart PostgreSQL and Redis under load${MISSING ? ` (skipped: needs private PostgreSQL/Redis instances: ${MISSING})` : ''}`,
  () => {
    let pg: PgInstance;
    let redis: RedisInstance;
    let api: NodeProc;
    let worker: NodeProc;
    let baseUrl: string;
    let env: Record<string, string>;
    let secret: string;
    /** Processes the supervisor must not restart (held down on purpose). */
    const held = new Set<NodeProc>();
    let supervising = false;
    let supervisor: Promise<void> | undefined;
    const log: string[] = [];

    beforeAll(async () => {
      const dist = await buildOnce();
      [pg, redis] = await Promise.all([PgInstance.create(), RedisInstance.create()]);
      const dataDir = tempDir('faults');
      secret = randomBytes(32).toString('base64url');
      const port = await freePort();
      env = clusterEnv({ pg, redis, dataDir, secret, masterKey: randomBytes(32).toString('hex'), prefix: `faults:${randomBytes(4).toString('hex')}:` });
      api = new NodeProc('api', 'apps/api/src/main.js', dist, { ...env, PORT: String(port) }, dataDir);
      worker = new NodeProc('worker', 'apps/worker/src/main.js', dist, env, dataDir);
      baseUrl = `http://127.0.0.1:${port}`;
      api.start();
      worker.start();
      await waitHttp(baseUrl).catch((e) => {
        throw new Error(`${(e as Error).message}\napi log:\n${api.tail()}\nworker log:\n${worker.tail()}`);
      });
    });

    afterAll(async () => {
      supervising = false;
      await supervisor;
      await Promise.all([api?.stop(), worker?.stop()]);
      // FAULTS_LOG_DIR=<dir>: keep the children's logs (the data dir is removed).
      if (process.env.FAULTS_LOG_DIR) for (const p of [api, worker]) if (p) copyFileSync(p.logFile, join(process.env.FAULTS_LOG_DIR, `faults-${p.name}.log`));
      await Promise.all([pg?.destroy(), redis?.destroy()]);
      removeTempDirs();
    });

    it('loses nothing, writes nothing twice, answers 503 + Retry-After while a dependency is down, recovers', async () => {
      const rnd = prng(SEED);
      const counters = new Counters([baseUrl], secret);
      await seedReference(counters);
      const t0 = Date.now();
      const at = (ms: number) => sleep(Math.max(0, t0 + ms - Date.now()));
      const note = (s: string) => log.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);

      // The supervisor restarts whatever died (a kill -9, or a worker that stepped down when its lock was lost).
      supervising = true;
      supervisor = (async () => {
        while (supervising) {
          for (const p of [api, worker]) {
            if (!p.running && !held.has(p)) {
              note(`supervisor: start ${p.name}`);
              p.start();
            }
          }
          await sleep(300);
        }
      })();

      const L = LOAD_MS;
      const win = (from: number, to: number) => L * (from + rnd() * (to - from));
      const chaos = (async () => {
        await at(win(0.08, 0.18));
        note('kill -9 api');
        await api.kill9();
        await at(win(0.2, 0.3));
        note('kill -9 worker');
        await worker.kill9();
        await at(win(0.35, 0.42));
        note('PostgreSQL stop (immediate)');
        await pg.stop('immediate');
        await sleep(2500 + rnd() * 1500);
        await pg.start();
        note('PostgreSQL started');
        await at(win(0.6, 0.68));
        note('Redis killed (no persistence)');
        await redis.stop();
        await sleep(1500 + rnd() * 1500);
        await redis.start();
        note('Redis started');
        await at(win(0.78, 0.9));
        note('kill -9 api and worker');
        await Promise.all([api.kill9(), worker.kill9()]);
      })();

      const stopAt = t0 + L;
      const finishBy = stopAt + 90_000;
      await Promise.all([
        chaos,
        ...Array.from({ length: COUNTERS }, (_, n) =>
          counters.runCounter(n + 1, {
            stopAt,
            finishBy,
            completeShare: 0.5,
            rnd,
            pauseMs: 30,
            codeOf: (c, seq) => `H30.01-250303-${String(c * 1000 + seq).padStart(4, '0')}`,
          }),
        ),
      ]);
      note(`load over: ${counters.acked.length} commands acknowledged, ${counters.answers.length} answers`);

      // --- 503 + Retry-After, never 500 ------------------------------------------------------------------
      const fivexx = counters.answers.filter((a) => a.status >= 500);
      const bad = fivexx.filter((a) => a.status !== 503 || !a.retryAfter);
      // The outage was seen as 503s (the API stayed up while PostgreSQL was down), not only as dropped connections.
      expect({ seen503: fivexx.length > 0, log }).toEqual({ seen503: true, log });
      expect({ seed: SEED, bad: bad.slice(0, 5), log }).toEqual({ seed: SEED, bad: [], log });
      // Every command a counter started was eventually acknowledged: the system recovered by itself.
      expect({ unacked: counters.unacked.slice(0, 10), log }).toEqual({ unacked: [], log });
      expect(counters.received.size).toBeGreaterThan(COUNTERS * 3);
      const refused = counters.answers.filter((a) => a.status >= 400 && a.status < 500 && a.errorCode !== 'CONCURRENCY_CONFLICT');
      expect({ refused: refused.slice(0, 5) }).toEqual({ refused: [] });

      // --- exactly once ----------------------------------------------------------------------------------
      const cfg = loadConfig(env);
      const store = await openEventStore(cfg.eventStore);
      const readModels = createPostgresDb({ connectionString: pg.url, schema: 'read_models', poolSize: 2 });
      const scratch = await postgresScratch(pg.url)('faults');
      try {
        // No deadline alert lost: every dossier open at the end is past due and gets exactly one missed event.
        let events: RecordedEvent[] = [];
        const open = () => {
          const completed = new Set(events.filter((e) => e.type === 'dossier.completed.v1').map((e) => e.streamId));
          return [...new Set(events.filter((e) => e.type === 'dossier.received.v1').map((e) => e.streamId))].filter((s) => !completed.has(s));
        };
        const missedBy = () => {
          const m = new Map<string, number>();
          for (const e of events) if (e.type === 'dossier.deadline-missed.v1') m.set(e.streamId, (m.get(e.streamId) ?? 0) + 1);
          return m;
        };
        await waitUntil(
          'a deadline-missed event for every open dossier',
          async () => {
            events = await readAllEvents(store);
            const m = missedBy();
            return open().every((s) => m.has(s));
          },
          60_000,
        );
        const missed = missedBy();
        expect(open().filter((s) => missed.get(s) !== 1)).toEqual([]);
        expect([...missed].filter(([, n]) => n !== 1)).toEqual([]);

        const byCommand = new Map<string, number>();
        for (const e of events) {
          const id = (e.metadata as { commandId?: string }).commandId;
          if (id) byCommand.set(`${id}|${e.type}`, (byCommand.get(`${id}|${e.type}`) ?? 0) + 1);
        }
        const notOnce = counters.acked
          .filter((a) => byCommand.get(`${a.commandId}|${a.type}`) !== 1)
          .map((a) => ({ ...a, n: byCommand.get(`${a.commandId}|${a.type}`) ?? 0 }));
        expect(notOnce).toEqual([]);
        // And nothing the counters were told about is missing from the dossiers' streams.
        const receivedStreams = new Set(events.filter((e) => e.type === 'dossier.received.v1').map((e) => e.streamId));
        expect([...counters.received].filter((c) => !receivedStreams.has(`dossier-${c}`))).toEqual([]);

        // --- read models = a fresh replay -----------------------------------------------------------------
        const head = await store.headPosition();
        await waitUntil(
          'the projection to reach the head of the log',
          async () => {
            const set = await activeSet(readModels);
            return !!set && (await readCheckpoint(readModels, set.tableSet))?.position === head;
          },
          60_000,
        );
        held.add(worker);
        await worker.stop(); // a quiet store for the comparison
        const report = await auditReplay({ store, live: readModels, scratch: scratch.db });
        expect({ disagreements: report.disagreements.slice(0, 5), count: report.disagreementCount }).toEqual({ disagreements: [], count: 0 });
        expect(report.ok).toBe(true);
        expect(report.replayedEvents).toBe(events.length);
        note(
          `ok: ${events.length} events, ${counters.acked.length} acknowledged commands, ${fivexx.length} answers 503, ${counters.answers.filter((a) => a.status === 0).length} network errors; api started ${api.starts}x, worker ${worker.starts}x`,
        );
        console.log(`faults (seed ${SEED}):\n  ${log.join('\n  ')}`);
      } finally {
        await scratch.dispose().catch(() => undefined);
        await readModels.close().catch(() => undefined);
        await store.close().catch(() => undefined);
      }
    });
  },
);
