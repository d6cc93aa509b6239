/**
 * Group commit for the PostgreSQL adapter: one writer at a time drains whatever appends queued up while
 * the previous commit waited for the disk into the next transaction, so under load each fsync carries many
 * appends. A batch holds at most `maxBatchEvents` events (a single larger append still goes alone) and
 * keeps call order. What a batch is written with is the caller's `run` (appender.ts); this file is only the
 * queue and its one drainer.
 */
export class GroupCommitQueue<T extends { events: readonly unknown[] }> {
  private queue: T[] = [];
  private draining?: Promise<void>;

  constructor(
    private readonly maxBatchEvents: number,
    private readonly run: (batch: T[]) => Promise<void>,
  ) {}

  push(item: T): void {
    this.queue.push(item);
    this.kick();
  }

  /** Resolves once nothing is being written (appends queued before the call included). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private kick(): void {
    if (this.draining || this.queue.length === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: T[] = [];
      let count = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0];
        if (batch.length > 0 && count + next.events.length > this.maxBatchEvents) break;
        batch.push(this.queue.shift()!);
        count += next.events.length;
      }
      await this.run(batch);
    }
  }
}
