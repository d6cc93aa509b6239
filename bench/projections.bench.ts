/**
 * `projections`: rebuild events/s of the SLA projection on a generated province-year (700 k dossiers
 * through the real decider, ~4 M events; BENCH_SCALE scales it) beside the raw global-read rate of the
 * same SQLite store in the same run, and the peak memory (targets: ≥ 100 k events/s, < 512 MB);
 * then the live lag, append -> visible in a query, at 500 commands/s (target p99 < 200 ms).
 * Rates per CPU-second of the process are noted beside the wall-clock ones: the shared machine's
 * other jobs take cores away from the wall clock.
 */
import { benchLiveLag, benchProjections } from './projections-harness';
import { loadavg } from 'node:os';
import { registerBenchmark } from './registry';

registerBenchmark({
  name: 'projections',
  description: 'SLA projection rebuild vs raw global read (SQLite)',
  async run(ctx) {
    const dossiers = ctx.size(700_000, 1_000);
    const loadBefore = loadavg()[0];
    const gen = ctx.progress('generate dossiers', dossiers);
    let last = 0;
    let replay: ReturnType<typeof ctx.progress> | undefined;
    let replayed = 0;
    const r = await benchProjections({
      dossiers,
      log: (m) => ctx.log(m),
      onGenerate: (done) => {
        gen.tick(done - last);
        last = done;
      },
      onProgress: (p) => {
        // Events replayed out of the log's head (the SQLite store numbers positions 1, 2, ...).
        replay ??= ctx.progress('rebuild (events)', Number(p.headPosition) || 0);
        replay.tick(Math.max(0, p.events - replayed));
        replayed = Math.max(replayed, p.events);
        if (p.phase === 'done') replay.done();
      },
    });
    gen.done();
    const lag = await benchLiveLag({ commandsPerSecond: 500, seconds: 10, log: (m) => ctx.log(m) });
    return {
      figures: [
        {
          group: 'sqlite',
          name: 'rebuild',
          unit: 'events/s',
          value: r.rebuildEventsPerSecond,
          baseline: { name: 'raw readAll', value: r.rawReadEventsPerSecond },
          ratio: r.rebuildEventsPerSecond / r.rawReadEventsPerSecond,
          target: { minRatio: 0, text: '≥ 100 k events/s' },
          met: r.rebuildEventsPerSecond >= 100_000,
        },
        { group: 'sqlite', name: 'rebuild peak RSS', unit: 'MB', value: r.peakRssMB, target: { minRatio: 0, text: '< 512 MB' }, met: r.peakRssMB < 512 },
        {
          group: 'sqlite',
          name: 'live lag p99 (500 commands/s)',
          unit: 'ms',
          value: lag.p99Ms,
          target: { minRatio: 0, text: '< 200 ms' },
          met: lag.p99Ms < 200,
        },
      ],
      notes: [
        `machine load average (1 min) ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after, on ${ctx.scale === 1 ? 'the full' : `a ${ctx.scale}×`} scale`,
        `${r.dossiers} dossiers, ${r.events} events; rebuild ${r.rebuildSeconds.toFixed(1)} s; ${r.summaryRows} summary rows, ${r.dailyRows} day rows`,
        r.parallel
          ? `threaded bulk replay: ${r.parallel.threads} threads, ${(r.parallel.scanMs / 1000).toFixed(1)} s replaying, then ${(r.parallel.sumMs / 1000).toFixed(1)} s summing the staged day counters on a thread while the main thread built the indexes (${(r.parallel.indexMs / 1000).toFixed(1)} s), then ${(r.parallel.copyMs / 1000).toFixed(1)} s copying the sums in (thread time summed: read ${(r.parallel.threadTimings.readMs / 1000).toFixed(1)} s, apply ${(r.parallel.threadTimings.applyMs / 1000).toFixed(1)} s, write ${(r.parallel.threadTimings.writeMs / 1000).toFixed(1)} s, waiting for a write turn ${(r.parallel.threadTimings.waitMs / 1000).toFixed(1)} s); thread heaps at the end ${r.parallel.threadHeapBytes.map((b) => (b / 1048576).toFixed(0)).join(' / ')} MB`
          : `single-thread replay: read ${(r.timings.readMs / 1000).toFixed(1)} s, apply ${(r.timings.applyMs / 1000).toFixed(1)} s, write ${(r.timings.writeMs / 1000).toFixed(1)} s`,
        `per CPU-second of the process (all its threads): raw read ${Math.round(r.rawReadEventsPerCpuSecond)} events/s, rebuild ${Math.round(r.rebuildEventsPerCpuSecond)} events/s; ${r.rebuildInChildProcess ? 'the rebuild ran in a child process of its own (as the worker or CLI runs it), so its CPU and memory are that process’s; ' : ''}peak RSS is the kernel's (VmHWM reset at the rebuild's start); main-thread heap peak ${r.peakHeapMB.toFixed(0)} MB`,
        `live lag (append -> committed with its checkpoint, visible to any query; runner on its own store handle polling every 100 ms): ${lag.commands} commands at ${lag.achievedRate.toFixed(0)}/s, p50 ${lag.p50Ms.toFixed(1)} ms, p99 ${lag.p99Ms.toFixed(1)} ms, max ${lag.maxMs.toFixed(1)} ms; behind after: ${lag.behindAfter}`,
      ],
      parameters: { ...r, liveLag: lag },
    };
  },
});
