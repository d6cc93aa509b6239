/** Messages between a parallel rebuild and its threads, and the rule of which rows a thread applies. */
import type { LogRow } from '@motcua/event-store';
import type { QuarantinedEvent } from '../quarantine/quarantine';

export interface WorkerJob {
  eventsFile: string;
  /** The SQLite read-model file and the (new, not yet active) table set the thread writes. */
  readModelFile: string;
  tableSet: string;
  /** The thread's scratch file for staged day counters. */
  scratchFile: string;
  part: number;
  parts: number;
  /** This thread's range of the log: the rows after `after` (0: from the start) up to `upTo` inclusive. */
  after: number;
  upTo: number;
  /**
   * Thread 0: also the events of the streams other than `dossier-*` (agencies, procedures) of the
   * whole log, up to this position (they fold in log order in one thread); the other threads skip them.
   */
  otherStreamsUpTo?: number;
  readBatch: number;
  flushEvery: number;
  maxHeldCounters: number;
  cacheLimit: number;
  cacheKiB: number;
  /** One Int32 shared by the threads: 1 while one of them writes (see `WriteTurn`). */
  writeLock: SharedArrayBuffer;
  /**
   * One Int32 per thread, set to 1 once the thread has written everything: a thread writes the rows
   * of the dossiers begun before its range only after every thread of an earlier range is done.
   */
  doneFlags: SharedArrayBuffer;
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
      /** The quarantine rows this thread inserted. */
      quarantined: QuarantinedEvent[];
    }
  | { kind: 'error'; message: string };

/**
 * Whether a thread applies a row of its range: every dossier event (a `dossier.*` type, whatever its
 * stream) and every event of a `dossier-*` stream. The events of the other streams (agencies,
 * procedures) are thread 0's, over the whole log (`WorkerJob.otherStreamsUpTo`).
 */
export function inRangeShare(r: LogRow): boolean {
  return r[3].startsWith('dossier.') || r[1].startsWith('dossier-');
}

/** Whether thread 0 applies a row of the other streams' pass (the dossier events there are in some range). */
export function otherStreamsShare(r: LogRow): boolean {
  return !r[3].startsWith('dossier.');
}

/** Thread `part` of `parts`'s range of positions (after, upTo] of a log whose positions run up to `head`. */
export function rangeOf(part: number, parts: number, head: number): { after: number; upTo: number } {
  return { after: Math.floor((head * part) / parts), upTo: Math.floor((head * (part + 1)) / parts) };
}

/** The summing thread's job (`sum-worker.ts`). */
export interface SumJob {
  /** The replay threads' scratch files, each with the staging tables. */
  stageFiles: string[];
  /** The scratch file the sums go to, in tables named as the set's (so the main thread copies them whole). */
  sumFile: string;
  tableSet: string;
}

export type SumMessage = { kind: 'summed'; ms: number } | { kind: 'error'; message: string };
