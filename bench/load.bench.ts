/**
 * `load`: sustained mixed traffic from many simulated counters against the compiled API and worker
 * (child processes, exactly what `npm start` runs) on a PostgreSQL and a Redis of their own (initdb + redis-server
 * on free ports, test/faults/cluster.ts: the shared services are not touched), for LOAD_SECONDS (default 75 s,
 * × BENCH_SCALE). Each counter, in a closed loop: receive a dossier (own Idempotency-Key), complete 40 % of them,
 * read one back; a monitor asks for /api/sla every 2 s. Commands that got no answer or a 503 are retried with the
 * same key, as a counter's client does.
 *
 * Recorded: throughput (acknowledged commands/s), p50/p99 latency of commands, error rate (answers other than
 * 2xx / all answers), projection lag (the `behind` of /api/sla's watermark, events not yet projected), and the
 * RSS of the API and the worker sampled every 2 s: first, last, max and the least-squares slope over the run
 * after a warm-up (MB per minute; ~0 = no growth).
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { clusterEnv, freePort, removeTempDirs, NodeProc, PgInstance, RedisInstance, ROOT, sleep, tempDir, waitHttp } from '../test/faults/cluster';
import { Counters, percentile, prng, seedReference } from '../test/faults/counters';
import { registerBenchmark, type BenchContext, type Figure } from './registry';

const COUNTERS = Number(process.env.LOAD_COUNTERS ?? 24);
const SAMPLE_MS = 2000;
const WARMUP_MS = 15_000;

/** Least-squares slope of (t ms, bytes) in MB per minute. */
function slopeMbPerMin(samples: Array<{ t: number; rss: number }>): number {
  const n = samples.length;
  if (n < 3) return 0;
  const mt = samples.reduce((a, s) => a + s.t, 0) / n;
  const mr = samples.reduce((a, s) => a + s.rss, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.t - mt) * (s.rss - mr);
    den += (s.t - mt) ** 2;
  }
  return den === 0 ? 0 : ((num / den) * 60_000) / 2 ** 20;
}

const MB = (b: number) => +(b / 2 ** 20).toFixed(1);

async function run(ctx: BenchContext) {
  const seconds = Math.round(Number(process.env.LOAD_SECONDS ?? 75) * ctx.scale);
  const dist = path.join(ROOT, 'dist');
  ctx.log(`load: starting private PostgreSQL and Redis, API and worker (${COUNTERS} counters, ${seconds} s)`);
  const [pg, redis] = await Promise.all([PgInstance.create(), RedisInstance.create()]);
  const dataDir = tempDir('load');
  const secret = randomBytes(32).toString('base64url');
  const port = await freePort();
  const env = clusterEnv({
    pg,
    redis,
    dataDir,
    secret,
    masterKey: randomBytes(32).toString('hex'),
    prefix: `load:${randomBytes(4).toString('hex')}:`,
    extra: { LOG_LEVEL: 'warn' },
  });
  const api = new NodeProc('api', 'apps/api/src/main.js', dist, { ...env, PORT: String(port) }, dataDir);
  const worker = new NodeProc('worker', 'apps/worker/src/main.js', dist, env, dataDir);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    api.start();
    worker.start();
    await waitHttp(baseUrl);
    const counters = new Counters([baseUrl], secret, { keepAnswers: false, requestTimeoutMs: 10_000 });
    await seedReference(counters);
    const monitor = await counters.token('monitor', 'monitor-1', 'H30');

    const t0 = Date.now();
    const stopAt = t0 + seconds * 1000;
    const rss: Record<'api' | 'worker', Array<{ t: number; rss: number }>> = { api: [], worker: [] };
    const lag: number[] = [];
    const bar = ctx.progress('load seconds', seconds);
    let running = true;
    const sampler = (async () => {
      let ticked = 0;
      while (running) {
        const t = Date.now() - t0;
        for (const [name, p] of [
          ['api', api],
          ['worker', worker],
        ] as const) {
          const v = p.rss();
          if (v) rss[name].push({ t, rss: v });
        }
        const r = await counters.call('sla', 'GET', '/api/sla?from=2025-03-01&to=2025-03-31&by=level', monitor);
        const behind = (r.body as { watermark?: { behind?: number } } | undefined)?.watermark?.behind;
        if (typeof behind === 'number') lag.push(behind);
        const s = Math.min(seconds, Math.floor(t / 1000));
        bar.tick(s - ticked);
        ticked = s;
        await sleep(SAMPLE_MS);
      }
    })();
    const rnd = prng(42);
    const base = Date.now().toString(36);
    await Promise.all(
      Array.from({ length: COUNTERS }, (_, i) =>
        counters.runCounter(i + 1, { stopAt, finishBy: stopAt + 60_000, completeShare: 0.4, rnd, codeOf: (c, seq) => `LOAD-${base}-${c}-${seq}` }),
      ),
    );
    const elapsed = (Date.now() - t0) / 1000;
    running = false;
    await sampler;
    bar.done();
    // After the load: how long the projection takes to drain what is left.
    const drainStart = Date.now();
    let finalBehind = -1;
    while (Date.now() - drainStart < 60_000) {
      const r = await counters.call('sla', 'GET', '/api/sla?from=2025-03-01&to=2025-03-31&by=level', monitor);
      finalBehind = (r.body as { watermark?: { behind?: number } } | undefined)?.watermark?.behind ?? -1;
      if (finalBehind === 0) break;
      await sleep(250);
    }
    const drainMs = Date.now() - drainStart;

    const commands = counters.answers.filter((a) => a.route === 'receive' || a.route === 'complete');
    const ok = commands.filter((a) => a.status >= 200 && a.status < 300);
    const all = counters.answers;
    const errors = all.filter((a) => a.status < 200 || a.status >= 300);
    const lat = ok.map((a) => a.ms);
    const after = (xs: Array<{ t: number; rss: number }>) => xs.filter((s) => s.t >= WARMUP_MS);
    const memory = (name: 'api' | 'worker') => {
      const xs = rss[name];
      return {
        first: MB(xs[0]?.rss ?? 0),
        last: MB(xs[xs.length - 1]?.rss ?? 0),
        max: MB(Math.max(0, ...xs.map((s) => s.rss))),
        slope: +slopeMbPerMin(after(xs)).toFixed(2),
      };
    };
    const mem = { api: memory('api'), worker: memory('worker') };
    const byStatus: Record<string, number> = {};
    for (const a of errors)
      byStatus[`${a.status}${a.errorCode ? ` ${a.errorCode}` : ''}`] = (byStatus[`${a.status}${a.errorCode ? ` ${a.errorCode}` : ''}`] ?? 0) + 1;

    const figures: Figure[] = [
      { group: 'traffic', name: 'acknowledged commands', unit: 'commands/s', value: +(ok.length / elapsed).toFixed(1) },
      { group: 'traffic', name: 'command latency p50', unit: 'ms', value: +percentile(lat, 50).toFixed(1) },
      { group: 'traffic', name: 'command latency p99', unit: 'ms', value: +percentile(lat, 99).toFixed(1) },
      { group: 'traffic', name: 'error rate (non-2xx answers / all)', unit: '%', value: +((100 * errors.length) / Math.max(1, all.length)).toFixed(3) },
      { group: 'projection', name: 'lag: events behind, max of samples', unit: 'events', value: Math.max(0, ...lag) },
      { group: 'projection', name: 'lag: events behind, p50 of samples', unit: 'events', value: percentile(lag, 50) },
      { group: 'projection', name: 'drain after the load', unit: 'ms', value: drainMs },
      ...(['api', 'worker'] as const).flatMap((n): Figure[] => [
        { group: 'memory', name: `${n} RSS first`, unit: 'MB', value: mem[n].first },
        { group: 'memory', name: `${n} RSS last`, unit: 'MB', value: mem[n].last },
        { group: 'memory', name: `${n} RSS max`, unit: 'MB', value: mem[n].max },
        { group: 'memory', name: `${n} RSS slope after ${WARMUP_MS / 1000} s warm-up`, unit: 'MB/min', value: mem[n].slope },
      ]),
    ];
    return {
      figures,
      notes: [
        `${COUNTERS} simulated counters in a closed loop for ${elapsed.toFixed(0)} s against one API and one worker (compiled, child processes) on a private PostgreSQL (event store, read models, alerts) and Redis; the load generator runs in the bench process on the same 2-core machine.`,
        `Per counter: receive (Idempotency-Key) -> complete 40 % -> next; a monitor reads /api/sla every ${SAMPLE_MS / 1000} s (its watermark gives the lag). ${ok.length} commands acknowledged, ${all.length} answers; non-2xx: ${JSON.stringify(byStatus)}. 409 CONCURRENCY_CONFLICT answers are completions racing the deadline watcher on the same stream (the dossiers are past due) and are retried.`,
        `Memory: RSS from /proc every ${SAMPLE_MS / 1000} s; slope = least-squares fit after the warm-up. Final lag ${finalBehind} events after ${drainMs} ms of drain.`,
      ],
      parameters: {
        counters: COUNTERS,
        seconds,
        elapsed,
        lagSamples: lag,
        rss: { api: rss.api.map((s) => [s.t, MB(s.rss)]), worker: rss.worker.map((s) => [s.t, MB(s.rss)]) },
        errors: byStatus,
      },
    };
  } finally {
    await Promise.all([api.stop(), worker.stop()]);
    await Promise.all([pg.destroy(), redis.destroy()]);
    removeTempDirs();
  }
}

registerBenchmark({ name: 'load', description: 'sustained mixed counter traffic: throughput, p99, errors, projection lag, memory over time', run });
