/**
 * The SLA projection's dossiers in memory: each one's entry (dossier-fold.ts) by code, and which of them a
 * batch changed (their summary rows are written at the flush). A dossier met again is folded on from its
 * entry, with no read of the tables; one not here is refolded from its own stream by the projection. The
 * cache is bounded: after each commit the dossiers that reached a terminal status are dropped (no event
 * moves them again), then the oldest beyond the limit; an open dossier dropped is simply refolded when it
 * comes back.
 */
import { initialState } from '@motcua/domain';
import type { DossierEntry } from './dossier-fold';

/** Statuses after which a dossier's summary never changes again. */
const TERMINAL = new Set(['refused', 'withdrawn', 'stopped', 'result_returned']);

export class DossierCache {
  private readonly entries = new Map<string, DossierEntry>();
  private readonly dirty = new Set<string>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(code: string): DossierEntry | undefined {
    return this.entries.get(code);
  }

  /** The dossier's entry, a fresh one (initial state) when it is not in memory. */
  entry(code: string): DossierEntry {
    let entry = this.entries.get(code);
    if (!entry) {
      entry = { code, state: initialState, pauses: [], timeliness: null, processingMs: null, ap: -1, apAgency: null, apProcedure: null, held: null };
      this.entries.set(code, entry);
    }
    return entry;
  }

  /** The dossier changed in this batch: its summary row is written at the next flush. */
  markDirty(code: string): void {
    this.dirty.add(code);
  }

  /** The dossiers changed since the last commit, in code order (the summary table's key order). */
  dirtyEntries(): DossierEntry[] {
    return [...this.dirty].sort().map((code) => this.entries.get(code)!);
  }

  /** After COMMIT: drop terminal dossiers, then the oldest, beyond the limit (down to 80 % of it). */
  committed(): void {
    for (const code of this.dirty) {
      const entry = this.entries.get(code)!;
      if (TERMINAL.has(entry.state.status)) this.entries.delete(code);
    }
    if (this.entries.size > this.limit) {
      let excess = this.entries.size - Math.floor(this.limit * 0.8);
      for (const code of this.entries.keys()) {
        if (excess-- <= 0) break;
        this.entries.delete(code);
      }
    }
    this.dirty.clear();
  }

  /** After ROLLBACK: memory no longer matches the tables; forget everything. */
  clear(): void {
    this.entries.clear();
    this.dirty.clear();
  }
}
