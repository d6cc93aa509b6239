/**
 * The alerts log follower: subscribes to the global event log from the alerts checkpoint and applies each
 * batch to the alerts read model (`alert_deadlines` of open dossiers, the alert feed) with
 * `applyAlertsBatch`, then hands the batch's effects to the scheduler (`onCommitted`).
 *
 * The checkpoint lives in the alerts database, committed with the read model (compare-and-set, so several
 * watchers are safe), never only in Redis, which keeps nothing on disk: a restart resumes where the read
 * model is. Batches are applied one after the other; a failed subscription is restarted from the stored
 * checkpoint after a second. `waitFor` lets callers (tests, bench) wait until a log position is applied.
 * Events the read model cannot read are quarantined with their batch (`applyAlertsBatch`) and handed to
 * `onQuarantined` after the commit; the follower goes on past them.
 */
import type { Logger } from 'pino';
import type { EventStore, RecordedEvent, Subscription } from '@motcua/event-store';
import type { QuarantineListener, SqlDb } from '@motcua/read-models';
import { applyAlertsBatch, readAlertsCheckpoint, type BatchEffects } from '@motcua/alerts';

export interface AlertsLogFollowerOptions {
  store: EventStore;
  db: SqlDb;
  logger: Logger;
  /** Runs after each committed batch, before the next one is applied; must not throw. */
  onCommitted: (fx: BatchEffects) => Promise<void>;
  /** Events of a committed batch newly quarantined. */
  onQuarantined?: QuarantineListener;
}

export class AlertsLogFollower {
  private sub?: Subscription;
  private checkpoint = '';
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private generation = 0;
  private readonly waiters: Array<{ position: string; resolve: () => void }> = [];

  constructor(private readonly o: AlertsLogFollowerOptions) {}

  /** The log position the alerts read model has applied ('' before any). */
  get position(): string {
    return this.checkpoint;
  }

  /** Reads the checkpoint and subscribes after it. */
  async start(): Promise<void> {
    this.stopped = false;
    this.checkpoint = await readAlertsCheckpoint(this.o.db);
    this.subscribe();
  }

  /** Closes the subscription and waits for the batch being applied, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.sub?.close().catch(() => undefined);
    await this.chain.catch(() => undefined);
  }

  /** Resolves once the read model has applied the log up to `position` (default: the head). */
  async waitFor(position?: string, timeoutMs = 30_000): Promise<void> {
    const target = position ?? (await this.o.store.headPosition());
    if (!target || (this.checkpoint && BigInt(this.checkpoint) >= BigInt(target))) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`alerts projection did not reach ${target} in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ position: target, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  private subscribe(): void {
    const gen = ++this.generation;
    this.sub = this.o.store.subscribeToAll((events) => this.onEvents(gen, events), { after: this.checkpoint || undefined, batchSize: 1000 });
    this.sub.done.catch((err) => this.restart(gen, err));
  }

  private restart(gen: number, err: unknown): void {
    if (this.stopped || gen !== this.generation) return;
    this.o.logger.warn({ err: { message: (err as Error).message } }, 'alerts subscription failed; restarting from the checkpoint');
    this.generation++;
    void this.sub?.close().catch(() => undefined);
    setTimeout(() => {
      if (this.stopped) return;
      this.chain = this.chain.then(async () => {
        this.checkpoint = await readAlertsCheckpoint(this.o.db);
        this.subscribe();
      });
    }, 1000).unref();
  }

  private onEvents(gen: number, events: RecordedEvent[]): Promise<void> {
    const run = this.chain.then(async () => {
      if (gen !== this.generation || this.stopped) return;
      const fx = await applyAlertsBatch(this.o.db, events, this.checkpoint);
      if (!fx) return;
      this.checkpoint = fx.position;
      if (fx.quarantined.length) this.o.onQuarantined?.(fx.quarantined);
      await this.o.onCommitted(fx);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (BigInt(this.checkpoint) >= BigInt(this.waiters[i].position)) {
          this.waiters[i].resolve();
          this.waiters.splice(i, 1);
        }
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
