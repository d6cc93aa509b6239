/**
 * Blue/green rebuild: replays the whole log into a NEW table set (`sla_v3_g{n+1}`), adds the
 * secondary indexes once caught up, then swaps it in with one UPDATE of `projection_active`. Until
 * that commit every query and the live runner use the old set; a live runner that is not pinned
 * notices the swap at its next batch and continues on the new set from the new set's checkpoint.
 * The rebuild keeps dossier state in memory (terminal dossiers dropped after each write), writes
 * summary rows in big transactions and the day counters once at the end (or when too many are held).
 * An interrupted rebuild is simply started again: its table set is dropped and recreated.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { sqliteEventStoreFile, type EventStore } from '@motcua/event-store';
import type { SqlDb } from './sql/driver';
import { bulkReplay } from './parallel/parallel-rebuild';
import { createIndexes, createTableSet, dropTableSet, SLA_PROJECTION, tableSet } from './sla/schema';
import { SlaProjection, type SlaProjectionOptions } from './sla/projection';
import { ensureActiveSet, CheckpointConflictError } from './runner';
import type { QuarantineListener } from './quarantine/quarantine';

export interface RebuildProgress {
  phase: 'replaying' | 'indexing' | 'swapped' | 'done';
  tableSet: string;
  events: number;
  position: string;
  headPosition: string | undefined;
  elapsedMs: number;
  eventsPerSecond: number;
}

export interface RebuildOptions {
  store: EventStore;
  db: SqlDb;
  /** Events per readAll. */
  readBatch?: number;
  /** Events per write transaction. */
  flushEvery?: number;
  /** Day-counter rows held in memory before an intermediate write (default 250 000, ~50 MB). */
  maxHeldCounters?: number;
  /**
   * Threads for the bulk replay when both stores are SQLite files (default: the cores, at most 4);
   * 0 replays on the calling thread, as with any other store.
   */
  threads?: number;
  /** Threads are started only for a log of at least this many events (default 100 000): below, starting them costs more than they save. */
  parallelMinEvents?: number;
  /**
   * Dossiers each bulk-replay thread keeps in memory (default 15 000): open ones evicted beyond it
   * are refolded from their streams if they come back (a province has ~10 000 open at a time).
   */
  threadCacheLimit?: number;
  /** V8 heap limits of each bulk-replay thread (default old 160 MB, young 48 MB). */
  threadHeapLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
  /** Swap the new set in when caught up (default true). */
  swap?: boolean;
  onProgress?: (p: RebuildProgress) => void;
  /** Events newly quarantined, once written (by a write of the replay, or a bulk-replay thread). */
  onQuarantined?: QuarantineListener;
  projection?: SlaProjectionOptions;
  signal?: AbortSignal;
}

export interface RebuildResult {
  tableSet: string;
  previousTableSet: string | undefined;
  events: number;
  position: string;
  elapsedMs: number;
  eventsPerSecond: number;
  /** Peak resident memory (bytes) during the rebuild: the kernel's (VmHWM, reset at the start) on Linux, else sampled. */
  peakRssBytes: number;
  /** Where the time went (ms): reading the log, applying in memory, writing. */
  timings: { readMs: number; applyMs: number; writeMs: number };
  /**
   * CPU time of this process (user + system, ms) in the same phases: on a shared machine the wall
   * clock also counts the time other processes held the cores.
   */
  cpu: { readMs: number; applyMs: number; writeMs: number; totalMs: number };
  /** Peak V8 heap used (bytes) seen at the progress points. */
  peakHeapBytes: number;
  /** Events this rebuild newly quarantined (those a run of the same projection version had set aside already are not counted again). */
  quarantined: number;
  /** The bulk replay on threads, when it ran: thread count, its wall time, per-thread phases summed, each thread's heap at its end. */
  parallel?: {
    threads: number;
    events: number;
    scanMs: number;
    sumMs: number;
    indexMs: number;
    copyMs: number;
    threadTimings: { readMs: number; applyMs: number; writeMs: number; waitMs: number };
    threadHeapBytes: number[];
  };
}

/**
 * The kernel's peak resident set of this process (Linux VmHWM), reset at the start of a rebuild so
 * it covers the rebuild only, including synchronous stretches a timer cannot sample (bulk SQL).
 * Undefined where /proc is not available.
 */
const kernelPeakRss = {
  reset(): boolean {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      return true;
    } catch {
      return false;
    }
  },
  read(): number | undefined {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  },
};

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function rebuildSla(o: RebuildOptions): Promise<RebuildResult> {
  const { store, db } = o;
  const readBatch = o.readBatch ?? 10_000;
  const flushEvery = o.flushEvery ?? 100_000;
  const maxHeld = o.maxHeldCounters ?? 250_000;
  const previous = await ensureActiveSet(db);
  const gen =
    Number(
      (await db.all<{ g: number | null }>(`SELECT MAX(generation) AS g FROM ${db.table('projection_sets')} WHERE projection = ?`, [SLA_PROJECTION]))[0]?.g ?? 0,
    ) + 1;
  const set = tableSet(`${SLA_PROJECTION}_g${gen}`);
  await dropTableSet(db, set);
  await createTableSet(db, set, false);
  const now = Date.now();
  await db.run(`INSERT INTO ${db.table('projection_sets')} (table_set, projection, generation, state, created_at) VALUES (?, ?, ?, 'building', ?)`, [
    set.name,
    SLA_PROJECTION,
    gen,
    now,
  ]);
  await db.run(
    `INSERT INTO ${db.table('projection_checkpoints')} (name, position, events, updated_at) VALUES (?, '', 0, ?) ON CONFLICT (name) DO UPDATE SET position = '', events = 0`,
    [set.name, now],
  );

  const projection = new SlaProjection(set, { ...o.projection, freshTables: true });
  const started = performance.now();
  let position = '';
  let committed = '';
  let events = 0;
  const cpu0 = cpuMs();
  const hwm = kernelPeakRss.reset();
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const progress = async (phase: RebuildProgress['phase']) => {
    sample();
    if (!o.onProgress) return;
    const elapsedMs = performance.now() - started;
    o.onProgress({
      phase,
      tableSet: set.name,
      events,
      position,
      headPosition: await store.headPosition(),
      elapsedMs,
      eventsPerSecond: events / (elapsedMs / 1000 || 1),
    });
  };
  const timings = { readMs: 0, applyMs: 0, writeMs: 0 };
  const cpu = { readMs: 0, applyMs: 0, writeMs: 0, totalMs: 0 };
  let parallel: RebuildResult['parallel'];
  let quarantined = 0;
  const report = (q: ReturnType<SlaProjection['takeQuarantined']>) => {
    if (q.length === 0) return;
    quarantined += q.length;
    o.onQuarantined?.(q);
  };
  const flush = async (final: boolean, extra?: (tx: Parameters<Parameters<SqlDb['transaction']>[0]>[0]) => Promise<void>) => {
    const n = projection.stagedEvents;
    const w0 = performance.now();
    const wc = cpuMs();
    sample();
    await db.transaction(async (tx) => {
      await projection.flush(tx, { counters: final || projection.counterKeys > maxHeld });
      const changed = await tx.run(
        `UPDATE ${tx.table('projection_checkpoints')} SET position = ?, events = events + ?, updated_at = ? WHERE name = ? AND position = ?`,
        [position, n, Date.now(), set.name, committed],
      );
      if (changed !== 1) throw new CheckpointConflictError(set.name, committed);
      await extra?.(tx);
    });
    projection.committed();
    report(projection.takeQuarantined());
    timings.writeMs += performance.now() - w0;
    cpu.writeMs += cpuMs() - wc;
    committed = position;
    sample();
  };
  /** Replays until readAll comes back short (the head at that moment). */
  const catchUp = async () => {
    for (;;) {
      if (o.signal?.aborted) throw new Error('rebuild aborted');
      const r0 = performance.now();
      const rc = cpuMs();
      const batch = await store.readAll({ after: position || undefined, maxCount: readBatch });
      const a0 = performance.now();
      const ac = cpuMs();
      timings.readMs += a0 - r0;
      cpu.readMs += ac - rc;
      if (batch.length > 0) {
        await projection.stage(db, store, batch);
        timings.applyMs += performance.now() - a0;
        cpu.applyMs += cpuMs() - ac;
        sample();
        position = batch[batch.length - 1].position;
        events += batch.length;
        // Checked per page, not only per write: held counters are most of the rebuild's memory.
        if (projection.stagedEvents >= flushEvery || projection.counterKeys > maxHeld) {
          await flush(false);
          await progress('replaying');
        }
      }
      if (batch.length < readBatch) return;
    }
  };

  const eventsFile = sqliteEventStoreFile(store);
  const threads = o.threads ?? Math.min(4, availableParallelism());
  const bigEnough = async () => Number((await store.headPosition()) ?? 0) >= (o.parallelMinEvents ?? 100_000);
  if (eventsFile && db.dialect === 'sqlite' && db.file && threads > 0 && (await bigEnough())) {
    // Memory is sampled on a timer too: the main thread waits while the threads work.
    const timer = setInterval(sample, 100);
    let reported = 0;
    try {
      const r = await bulkReplay({
        eventsFile,
        db,
        set,
        threads,
        // Small pages: less of each page outlives a young-generation collection (-40 MB RSS measured).
        readBatch: Math.min(readBatch, 2_000),
        flushEvery: Math.max(1, Math.floor(flushEvery / threads)),
        // Staged counters are appended, not added in place: holding more saves little, so each
        // thread holds at most 50 000 (or its share of a lower bound).
        maxHeldCounters: Math.max(1, Math.min(50_000, Math.floor(maxHeld / threads))),
        cacheLimit: o.threadCacheLimit ?? 15_000,
        // V8 lets a busy thread's old generation grow far past its live data (tens of MB here: the
        // bounds above); a limit makes it collect instead (measured: peak RSS 880 -> 380 MB at 3.3 M
        // events for ~8 % more CPU). A thread over it fails the rebuild, which reports it.
        resourceLimits: o.threadHeapLimits ?? { maxOldGenerationSizeMb: 160, maxYoungGenerationSizeMb: 48 },
        signal: o.signal,
        // The indexes need only the summary rows: built while another thread sums the day counters.
        alongside: async (replayed) => {
          events = replayed.events;
          position = replayed.position;
          await progress('indexing');
          await createIndexes(db, set);
        },
        onProgress: (n, p) => {
          events = n;
          position = p;
          // As often as the single-thread replay reports (once per write), not once per thread page.
          if (events - reported < flushEvery) return;
          reported = events;
          void progress('replaying');
        },
        commit: async (tx, p, n) => {
          const changed = await tx.run(
            `UPDATE ${tx.table('projection_checkpoints')} SET position = ?, events = ?, updated_at = ? WHERE name = ? AND position = ?`,
            [p, n, Date.now(), set.name, committed],
          );
          if (changed !== 1) throw new CheckpointConflictError(set.name, committed);
        },
      });
      position = committed = r.position;
      events = r.events;
      report(r.quarantined);
      parallel = {
        threads,
        events: r.events,
        scanMs: r.scanMs,
        sumMs: r.sumMs,
        indexMs: r.alongsideMs,
        copyMs: r.copyMs,
        threadTimings: r.threadTimings,
        threadHeapBytes: r.threadHeapBytes,
      };
    } finally {
      clearInterval(timer);
    }
    sample();
    await progress('replaying');
  }
  await catchUp();
  await flush(true);
  // After a threaded replay they exist already (built beside the counter sum).
  if (!parallel) {
    await progress('indexing');
    await createIndexes(db, set);
  }
  // Events appended meanwhile, then the swap in the same transaction as the last of them.
  await catchUp();
  if (o.swap ?? true) {
    await flush(true, async (tx) => {
      await tx.run(`UPDATE ${tx.table('projection_active')} SET table_set = ?, generation = ?, swapped_at = ? WHERE projection = ?`, [
        set.name,
        gen,
        Date.now(),
        SLA_PROJECTION,
      ]);
      await tx.run(`UPDATE ${tx.table('projection_sets')} SET state = 'retired' WHERE projection = ? AND state = 'active'`, [SLA_PROJECTION]);
      await tx.run(`UPDATE ${tx.table('projection_sets')} SET state = 'active' WHERE table_set = ?`, [set.name]);
    });
    await progress('swapped');
  } else {
    await flush(true);
    await db.run(`UPDATE ${db.table('projection_sets')} SET state = 'standby' WHERE table_set = ?`, [set.name]);
  }
  await progress('done');
  if (hwm) peakRss = Math.max(peakRss, kernelPeakRss.read() ?? 0);
  const elapsedMs = performance.now() - started;
  cpu.totalMs = cpuMs() - cpu0;
  return {
    tableSet: set.name,
    previousTableSet: previous.tableSet,
    events,
    position,
    elapsedMs,
    eventsPerSecond: events / (elapsedMs / 1000 || 1),
    peakRssBytes: peakRss,
    peakHeapBytes: peakHeap,
    quarantined,
    timings,
    cpu,
    parallel,
  };
}

/** Drops retired table sets, keeping the newest `keep` of them for a quick roll-back. */
export async function dropRetiredSets(db: SqlDb, keep = 1): Promise<string[]> {
  const rows = await db.all<{ table_set: string }>(
    `SELECT table_set FROM ${db.table('projection_sets')} WHERE projection = ? AND state = 'retired' ORDER BY generation DESC`,
    [SLA_PROJECTION],
  );
  const dropped: string[] = [];
  for (const r of rows.slice(keep)) {
    await dropTableSet(db, tableSet(r.table_set));
    await db.run(`UPDATE ${db.table('projection_sets')} SET state = 'dropped' WHERE table_set = ?`, [r.table_set]);
    dropped.push(r.table_set);
  }
  return dropped;
}
