/**
 * One thread of a parallel rebuild (`parallel/parallel-rebuild.ts`). It reads its range of the log
 * (a contiguous range of positions: the threads together read the file once) with its own read-only
 * connection (`SqliteLogReader`: no metadata or hashes), folds the events with the ordinary
 * `SlaProjection`, and writes the summary rows straight into the new table set through its own
 * connection to the read-model file (threads take turns on the write lock). A dossier begun before
 * the range is refolded from its own stream (as an evicted one is); its summary row is held back and
 * written once every thread of an earlier range is done, so the row of its last range wins. Thread 0
 * also folds the other streams (agencies, procedures) of the whole log, read through the stream
 * index. Day counters held beyond the bound are appended to staging tables in a scratch file of the
 * thread: the log is in no time order per dossier, so every batch touches most (day, agency,
 * procedure) rows, and adding them into the keyed table each time would rewrite it whole; they are
 * summed once, in key order, at the end (`sum-worker.ts`). The set is not active until the swap, so nothing
 * reads it half-built.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSqliteEventStore, SqliteLogReader, type LogRow } from '@motcua/event-store';
import { createSqliteDb } from '../sql/driver';
import { tableSet } from '../sla/schema';
import { createStageTables, STAGE } from './stage';
import { SlaProjection, type ProjectedEvent } from '../sla/projection';
import type { SqlValue } from '../sql/driver';
import type { QuarantinedEvent } from '../quarantine/quarantine';
import { inRangeShare, otherStreamsShare, WriteTurn, type WorkerJob, type WorkerMessage } from './protocol';

/** Replays the thread's range; resolves with its 'done' message once every connection is closed. */
async function run(job: WorkerJob): Promise<WorkerMessage> {
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  const reader = new SqliteLogReader({ file: job.eventsFile });
  // Only for refolding a dossier evicted from memory (readStream); never written.
  const store = await createSqliteEventStore({ file: job.eventsFile });
  // The threads take turns on the write lock, each holding it for one flush (seconds on a loaded
  // machine): wait as long as it takes rather than fail the rebuild.
  const db = createSqliteDb({ file: job.readModelFile, cacheKiB: job.cacheKiB, busyTimeoutMs: 600_000 });
  // Day counters go to a scratch file of this thread (appended rows, summed once at the end).
  const scratch = createSqliteDb({ file: job.scratchFile, journalMode: 'OFF', synchronous: 'OFF', cacheKiB: 2048 });
  const t = { readMs: 0, applyMs: 0, writeMs: 0, waitMs: 0 };
  try {
    await createStageTables(scratch);
    // Dossiers whose stream began before this range: their rows wait for the earlier ranges' threads.
    const begunBefore = new Set<string>();
    const held = new Map<string, SqlValue[]>();
    const projection = new SlaProjection(tableSet(job.tableSet), {
      freshTables: true,
      cacheLimit: job.cacheLimit,
      onRefold: (code, firstPosition) => {
        if (Number(firstPosition) <= job.after) begunBefore.add(code);
      },
    });
    let after = job.after;
    let applied = 0;
    const quarantined: QuarantinedEvent[] = [];
    const turn = new WriteTurn(job.writeLock);
    /** Writes the staged summary rows, in this thread's turn (the caller holds it). */
    const flush = async () => {
      const w0 = performance.now();
      try {
        await db.transaction((tx) => projection.flush(tx, { counters: false, hold: { codes: begunBefore, rows: held } }));
      } finally {
        turn.give();
      }
      projection.committed();
      quarantined.push(...projection.takeQuarantined());
      t.writeMs += performance.now() - w0;
    };
    const drain = async () => {
      const w0 = performance.now();
      await scratch.transaction((tx) => projection.drainCountersTo(tx, STAGE));
      t.writeMs += performance.now() - w0;
    };
    const toEvent = (r: LogRow): ProjectedEvent => ({
      position: String(r[0]),
      streamId: r[1],
      revision: r[2],
      type: r[3],
      data: JSON.parse(r[4]) as Record<string, unknown>,
    });
    /** Applies one page of events, then drains and flushes as due. */
    const step = async (mine: ProjectedEvent[]) => {
      const a0 = performance.now();
      if (mine.length > 0) {
        await projection.stage(db, store, mine);
        applied += mine.length;
      }
      t.applyMs += performance.now() - a0;
      if (projection.counterKeys > job.maxHeldCounters) await drain();
      // Summary rows due: in this thread's turn if it is free now, else after more pages, up to
      // twice the bound (then it waits for its turn).
      if (projection.stagedEvents >= job.flushEvery) {
        if (turn.tryTake()) await flush();
        else if (projection.stagedEvents >= 2 * job.flushEvery) {
          const w0 = performance.now();
          turn.take();
          t.waitMs += performance.now() - w0;
          await flush();
        }
      }
    };
    // Thread 0: the other streams (agencies, procedures) of the whole log first, in log order.
    if (job.otherStreamsUpTo !== undefined) {
      for (let from = 0; ;) {
        const r0 = performance.now();
        const rows = reader.otherStreamsPage(from, job.readBatch, job.otherStreamsUpTo);
        const mine: ProjectedEvent[] = [];
        for (const r of rows) if (otherStreamsShare(r)) mine.push(toEvent(r));
        t.readMs += performance.now() - r0;
        if (rows.length === 0) break;
        from = rows[rows.length - 1][0];
        await step(mine);
        if (rows.length < job.readBatch) break;
      }
    }
    for (;;) {
      const r0 = performance.now();
      const rows = reader.page(after, job.readBatch, job.upTo);
      const mine: ProjectedEvent[] = [];
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        if (inRangeShare(r)) mine.push(toEvent(r));
      }
      t.readMs += performance.now() - r0;
      if (rows.length === 0) break;
      after = rows[rows.length - 1][0];
      await step(mine);
      post({ kind: 'progress', applied, position: after });
      if (rows.length < job.readBatch) break;
    }
    await drain();
    const w0 = performance.now();
    turn.take();
    t.waitMs += performance.now() - w0;
    await flush();
    // The held rows, once every earlier range's thread is done (each has written all its rows).
    const flags = new Int32Array(job.doneFlags);
    if (held.size > 0) {
      const w0 = performance.now();
      for (let k = 0; k < job.part; k++) while (Atomics.load(flags, k) === 0) Atomics.wait(flags, k, 0, 100);
      turn.take();
      t.waitMs += performance.now() - w0;
      const w1 = performance.now();
      try {
        const rows = [...held.keys()].sort().map((code) => held.get(code)!);
        await db.transaction((tx) => projection.writeSummaryRows(tx, rows));
      } finally {
        turn.give();
      }
      t.writeMs += performance.now() - w1;
    }
    Atomics.store(flags, job.part, 1);
    Atomics.notify(flags, job.part);
    // Posted by the caller once the scratch file is closed: the main thread reads it next.
    return { kind: 'done', applied, position: after, timings: t, heapUsed: process.memoryUsage().heapUsed, quarantined };
  } finally {
    reader.close();
    await store.close();
    await db.close();
    await scratch.close();
  }
}

run(workerData as WorkerJob).then(
  (done) => parentPort!.postMessage(done),
  (err: unknown) => {
    parentPort!.postMessage({ kind: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies WorkerMessage);
  },
);
