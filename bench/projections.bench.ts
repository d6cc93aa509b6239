/**
 * `projections`: rebuild events/s of the SLA projection on a generated province-year (700 k dossiers
 * through the real decider, ~4 M events; BENCH_SCALE scales it) beside the raw global-read rate of the
 * same SQLite store in the same run, and the peak memory (issue 5 targets: ≥ 100 k events/s, < 512 MB).
 */
import { benchProjections } from '@motcua/read-models';
import { registerBenchmark } from './registry';

registerBenchmark({
  name: 'projections',
  description: 'SLA projection rebuild vs raw global read (SQLite)',
  async run(ctx) {
    const dossiers = ctx.size(700_000, 1_000);
    const gen = ctx.progress('generate dossiers', dossiers);
    let last = 0;
    let replay: ReturnType<typeof ctx.progress> | undefined;
    const r = await benchProjections({
      dossiers,
      log: (m) => ctx.log(m),
      onGenerate: (done) => {
        gen.tick(done - last);
        last = done;
      },
      onProgress: (p) => {
        replay ??= ctx.progress('rebuild', Math.max(p.events, 1));
        if (p.phase === 'done') replay.done();
      },
    });
    gen.done();
    return {
      figures: [
        { group: 'sqlite', name: 'rebuild', unit: 'events/s', value: r.rebuildEventsPerSecond, baseline: { name: 'raw readAll', value: r.rawReadEventsPerSecond }, ratio: r.rebuildEventsPerSecond / r.rawReadEventsPerSecond, target: { minRatio: 0, text: '≥ 100 k events/s' }, met: r.rebuildEventsPerSecond >= 100_000 },
        { group: 'sqlite', name: 'rebuild peak RSS', unit: 'MB', value: r.peakRssMB, met: r.peakRssMB < 512 },
      ],
      notes: [`${r.dossiers} dossiers, ${r.events} events; rebuild ${r.rebuildSeconds.toFixed(1)} s (read ${(r.timings.readMs / 1000).toFixed(1)} s, apply ${(r.timings.applyMs / 1000).toFixed(1)} s, write ${(r.timings.writeMs / 1000).toFixed(1)} s); ${r.summaryRows} summary rows, ${r.dailyRows} day rows`],
      parameters: { ...r },
    };
  },
});
