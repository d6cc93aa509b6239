/**
 * What every adapter's `writability()` is built from: the outcome of the store's own appends. An append that
 * failed for lack of space (a full disk or database) marks the store not writable; the next append that
 * writes clears it. Adapters that can measure their room (SQLite) add that measurement
 * (`SpaceTracker.measured`), which also clears a failure it explained once the room is back, so that a store
 * nobody writes to (a load balancer took the instance out of rotation) still recovers. A failure no
 * measurement explained (PostgreSQL's server disk cannot be measured from here) holds for HOLD_MS after the
 * last such failure: then the store reports writable again and the next append tells.
 */
import type { Writability } from './port';

/** How long a failure for lack of space that no measurement explained is reported after the last one. */
export const OUT_OF_SPACE_HOLD_MS = 30_000;

const SPACE_CODES = new Set(['SQLITE_FULL', 'ENOSPC', '53100']);

/** Whether an engine error (or the error it wraps, `cause`) says the disk or the database is full. */
export function isOutOfSpace(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (SPACE_CODES.has(code) || code === 'STORE_FULL')) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /no space left on device|database or disk is full/i.test(message)) return true;
  }
  return false;
}

interface Failure {
  since: number;
  last: number;
  error: string;
  /** A measurement below the threshold was seen since: the room coming back clears it. */
  explained: boolean;
}

export class SpaceTracker {
  private failure?: Failure;
  /** Since when the measured room has been below the threshold. */
  private lowSince?: number;

  constructor(private readonly now: () => number = Date.now) {}

  /** An append failed: remembered when the error says the store is out of space. */
  failed(err: unknown): void {
    if (!isOutOfSpace(err)) return;
    const t = this.now();
    const error = String((err as Error)?.message ?? err);
    if (this.failure) Object.assign(this.failure, { last: t, error });
    else this.failure = { since: t, last: t, error, explained: false };
  }

  /** An append wrote: the store is writable. */
  succeeded(): void {
    this.failure = undefined;
  }

  /** The state without a measurement (PostgreSQL, KurrentDB). */
  current(): Writability {
    const f = this.failure;
    if (f && !f.explained && this.now() - f.last >= OUT_OF_SPACE_HOLD_MS) this.failure = undefined;
    return this.failure ? this.notWritable('disk_full') : { writable: true };
  }

  /**
   * The state with a measurement of the room left: below `minFreeBytes` (when > 0) the store is not writable
   * (`disk_full` while a failure stands, else `low_disk_space`); at or above it, a failure that a low
   * measurement explained is cleared.
   */
  measured(freeBytes: number, minFreeBytes: number): Writability {
    const low = minFreeBytes > 0 && freeBytes < minFreeBytes;
    this.lowSince = low ? (this.lowSince ?? this.now()) : undefined;
    const f = this.failure;
    if (f && low) f.explained = true;
    if (f && !low && f.explained) this.failure = undefined;
    const base = { freeBytes, minFreeBytes };
    const state = this.current();
    if (!state.writable) return { ...state, ...base };
    if (low) return { writable: false, reason: 'low_disk_space', since: new Date(this.lowSince!).toISOString(), ...base };
    return { writable: true, ...base };
  }

  private notWritable(reason: 'disk_full'): Writability {
    const f = this.failure!;
    return { writable: false, reason, since: new Date(f.since).toISOString(), error: f.error };
  }
}
