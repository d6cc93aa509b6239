/**
 * The deadline watcher. One per deployment (several are safe: the checkpoint is compare-and-set,
 * the schedule and the tick jobs are idempotent, every raise is idempotent in the event store).
 *
 * 1. Follows the global log from its own checkpoint (in the alerts DB, committed with the read model:
 *    never only in Redis, which keeps nothing on disk) and keeps `alert_deadlines` (open dossiers) and the
 *    alerts read model (log-follower.ts).
 * 2. After each committed batch, schedules the touched dossiers' alerts: members of the Redis sorted set
 *    `alerts:due` (score = due instant; libs/alerts/src/schedule.ts) plus a BullMQ delayed job per tick
 *    boundary, id `tick-{boundaryMs}` (adding an existing id is a no-op); removes the members of closed
 *    dossiers and moved due dates; announces new alert-feed rows on Redis pub/sub for the API instances
 *    (scheduler.ts).
 * 3. A tick job drains every member due by its start, in chunks, many dossiers in parallel: each is
 *    re-checked from its stream (closed, paused or re-dated: no-op), decided by the domain's clock and
 *    raised idempotently with the `system` actor (process-manager.ts); handled members leave the set, failed
 *    ones stay and the job is retried with back-off. Drains and scheduling of one process take turns per chunk.
 * 4. A reconciler (at start and every ALERT_RECONCILE_MS) walks `alert_deadlines` and re-adds missing
 *    members and tick jobs: after a Redis flush, deadlines that passed meanwhile are due at the next tick
 *    (scheduler.ts).
 *
 * 5. What cannot be read is quarantined, never retried forever nor allowed to stop the rest: an event the
 *    alerts read model cannot read (log-follower.ts, consumer `alerts_v1`), a deadline row the schedule
 *    cannot plan (`alert-schedule`), a dossier the domain cannot load when its alert falls due
 *    (`deadline-process`). The rows go to the alerts database's quarantine table; `onQuarantined` hears of
 *    each one once (the worker logs it at error level and counts it).
 *
 * This class is the facade that composes those parts and the counters (metrics.ts) behind the API the
 * worker process (index.ts), the tests and the bench use: it holds no logic of its own besides the order
 * in which the parts start and stop.
 */
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { EventStore } from '@motcua/event-store';
import type { QuarantineListener, SqlDb } from '@motcua/read-models';
import {
  ALERT_SCHEDULE_CONSUMER,
  culpritEvent,
  DEADLINE_PROCESS_CONSUMER,
  quarantineDossier,
  quarantineReason,
  type AlertsConfig,
  type DossierQuarantine,
} from '@motcua/alerts';
import { AlertsLogFollower } from './log-follower';
import { DeadlineMetrics, type DeadlineCounters } from './metrics';
import { DeadlineProcessManager } from './process-manager';
import { DeadlineScheduler, type AnyJobData } from './scheduler';

export type { JobOutcome } from './scheduler';

export interface DeadlineWorkerOptions {
  store: EventStore;
  db: SqlDb;
  redisUrl: string;
  config: AlertsConfig;
  logger: Logger;
  /** Clock (epoch ms); the system clock by default. */
  now?: () => number;
  /** What was newly quarantined (log it, count it): called once per quarantine row, after it committed. */
  onQuarantined?: QuarantineListener;
}

export class DeadlineWorker {
  private readonly metrics = new DeadlineMetrics();
  private readonly follower: AlertsLogFollower;
  private readonly scheduler: DeadlineScheduler;
  /** Raised by this worker (tests, metrics). `reconciledJobs`: schedule entries the reconciler re-created. */
  readonly counters: DeadlineCounters = this.metrics.counters;
  /** How late tick jobs started after their boundary (ms), newest last, at most 100,000 kept (bench). */
  readonly startLag: number[] = this.metrics.startLag;
  /** How late alerts were raised after their due instant (ms), newest last, at most 100,000 kept (bench). */
  readonly raiseLag: number[] = this.metrics.raiseLag;

  constructor(o: DeadlineWorkerOptions) {
    const now = o.now ?? Date.now;
    const report = (q: DossierQuarantine): DossierQuarantine => {
      if (q.inserted.length) o.onQuarantined?.(q.inserted);
      return q;
    };
    /** Sets a dossier aside for `consumer`, blaming the event of its stream found by `culpritEvent`. */
    const quarantine = async (consumer: string, code: string, dueAt: string, err: unknown) => {
      const event = await culpritEvent(o.store, code, dueAt);
      return report(await quarantineDossier(o.db, consumer, code, event, quarantineReason(err, event)));
    };
    const manager = new DeadlineProcessManager({
      store: o.store,
      metrics: this.metrics,
      now,
      quarantine: async (code, dueAtMs, err) => {
        const q = await quarantine(DEADLINE_PROCESS_CONSUMER, code, new Date(dueAtMs).toISOString(), err);
        // The dossier's other entry (due soon / deadline) goes too: it would fail the same way.
        await this.scheduler.forget([{ code, dueAtMs }, ...q.obsolete]);
      },
    });
    this.scheduler = new DeadlineScheduler({
      db: o.db,
      redisUrl: o.redisUrl,
      config: o.config,
      logger: o.logger,
      metrics: this.metrics,
      handle: (e, correlationId) => manager.handle(e, correlationId),
      quarantineRow: async (row, err) => (await quarantine(ALERT_SCHEDULE_CONSUMER, row.code, row.dueAt, err)).obsolete,
      now,
    });
    this.follower = new AlertsLogFollower({
      store: o.store,
      db: o.db,
      logger: o.logger,
      onCommitted: (fx) => this.scheduler.afterCommit(fx),
      onQuarantined: (q) => o.onQuarantined?.(q),
    });
  }

  /** The log position the alerts read model has applied. */
  get position(): string {
    return this.follower.position;
  }

  get bullQueue(): Queue<AnyJobData> {
    return this.scheduler.bullQueue;
  }

  async start(): Promise<void> {
    this.scheduler.open();
    await this.follower.start();
    await this.scheduler.startReconciler();
  }

  async stop(): Promise<void> {
    this.scheduler.halt();
    await this.follower.stop();
    await this.scheduler.close();
  }

  /** Re-creates the schedule entries and tick jobs Redis lacks; returns the number of entries re-created. */
  reconcile(): Promise<number> {
    return this.scheduler.reconcile();
  }

  /** Resolves once the read model has applied the log up to `position` (default: the head). */
  waitFor(position?: string, timeoutMs = 30_000): Promise<void> {
    return this.follower.waitFor(position, timeoutMs);
  }

  async queueCounts(): Promise<Record<string, number>> {
    return this.scheduler.queueCounts();
  }

  /** Pending alerts in the schedule (sorted-set members). */
  async scheduledCount(): Promise<number> {
    return this.scheduler.scheduledCount();
  }
}
