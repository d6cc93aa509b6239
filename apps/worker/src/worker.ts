/**
 * The worker's jobs, composed from the platform layer: the leader lock (PostgreSQL read models only), the
 * configured event store, the deadline watcher, then the projections. main.ts runs one per process and adds
 * the signals and the exit code; tests start the same composition in-process (test/route-fuzz.e2e-spec.ts,
 * test/quarantine.e2e-spec.ts).
 *
 * What a job cannot process is quarantined by it and reported here once per row: an error line with
 * `event: "event-quarantined"` and `events_quarantined_total{consumer}` in the worker's registry
 * (quarantine-reporter.ts, worker-metrics.ts); at each start one warning says what lies in quarantine.
 */
import type { Logger } from 'pino';
import type { EventStore } from '@motcua/event-store';
import type { QuarantineListener } from '@motcua/read-models';
import { openEventStore, openQuarantine, type AppConfig } from '@motcua/platform';
import { startProjectionJob, type ProjectionJob } from './run-projections';
import { startDeadlines } from './deadlines';
import { acquireLeadership } from './leader';
import { quarantineReporter } from './quarantine-reporter';
import { WorkerMetrics } from './worker-metrics';

export interface WorkerOptions {
  /** Aborts a start on standby or during the first rebuild. */
  signal?: AbortSignal;
  /** Called when the leader lock is lost after the start (the caller stops the worker). */
  onLeadershipLost?: (err: unknown) => void;
  /** Also told of each row newly quarantined, after it was logged and counted. */
  onQuarantined?: QuarantineListener;
}

export class Worker {
  /** Jobs register their stop here; they are stopped in reverse order of start. */
  private readonly stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];
  private store?: EventStore;
  projections?: ProjectionJob;
  deadlines?: Awaited<ReturnType<typeof startDeadlines>>;
  /** The worker's Prometheus registry (served on ALERT_WORKER_METRICS_PORT). */
  readonly metrics = new WorkerMetrics();

  constructor(
    private readonly config: AppConfig,
    private readonly logger: Logger,
    private readonly opts: WorkerOptions = {},
  ) {}

  /**
   * Starts the jobs. False when stopped by the signal while on standby. Throws when a job fails to start;
   * `stop()` then stops the ones that did. Deadlines start before the projections: a long first rebuild must
   * not delay deadlines that passed while the worker was down.
   */
  async start(): Promise<boolean> {
    // Scale-out: with PostgreSQL read models, only the holder of the leader lock runs the jobs below; the
    // others wait here and take over when it dies (leader.ts).
    const lock = this.config.leaderLock;
    if (lock) {
      const leadership = await acquireLeadership(lock, this.logger, this.opts.signal);
      if (!leadership) return false;
      this.stoppers.push({ name: 'leadership', stop: () => leadership.release() });
      void leadership.lost.then((err) => this.opts.onLeadershipLost?.(err));
    }
    this.store = await openEventStore(this.config.eventStore);
    const store = this.store;
    const report = quarantineReporter(this.logger, this.metrics);
    const onQuarantined: QuarantineListener = (q) => {
      report(q);
      this.opts.onQuarantined?.(q);
    };
    const deadlines = await startDeadlines(this.config, this.logger, { store, metrics: this.metrics, onQuarantined });
    this.stoppers.push({ name: 'deadlines', stop: () => deadlines.stop() });
    this.deadlines = deadlines;
    const projections = await startProjectionJob({
      store,
      logger: this.logger,
      config: this.config.readModels,
      signal: this.opts.signal,
      progressEveryMs: this.config.workerProgressMs,
      onQuarantined,
    });
    this.stoppers.push({ name: 'projections', stop: () => projections.stop() });
    this.projections = projections;
    await this.remindQuarantine();
    return true;
  }

  /** What lies in quarantine (set aside by this run or an earlier one): one warning at each start if anything does. */
  private async remindQuarantine(): Promise<void> {
    const q = openQuarantine(this.config);
    try {
      const counts = await q.reader.counts();
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      if (total > 0)
        this.logger.warn({ quarantined: counts, total }, 'events lie in quarantine: GET /api/admin/quarantine or `npm run cli -- quarantine list`');
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'quarantine not readable');
    } finally {
      await q.close();
    }
  }

  /** Stops what started, each job letting its current batch commit, then closes the store. False if a job failed to stop cleanly. */
  async stop(): Promise<boolean> {
    let clean = true;
    for (const s of this.stoppers.splice(0).reverse()) {
      try {
        await s.stop();
      } catch (err) {
        this.logger.error({ err, job: s.name }, 'job failed to stop cleanly');
        clean = false;
      }
    }
    const store = this.store;
    this.store = undefined;
    await store?.close().catch((err) => this.logger.error({ err }, 'event store close failed'));
    return clean;
  }
}
