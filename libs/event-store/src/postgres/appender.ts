/**
 * How the PostgreSQL adapter writes a group-commit batch: first the fast path (fast-write.ts) for the
 * appends it can take, then the checked path (checked-write.ts) for the rest, with the policy for
 * failures: an outcome the engine may have committed (connection lost mid-statement) is never re-run, a
 * transient failure (deadlock, serialization, unique-key race) is retried, and an append the engine refuses
 * is retried alone so that it does not fail the others of its batch.
 */
import { StoreUnavailableError } from '../errors';
import { writeChecked } from './checked-write';
import { FastWritePath } from './fast-write';
import { GroupCommitQueue } from './group-commit';
import { isRetryable, mapPgError } from './pg-errors';
import type { PendingAppend, WriteContext } from './write-context';

/** Attempts of a checked-path transaction that fails with a retryable error. */
const MAX_CHECKED_ATTEMPTS = 5;

export class PostgresAppender {
  private readonly queue: GroupCommitQueue<PendingAppend>;
  private readonly fast: FastWritePath;

  constructor(
    private readonly ctx: WriteContext,
    maxBatchEvents: number,
  ) {
    this.fast = new FastWritePath(ctx);
    this.queue = new GroupCommitQueue(maxBatchEvents, (batch) => this.runBatch(batch));
  }

  /** Queues a validated append for the next group commit; it settles once that commit did. */
  enqueue(p: PendingAppend): void {
    this.queue.push(p);
  }

  /** Resolves once every queued append is written (or failed). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async runBatch(batch: PendingAppend[]): Promise<void> {
    let rest: PendingAppend[];
    try {
      rest = await this.fast.write(batch);
    } catch (err) {
      for (const p of batch) this.ctx.heads.forget(p.streamId);
      const mapped = mapPgError(err);
      const code = String((err as { code?: unknown })?.code ?? '');
      if (mapped instanceof StoreUnavailableError || code.startsWith('42')) {
        // A connection lost mid-statement leaves its outcome unknown: never re-run it. A syntax or
        // access error (class 42) is a defect to surface, not to hide behind the other path.
        for (const p of batch) p.reject(mapped);
        return;
      }
      // A race (unique key, deadlock) or an engine refusal rolled the single statement back, nothing
      // was written: the checked path decides these appends (one by one if the engine refuses again).
      rest = batch;
    }
    if (rest.length === 0) return;
    await this.runChecked(rest);
  }

  private async runChecked(batch: PendingAppend[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcomes = await writeChecked(this.ctx, batch);
        this.ctx.signalCommit();
        outcomes.forEach((o, i) => (o instanceof Error ? batch[i].reject(o) : batch[i].resolve(o)));
        return;
      } catch (err) {
        for (const p of batch) this.ctx.heads.forget(p.streamId);
        if (isRetryable(err) && attempt < MAX_CHECKED_ATTEMPTS) continue;
        const mapped = mapPgError(err);
        if (batch.length > 1 && !(mapped instanceof StoreUnavailableError)) {
          // One append the engine refuses must not fail the others: re-run them one by one.
          for (const one of batch) await this.runChecked([one]);
          return;
        }
        for (const p of batch) p.reject(mapped);
        return;
      }
    }
  }
}
