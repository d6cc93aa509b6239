/**
 * Projection benchmark: a generated province-year on the SQLite event store (dossiers through the
 * real decider, ~6 events each), then in the same run the raw global-read rate of the store and the
 * full rebuild rate of the SLA projection into a fresh SQLite read store, with peak memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkingCalendar } from '@motcua/calendar';
import type { ProcedureRules } from '@motcua/domain';
import { createSqliteEventStore, type EventStore, type NewEvent } from '@motcua/event-store';
import { createSqliteDb } from './sql/driver';
import { rebuildSla, type RebuildProgress } from './rebuild';
import { prng, randomLifecycle } from './testing/load';

export interface BenchProjectionsOptions {
  /** Dossiers to generate (default 700 000, about 4 M events). Ignored when `store` is given. */
  dossiers?: number;
  /** An existing event store to replay instead of generating one. */
  store?: EventStore;
  dir?: string;
  onGenerate?: (done: number, total: number) => void;
  onProgress?: (p: RebuildProgress) => void;
  log?: (m: string) => void;
}

export interface BenchProjectionsResult {
  dossiers: number;
  events: number;
  generateSeconds: number;
  rawReadEventsPerSecond: number;
  rebuildEventsPerSecond: number;
  rebuildSeconds: number;
  peakRssMB: number;
  summaryRows: number;
  dailyRows: number;
  timings: { readMs: number; applyMs: number; writeMs: number };
}

const PROCS: Record<string, ProcedureRules> = Object.fromEntries(
  Array.from({ length: 40 }, (_, i) => {
    const code = `1.${String(100 + i).padStart(6, '0')}`;
    return [code, { code, deadline: { value: 1 + (i % 10), unit: 'working_days' }, paymentPausesClock: i % 3 === 0, version: 'bench' }];
  }),
);

export async function benchProjections(o: BenchProjectionsOptions = {}): Promise<BenchProjectionsResult> {
  const log = o.log ?? (() => undefined);
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'motcua-proj-bench-'));
  const owned = !o.store;
  const store = o.store ?? (await createSqliteEventStore({ file: join(dir, 'events.sqlite') }));
  let dossiers = 0;
  let generateSeconds = 0;
  try {
    if (owned) {
      dossiers = o.dossiers ?? 700_000;
      const t0 = performance.now();
      const rnd = prng(2025);
      const calendar = createWorkingCalendar();
      // ~1 000 agencies of a province: communes under districts, departments under the province.
      const agencies = Array.from({ length: 1000 }, (_, i) => `H30.${String(i).padStart(4, '0')}`);
      const load = { agencies, procedures: PROCS, startDay: '2025-01-01', days: 365 };
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < dossiers; i++) {
        const code = `H30-250101-${String(i).padStart(7, '0')}`;
        const evs = randomLifecycle(code, i, rnd, load, calendar);
        const batch: NewEvent[] = evs.map((e) => ({ type: e.type, data: e.data as unknown as Record<string, unknown>, metadata: { actor: 'bench', correlationId: code } }));
        pending.push(store.append(`dossier-${code}`, batch, { expectedRevision: 'no_stream' }));
        if (pending.length >= 256) await Promise.all(pending.splice(0));
        if (i % 10_000 === 0) o.onGenerate?.(i, dossiers);
      }
      await Promise.all(pending);
      o.onGenerate?.(dossiers, dossiers);
      generateSeconds = (performance.now() - t0) / 1000;
      log(`generated ${dossiers} dossiers in ${generateSeconds.toFixed(1)} s`);
    }
    // Raw global read: the ceiling for any projection over this store.
    let events = 0;
    let after: string | undefined;
    const r0 = performance.now();
    for (;;) {
      const page = await store.readAll({ after, maxCount: 10_000 });
      events += page.length;
      if (page.length < 10_000) break;
      after = page[page.length - 1].position;
    }
    const rawReadEventsPerSecond = events / ((performance.now() - r0) / 1000);
    log(`raw read ${events} events: ${Math.round(rawReadEventsPerSecond)} events/s`);

    if (global.gc) global.gc();
    const db = createSqliteDb({ file: join(dir, `read-${Date.now()}.sqlite`) });
    try {
      const res = await rebuildSla({ store, db, onProgress: o.onProgress });
      const count = async (t: string) => Number((await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${db.table(`${res.tableSet}_${t}`)}`))[0].n);
      return {
        dossiers,
        events: res.events,
        generateSeconds,
        rawReadEventsPerSecond,
        rebuildEventsPerSecond: res.eventsPerSecond,
        rebuildSeconds: res.elapsedMs / 1000,
        peakRssMB: res.peakRssBytes / 1024 / 1024,
        summaryRows: await count('dossiers'),
        dailyRows: await count('daily'),
        timings: res.timings,
      };
    } finally {
      await db.close();
    }
  } finally {
    if (owned) {
      await store.close();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    }
  }
}
