/**
 * The commits a store has seen, as its live subscribers need them. An adapter calls `notify()` after each
 * commit it makes (and the PostgreSQL adapter also on every NOTIFY from another process); a subscriber
 * remembers `generation` before it reads the log and compares afterwards, so a commit that lands while it
 * reads or runs its handler is never slept through (no lost wake-up), and an idle subscriber registers a
 * wake-up with `onCommit` for the time it waits.
 */
export class CommitSignal {
  private count = 0;
  private readonly waiters = new Set<() => void>();

  /** How many commits have been signalled so far: compare two readings to learn whether one landed between. */
  get generation(): number {
    return this.count;
  }

  /** A commit happened: every waiting subscriber wakes at once. */
  notify(): void {
    this.count++;
    for (const wake of [...this.waiters]) wake();
  }

  /** Calls `wake` on the next commits until the returned function unregisters it. */
  onCommit(wake: () => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }
}
