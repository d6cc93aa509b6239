/** Messages between a parallel rebuild and its threads, and the partition rule both sides use. */
import { streamPartition, type LogRow } from '@motcua/event-store';

export interface WorkerJob {
  eventsFile: string;
  /** The SQLite read-model file and the (new, not yet active) table set the thread writes. */
  readModelFile: string;
  tableSet: string;
  /** The thread's scratch file for staged day counters. */
  scratchFile: string;
  part: number;
  parts: number;
  /** Replay the log after `after` (0: from the start) up to `upTo` inclusive. */
  after: number;
  upTo: number;
  readBatch: number;
  flushEvery: number;
  maxHeldCounters: number;
  cacheLimit: number;
  cacheKiB: number;
  /** One Int32 shared by the threads: 1 while one of them writes (see `WriteTurn`). */
  writeLock: SharedArrayBuffer;
}

/**
 * The threads' turns on the read-model file's write lock, decided among themselves: a thread that
 * finds the lock taken goes on applying events instead of sleeping in SQLite's busy handler, and
 * one that must write (its staged work is at the bound) waits for a wake-up, not a poll.
 */
export class WriteTurn {
  private readonly cell: Int32Array;
  constructor(buffer: SharedArrayBuffer) {
    this.cell = new Int32Array(buffer);
  }
  tryTake(): boolean {
    return Atomics.compareExchange(this.cell, 0, 0, 1) === 0;
  }
  take(): void {
    while (!this.tryTake()) Atomics.wait(this.cell, 0, 1, 100);
  }
  give(): void {
    Atomics.store(this.cell, 0, 0);
    Atomics.notify(this.cell, 0, 1);
  }
}

export type WorkerMessage =
  | { kind: 'progress'; applied: number; position: number }
  | {
      kind: 'done';
      applied: number;
      position: number;
      timings: { readMs: number; applyMs: number; writeMs: number; waitMs: number };
      heapUsed: number;
    }
  | { kind: 'error'; message: string };

/**
 * Whether this thread applies a row its partitioned reader returned. The reader already split the
 * `dossier-*` streams by `streamPartition`; any other event (agency, procedure) is applied by thread 0,
 * except a dossier event kept in another stream, which goes where its dossier's stream goes (the code
 * as `dossierCodeOf` finds it), so all events of one dossier fold in order in one thread.
 */
export function isMine(r: LogRow, part: number, parts: number): boolean {
  if (parts === 1) return true;
  if (r[1].startsWith('dossier-')) return true;
  if (!r[3].startsWith('dossier.')) return part === 0;
  const code = String((JSON.parse(r[4]) as { dossierCode?: unknown }).dossierCode);
  return streamPartition(`dossier-${code}`, parts) === part;
}
