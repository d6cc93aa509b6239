/**
 * The worker's Prometheus registry, served on ALERT_WORKER_METRICS_PORT (deadlines/index.ts) when set: the
 * deadline queue's job counts, the scheduled alerts and the watcher's counters (read from the running
 * watcher at each scrape), and `events_quarantined_total{consumer}`, the events (or rows derived from
 * them) this process quarantined since it started. One registry per worker (tests start several in a
 * process); the API's /metrics shows the durable count, `events_quarantined{consumer}`, from the tables.
 */
import { Counter, Gauge, Registry } from 'prom-client';

/** What the metrics read of a running deadline watcher. */
export interface DeadlineFigures {
  queueCounts(): Promise<Record<string, number>>;
  scheduledCount(): Promise<number>;
  readonly counters: object;
}

export class WorkerMetrics {
  readonly registry = new Registry();
  /** Newly quarantined, by consumer (`sla_v3`, `alerts_v1`, `alert-schedule`, `deadline-process`). */
  readonly quarantined = new Counter({
    name: 'events_quarantined_total',
    help: 'Events (or read-model rows derived from them) this worker set aside because it could not process them, by consumer, since start',
    labelNames: ['consumer'],
    registers: [this.registry],
  });
  private readonly jobs = new Gauge({
    name: 'alerts_queue_jobs',
    help: 'BullMQ deadline queue jobs by state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  private readonly scheduled = new Gauge({
    name: 'alerts_scheduled_entries',
    help: 'Pending alerts in the Redis schedule (due soon + deadline)',
    registers: [this.registry],
  });
  private readonly raised = new Gauge({
    name: 'alerts_worker_events_total',
    help: 'Events raised / jobs skipped by this worker since start',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  /** The registry's text, with the deadline watcher's figures read now. */
  async scrape(deadlines?: DeadlineFigures): Promise<string> {
    if (deadlines) {
      for (const [state, n] of Object.entries(await deadlines.queueCounts())) this.jobs.set({ state }, n);
      this.scheduled.set(await deadlines.scheduledCount());
      for (const [kind, n] of Object.entries(deadlines.counters as Record<string, number>)) this.raised.set({ kind }, n);
    }
    return this.registry.metrics();
  }
}
