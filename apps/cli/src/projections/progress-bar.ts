import { Presets, SingleBar } from 'cli-progress';
import type { EventStore } from '@motcua/event-store';
import { rebuildSla, type RebuildProgress, type SqlDb } from '@motcua/read-models';

/** Blue/green rebuild with a progress bar on a terminal (CLI: `motcua projections rebuild`). */
export async function rebuildWithProgressBar(o: { store: EventStore; db: SqlDb; out?: NodeJS.WriteStream }) {
  const bar = new SingleBar(
    { format: 'rebuild {bar} {percentage}% | {value}/{total} events | {rate} ev/s | {phase}', stream: o.out ?? process.stderr },
    Presets.shades_classic,
  );
  const total = async () => {
    let n = 0;
    let after: string | undefined;
    for (;;) {
      const page = await o.store.readAll({ after, maxCount: 10_000 });
      n += page.length;
      if (page.length < 10_000) return n;
      after = page[page.length - 1].position;
    }
  };
  bar.start(await total(), 0, { rate: 0, phase: 'replaying' });
  try {
    return await rebuildSla({
      store: o.store,
      db: o.db,
      onProgress: (p: RebuildProgress) => {
        if (p.events > bar.getTotal()) bar.setTotal(p.events);
        bar.update(p.events, { rate: Math.round(p.eventsPerSecond), phase: p.phase });
      },
    });
  } finally {
    bar.stop();
  }
}
