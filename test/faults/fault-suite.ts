/**
 * The fault suite, for one deployment (faults-postgres.e2e-spec.ts, faults-sqlite.e2e-spec.ts). Under a bounded
 * load of receive/complete commands from simulated counters, which also send bad data (./bad-data.ts), the
 * API and the worker are killed with SIGKILL at random moments (seeded: FAULTS_SEED) and restarted by a
 * supervisor (as an orchestrator would), the store is made unavailable, and our own Redis (no persistence:
 * everything in it is lost) is killed and started:
 * - postgres: our own PostgreSQL (event store, read models, alerts) stopped "immediate" for 2.5–4 s;
 * - sqlite (what `npm start` runs: SQLite files in DATA_DIR, API_PROCESSES=2 behind one port): one API
 *   process killed under load (its cluster primary forks another), and another process holding the event
 *   store's write lock in the middle of an uncommitted write for 6.5–8 s (past the store's 5 s busy timeout)
 *   until it is killed with SIGKILL.
 * During each outage a probe keeps receipts in flight (Counters.probeWhile). Afterwards:
 * - every acknowledged (2xx) command is in the store exactly once, and the store holds nothing else: no event
 *   of a refused request, no dossier or completion that was not acknowledged, no row of the killed writer;
 * - the answers to the bad data are the documented 4xx with the error shape, a replay is answered as the
 *   first time, a key reused on the same dossier is 422 IDEMPOTENCY_KEY_REUSED;
 * - while a dependency was down, every 5xx answer was a 503 with Retry-After (never a 500), each store outage
 *   was answered 503 to the probe, and every command a counter started got through once the dependencies were
 *   back, with no operator action;
 * - no deadline alert was lost: every dossier still open (past due: received in March 2025) has exactly one
 *   dossier.deadline-missed.v1 event, and no dossier has two; the hash chains verify;
 * - after the chaos the worker still projects and alerts: a dossier received afterwards shows in GET /api/sla,
 *   whose figures equal those counted from the log; it and a dossier with a deadline of seconds raise their
 *   alerts on the SSE stream (due soon, then missed);
 * - the read models equal a fresh replay of the log (auditReplay of @motcua/audit: row-by-row diff);
 * - sqlite: every SQLite file passes PRAGMA integrity_check.
 *
 * Real processes on private instances (test/faults/cluster.ts): the shared PostgreSQL/Redis are not touched.
 * Sizes: FAULTS_LOAD_MS (default 20 s of load), FAULTS_COUNTERS (6), FAULTS_BAD_EVERY (a bad request after
 * every 3rd dossier of a counter).
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { deadlineMissedAlertId, dueSoonAlertId } from '@motcua/alerts';
import { auditReplay, scratchLike, verifyStore } from '@motcua/audit';
import type { EventStore, RecordedEvent } from '@motcua/event-store';
import { activeSet, createReadModelDb, readCheckpoint } from '@motcua/read-models';
import { loadConfig, openEventStore } from '@motcua/platform';
import { holidayNow, receiveAlwaysOpen, secondsDeadline } from '@motcua/testing';
import { followAlerts } from './alert-stream';
import { BAD_KINDS, BadData } from './bad-data';
import {
  buildOnce,
  clusterEnv,
  embeddedEnv,
  freePort,
  missingRedisTools,
  missingTools,
  NodeProc,
  PgInstance,
  RedisInstance,
  removeTempDirs,
  sleep,
  SqliteTornWriter,
  tempDir,
  waitHttp,
} from './cluster';
import { AGENCY, Counters, prng, seedReference } from './counters';
import { readAllEvents, waitUntil } from './events';

export type DeploymentKind = 'postgres' | 'sqlite';

const LOAD_MS = Number(process.env.FAULTS_LOAD_MS ?? 20_000);
const COUNTERS = Number(process.env.FAULTS_COUNTERS ?? 6);
const BAD_EVERY = Number(process.env.FAULTS_BAD_EVERY ?? 3);
/** API processes of the SQLite deployment: API_PROCESSES' default on a 2-core machine, what `npm start` runs here. */
const SQLITE_API_PROCESSES = process.env.FAULTS_API_PROCESSES ?? '2';
/** The event store's stream the killed writer wrote to (never committed: it must not exist afterwards). */
const TORN_STREAM = 'faults-torn-write';
const MARCH = 'from=2025-03-01&to=2025-03-31';

interface Outage {
  name: string;
  kind: 'store' | 'redis';
  /** The dependency is down from `from` to `to` (the probe's window); `began`/`ended` bracket the steps that take it down and bring it back. */
  began: number;
  from: number;
  to: number;
  ended: number;
}

/** How long after an outage's end a 503 still counts as the outage's (connections re-established, pools refilled). */
const OUTAGE_GRACE_MS = 5000;

export function faultSuite(kind: DeploymentKind): void {
  const SEED = Number(process.env.FAULTS_SEED ?? Date.now() % 100_000);
  const sqlite = kind === 'sqlite';
  const MISSING = sqlite ? missingRedisTools() : missingTools();
  const title = sqlite
    ? 'faults on the embedded default (SQLite): kill -9 API processes and worker, a writer killed holding the store lock, Redis restarted, under load'
    : 'faults on PostgreSQL: kill -9 API and worker, restart PostgreSQL and Redis under load';
  (MISSING ? describe.skip : describe)(
    `${title}${MISSING ? ` (skipped: needs private ${sqlite ? 'Redis' : 'PostgreSQL/Redis'} instances: ${MISSING})` : ''}`,
    () => {
      let pg: PgInstance | undefined;
      let redis: RedisInstance;
      let api: NodeProc;
      let worker: NodeProc;
      let baseUrl: string;
      let env: Record<string, string>;
      let secret: string;
      let dataDir: string;
      /** Processes the supervisor must not restart (held down on purpose). */
      const held = new Set<NodeProc>();
      let supervising = false;
      let supervisor: Promise<void> | undefined;
      let torn: SqliteTornWriter | undefined;
      /** The run's counters, stopped in afterAll (a failed test leaves them retrying otherwise). */
      let running: Counters | undefined;
      const log: string[] = [];

      beforeAll(async () => {
        const dist = await buildOnce();
        [pg, redis] = await Promise.all([sqlite ? undefined : PgInstance.create(), RedisInstance.create()]);
        dataDir = tempDir(`faults-${kind}`);
        secret = randomBytes(32).toString('base64url');
        const port = await freePort();
        const common = { redis, dataDir, secret, masterKey: randomBytes(32).toString('hex'), prefix: `faults:${randomBytes(4).toString('hex')}:` };
        // A due-soon warning at a quarter of the deadline (the default: at three quarters), so the seconds-deadline
        // dossier written after the chaos leaves the worker 6 of its 8 s to raise it (it is skipped once due).
        const alerting = { ALERT_DUE_SOON_FRACTION: '0.75' };
        env = sqlite
          ? embeddedEnv({ ...common, extra: { ...alerting, API_PROCESSES: SQLITE_API_PROCESSES } })
          : clusterEnv({ ...common, pg: pg!, extra: alerting });
        // The SQLite API forks its processes (node:cluster), so it runs from a script file as `npm start` runs it.
        api = new NodeProc('api', 'apps/api/src/main.js', dist, { ...env, PORT: String(port) }, dataDir, { script: sqlite });
        worker = new NodeProc('worker', 'apps/worker/src/main.js', dist, env, dataDir);
        baseUrl = `http://127.0.0.1:${port}`;
        api.start();
        worker.start();
        await waitHttp(baseUrl).catch((e) => {
          throw new Error(`${(e as Error).message}\napi log:\n${api.tail()}\nworker log:\n${worker.tail()}`);
        });
      });

      afterAll(async () => {
        if (running) running.aborted = true;
        supervising = false;
        await supervisor;
        await torn?.kill9();
        await Promise.all([api?.stop(), worker?.stop()]);
        // FAULTS_LOG_DIR=<dir>: keep the children's logs (the data dir is removed).
        if (process.env.FAULTS_LOG_DIR)
          for (const p of [api, worker]) if (p) copyFileSync(p.logFile, join(process.env.FAULTS_LOG_DIR, `faults-${kind}-${p.name}.log`));
        await Promise.all([pg?.destroy(), redis?.destroy()]);
        removeTempDirs();
      });

      it('loses nothing, writes nothing twice or unasked, refuses bad data, answers 503 + Retry-After while a dependency is down, recovers, still projects and alerts', async () => {
        // The chaos schedule draws from its own sequence, so that FAULTS_SEED replays it whatever the counters draw.
        const rnd = prng(SEED);
        const counterRnd = prng(SEED + 1);
        // 10 s: an append waiting for a locked SQLite store gives up after 5 s (503); the client waits longer.
        const counters = (running = new Counters([baseUrl], secret, { requestTimeoutMs: 10_000 }));
        const bad = new BadData();
        await seedReference(counters);
        const t0 = Date.now();
        const at = (ms: number) => sleep(Math.max(0, t0 + ms - Date.now()));
        const note = (s: string) => log.push(`${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);
        const context = () => ({ seed: SEED, log });

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
        const stopAt = t0 + L;
        const finishBy = stopAt + 90_000;
        const win = (from: number, to: number) => L * (from + rnd() * (to - from));
        const outages: Outage[] = [];
        const probes: Array<Promise<void>> = [];
        /**
         * An outage with a probe in flight all along. It starts once the API answers (a kill -9 shortly before
         * may still be restarting it): what is tested is how a running API answers while a dependency is down.
         */
        const outage = async (name: string, what: Outage['kind'], ms: number, begin: () => Promise<void>, end: () => Promise<void>) => {
          await waitHttp(baseUrl);
          note(name);
          const began = Date.now();
          await begin();
          const o: Outage = { name, kind: what, began, from: Date.now(), to: Number.POSITIVE_INFINITY, ended: Number.POSITIVE_INFINITY };
          outages.push(o);
          probes.push(counters.probeWhile(`P${outages.length}`, () => o.to === Number.POSITIVE_INFINITY, finishBy));
          await sleep(ms);
          o.to = Date.now();
          await end();
          o.ended = Date.now();
          note(`${name}: over after ${((o.to - o.from) / 1000).toFixed(1)} s`);
        };
        const chaos = (async () => {
          await at(win(0.08, 0.18));
          if (sqlite) note(`kill -9 one API process (pid ${await api.kill9One((n) => Math.floor(rnd() * n))})`);
          else {
            note('kill -9 api');
            await api.kill9();
          }
          await at(win(0.2, 0.3));
          note('kill -9 worker');
          await worker.kill9();
          await at(win(0.33, 0.4));
          if (sqlite) {
            await outage(
              'another process holds the event store write lock, mid-write',
              'store',
              6500 + rnd() * 1500,
              async () => {
                torn = await SqliteTornWriter.begin(join(dataDir, 'events.sqlite'), TORN_STREAM);
              },
              async () => {
                note('kill -9 of the writer holding the lock (never committed)');
                await torn!.kill9();
                // Both API processes now commit the appends queued behind the lock: a kill -9 at once most
                // likely lands inside one of those write transactions.
                note(`kill -9 one API process as the lock is released (pid ${await api.kill9One((n) => Math.floor(rnd() * n))})`);
              },
            );
          } else {
            await outage(
              'PostgreSQL stop (immediate)',
              'store',
              2500 + rnd() * 1500,
              () => pg!.stop('immediate'),
              () => pg!.start(),
            );
          }
          await at(win(0.6, 0.66));
          await outage(
            'Redis killed (no persistence)',
            'redis',
            1500 + rnd() * 1500,
            () => redis.stop(),
            () => redis.start(),
          );
          await at(win(0.78, 0.9));
          note('kill -9 api (every process) and worker');
          await Promise.all([api.kill9Tree(), worker.kill9()]);
        })();

        await Promise.all([
          chaos,
          ...Array.from({ length: COUNTERS }, (_, n) =>
            counters.runCounter(n + 1, {
              stopAt,
              finishBy,
              completeShare: 0.5,
              rnd: counterRnd,
              pauseMs: 30,
              codeOf: (c, seq) => `${AGENCY}-250303-${String(c * 1000 + seq).padStart(4, '0')}`,
              badEvery: BAD_EVERY,
              bad: bad.send,
            }),
          ),
        ]);
        await Promise.all(probes);
        note(`load over: ${counters.acked.length} commands acknowledged, ${counters.answers.length} answers, ${bad.outcomes.length} bad requests`);

        // --- 503 + Retry-After, never 500; each store outage answered 503 -------------------------------------
        const fivexx = counters.answers.filter((a) => a.status >= 500);
        const wrong5xx = fivexx.filter((a) => a.status !== 503 || !a.retryAfter);
        expect({ ...context(), wrong5xx: wrong5xx.slice(0, 5) }).toEqual({ ...context(), wrong5xx: [] });
        // ... and only while a dependency was down: the request was in flight during an outage (or just after it).
        const outside = fivexx.filter((a) => !outages.some((o) => a.at >= o.began && a.sent <= o.ended + OUTAGE_GRACE_MS));
        expect({ ...context(), outside: outside.slice(0, 5).map((a) => ({ ...a, sent: a.sent - t0, at: a.at - t0 })) }).toEqual({ ...context(), outside: [] });
        const during = (o: Outage) => counters.answers.filter((a) => a.route === 'probe' && a.sent >= o.from && a.sent <= o.to);
        const perOutage = outages.map((o) => {
          const answers = during(o);
          return {
            outage: o.name,
            probed: answers.length > 0,
            // A store outage is answered 503 (the API stays up), not only as dropped connections; while Redis
            // (a cache and the queues, not the store) is down, commands are still acknowledged.
            seen503: o.kind !== 'store' || answers.some((a) => a.status === 503 && !!a.retryAfter),
            acknowledged: o.kind !== 'redis' || answers.some((a) => a.status >= 200 && a.status < 300),
            statuses: [...new Set(answers.map((a) => a.status))].sort(),
          };
        });
        expect({ ...context(), perOutage }).toEqual({
          ...context(),
          perOutage: perOutage.map((p) => ({ ...p, probed: true, seen503: true, acknowledged: true })),
        });
        expect(outages.map((o) => o.kind)).toEqual(['store', 'redis']);

        // Every command a counter started was eventually acknowledged: the system recovered by itself.
        expect({ ...context(), unacked: counters.unacked.slice(0, 10) }).toEqual({ ...context(), unacked: [] });
        expect(counters.received.size).toBeGreaterThan(COUNTERS * 3);
        const refused = counters.answers.filter((a) => a.route !== 'bad' && a.status >= 400 && a.status < 500 && a.errorCode !== 'CONCURRENCY_CONFLICT');
        expect({ refused: refused.slice(0, 5) }).toEqual({ refused: [] });

        // --- bad data: the documented answers, every kind sent ---------------------------------------------------
        expect({ ...context(), wrongAnswers: bad.outcomes.filter((o) => o.wrong).slice(0, 10) }).toEqual({ ...context(), wrongAnswers: [] });
        expect(BAD_KINDS.filter((k) => !bad.outcomes.some((o) => o.kind === k))).toEqual([]);

        const cfg = loadConfig(env);
        const store = await openEventStore(cfg.eventStore);
        const readModels = createReadModelDb(cfg.readModels);
        const scratch = await scratchLike(readModels, { connectionString: pg?.url, dir: tempDir('faults-scratch') })('faults');
        const sse = new AbortController();
        try {
          // --- no deadline alert lost: every dossier open at the end is past due and gets exactly one missed event
          let events: RecordedEvent[] = [];
          const streamsOf = (type: string) => new Set(events.filter((e) => e.type === type).map((e) => e.streamId));
          const open = () => {
            const completed = streamsOf('dossier.completed.v1');
            return [...streamsOf('dossier.received.v1')].filter((s) => !completed.has(s));
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

          // --- exactly once, and nothing else --------------------------------------------------------------------
          const byCommand = new Map<string, number>();
          // A keyed command over HTTP is stored under idem:<sender's scope>:<key>; on a dossier, only the counters and
          // the probe sent any (the worker's ids are its own, the reference data is on other streams).
          const ours = (e: RecordedEvent, id: string) => e.streamId.startsWith('dossier-') && id.startsWith('idem:');
          const unasked: string[] = [];
          const acked = new Set(counters.acked.map((a) => `${a.commandId}|${a.type}`));
          for (const e of events) {
            const id = (e.metadata as { commandId?: string }).commandId;
            if (!id) continue;
            byCommand.set(`${id}|${e.type}`, (byCommand.get(`${id}|${e.type}`) ?? 0) + 1);
            if ((ours(e, id) && !acked.has(`${id}|${e.type}`)) || bad.refusedCommandIds.has(id)) unasked.push(`${e.streamId} ${e.type} ${id}`);
          }
          const notOnce = counters.acked
            .filter((a) => byCommand.get(`${a.commandId}|${a.type}`) !== 1)
            .map((a) => ({ ...a, n: byCommand.get(`${a.commandId}|${a.type}`) ?? 0 }));
          expect(notOnce).toEqual([]);
          expect(unasked.slice(0, 10)).toEqual([]);
          // The dossiers in the store are exactly those whose receipt was acknowledged, the completed ones exactly
          // those whose completion was; nothing of the refused requests, nothing of the killed writer.
          const dossier = (c: string) => `dossier-${c}`;
          const stored = streamsOf('dossier.received.v1');
          expect([...counters.received].filter((c) => !stored.has(dossier(c)))).toEqual([]);
          expect([...stored].filter((s) => !s.startsWith('dossier-') || !counters.received.has(s.slice('dossier-'.length)))).toEqual([]);
          const completedStreams = streamsOf('dossier.completed.v1');
          expect([...completedStreams].filter((s) => !counters.completed.has(s.slice('dossier-'.length)))).toEqual([]);
          expect([...counters.completed].filter((c) => !completedStreams.has(dossier(c)))).toEqual([]);
          const streams = new Set(events.map((e) => e.streamId));
          expect([...bad.neverWritten].filter((c) => streams.has(dossier(c)))).toEqual([]);
          expect(events.filter((e) => e.streamId === TORN_STREAM || e.type === 'faults.torn-write.v1').length).toBe(0);
          expect(await store.readStream(TORN_STREAM)).toEqual([]);
          const chains = await verifyStore(store);
          expect({ ok: chains.ok, broken: chains.broken.slice(0, 3) }).toEqual({ ok: true, broken: [] });

          // --- after the chaos the worker still projects and alerts ---------------------------------------------
          const monitor = await counters.token('monitor', 'monitor-faults', 'H30');
          const alerts = followAlerts(baseUrl, monitor, await store.headPosition(), sse.signal);
          await sleep(500); // the stream is open (it would replay from the position anyway)
          const after = `${AGENCY}-250303-AFTER`;
          const clerk = await counters.token('clerk', 'after', AGENCY);
          const received = await counters.receive('after', clerk, after, Date.now() + 60_000);
          expect(received.status).toBe(201);
          const afterDue = (received.body as { dueAt: string }).dueAt;
          const expectedAlerts = [deadlineMissedAlertId(after, afterDue)];
          // A dossier with a deadline of seconds (24/7 calendar, written to the store as the alerts e2e does): the
          // worker's timers (BullMQ on the Redis that lost everything) raise due soon, then missed.
          const holiday = holidayNow();
          if (holiday) console.warn(`faults (${kind}): no seconds-deadline alert checked: ${holiday} is an official holiday (no working time)`);
          else {
            const code = `${AGENCY}-ALERT-${SEED}`;
            const due = await receiveAlwaysOpen(store, code, AGENCY, secondsDeadline(8));
            expectedAlerts.push(dueSoonAlertId(code, due), deadlineMissedAlertId(code, due));
          }
          // The figures of March 2025 over HTTP, equal to those counted from the log (with the dossier just received).
          let sla: { received: number; completed: number; openOverdue: number; openWithinDeadline: number } | undefined;
          let fromLog: typeof sla;
          await waitUntil(
            'GET /api/sla to count the dossier received after the chaos, with the figures of the log',
            async () => {
              events = await readAllEvents(store);
              const inMarch = [...streamsOf('dossier.received.v1')].filter((s) => s.startsWith(`dossier-${AGENCY}-250303-`));
              const done = streamsOf('dossier.completed.v1');
              fromLog = {
                received: inMarch.length,
                completed: inMarch.filter((s) => done.has(s)).length,
                openOverdue: inMarch.filter((s) => !done.has(s)).length,
                openWithinDeadline: 0,
              };
              const r = await counters.call('sla', 'GET', `/api/sla?${MARCH}&by=agency&agency=${AGENCY}`, monitor);
              const row =
                r.status === 200 ? (r.body.rows as Array<Record<string, number> & { agencyCode: string }>).find((x) => x.agencyCode === AGENCY) : undefined;
              sla = row && { received: row.received, completed: row.completed, openOverdue: row.openOverdue, openWithinDeadline: row.openWithinDeadline };
              return r.status === 200 && r.body.watermark.behind === 0 && sla?.received === fromLog.received;
            },
            60_000,
          );
          expect(sla).toEqual(fromLog);
          expect(fromLog!.received).toBe([...counters.received].filter((c) => c.startsWith(`${AGENCY}-250303-`)).length);

          await waitUntil(
            `the alerts ${expectedAlerts.join(', ')} on the SSE stream`,
            async () => expectedAlerts.every((id) => alerts.some((a) => a.id === id)),
            60_000,
          );
          const streamedIds = alerts.map((a) => a.id).filter((id) => expectedAlerts.includes(id));
          expect(streamedIds.filter((id, i) => streamedIds.indexOf(id) !== i)).toEqual([]); // each once
          note(`after the chaos: alerts ${alerts.map((a) => `${a.kind} ${a.dossierCode}`).join(', ')}`);

          // --- read models = a fresh replay -----------------------------------------------------------------------
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
          events = await readAllEvents(store);
          const report = await auditReplay({ store, live: readModels, scratch: scratch.db });
          expect({ disagreements: report.disagreements.slice(0, 5), count: report.disagreementCount }).toEqual({ disagreements: [], count: 0 });
          expect(report.ok).toBe(true);
          expect(report.replayedEvents).toBe(events.length);

          // --- sqlite: the files survived the kills intact ---------------------------------------------------------
          if (sqlite) {
            const files = readdirSync(dataDir).filter((f) => f.endsWith('.sqlite'));
            expect(files).toEqual(expect.arrayContaining(['events.sqlite', 'read-models.sqlite', 'alerts.sqlite']));
            const integrity = files.map((f) => {
              const db = new Database(join(dataDir, f), { readonly: true });
              try {
                return [f, db.pragma('integrity_check', { simple: true })];
              } finally {
                db.close();
              }
            });
            expect(integrity).toEqual(files.map((f) => [f, 'ok']));
            note(`integrity_check ok: ${files.join(', ')}`);
          }

          const byKind = BAD_KINDS.map((k) => `${k} ${bad.outcomes.filter((o) => o.kind === k).length}`).join(', ');
          note(
            `ok: ${events.length} events, ${counters.acked.length} acknowledged commands, ${fivexx.length} answers 503, ` +
              `${counters.answers.filter((a) => a.status === 0).length} network errors, bad requests: ${byKind}; ` +
              `probes: ${perOutage.map((p) => `${p.outage}: ${p.statuses.join('/')}`).join('; ')}; api started ${api.starts}x, worker ${worker.starts}x`,
          );
          console.log(`faults ${kind} (seed ${SEED}):\n  ${log.join('\n  ')}`);
        } finally {
          sse.abort();
          await scratch.dispose().catch(() => undefined);
          await readModels.close().catch(() => undefined);
          await (store as EventStore).close().catch(() => undefined);
        }
      });
    },
  );
}
