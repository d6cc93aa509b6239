/**
 * Wires the deadline watcher into the worker process: the configured event store, the alerts database,
 * BullMQ on the deployment's Redis, and (ALERT_WORKER_METRICS_PORT) a /metrics endpoint with the queue
 * counts (tick jobs), the number of scheduled alerts and the watcher's counters. The API's /metrics shows the same queue counts.
 */
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { Gauge, Registry } from 'prom-client';
import { openAlertsDb } from '@motcua/alerts';
import type { EventStore } from '@motcua/event-store';
import { openEventStore, type AppConfig } from '@motcua/platform';
import { DeadlineWorker } from './deadline-worker';

export { DeadlineWorker } from './deadline-worker';

export async function startDeadlines(
  config: AppConfig,
  logger: Logger,
  opts: { store?: EventStore } = {},
): Promise<{ worker: DeadlineWorker; stop(): Promise<void> }> {
  const alerts = config.alerts;
  // The worker's shared store when given (closed by main.ts), else one of our own.
  const store = opts.store ?? (await openEventStore(config.eventStore));
  const db = await openAlertsDb(alerts.db);
  const worker = new DeadlineWorker({ store, db, redisUrl: config.redisUrl, config: alerts, logger: logger.child({ component: 'deadlines' }) });
  await worker.start();
  let server: Server | undefined;
  if (alerts.metricsPort > 0) {
    const registry = new Registry();
    const jobs = new Gauge({ name: 'alerts_queue_jobs', help: 'BullMQ deadline queue jobs by state', labelNames: ['state'], registers: [registry] });
    const scheduled = new Gauge({
      name: 'alerts_scheduled_entries',
      help: 'Pending alerts in the Redis schedule (due soon + deadline)',
      registers: [registry],
    });
    const raised = new Gauge({
      name: 'alerts_worker_events_total',
      help: 'Events raised / jobs skipped by this worker since start',
      labelNames: ['kind'],
      registers: [registry],
    });
    server = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      void (async () => {
        try {
          for (const [state, n] of Object.entries(await worker.queueCounts())) jobs.set({ state }, n);
          scheduled.set(await worker.scheduledCount());
          for (const [kind, n] of Object.entries(worker.counters)) raised.set({ kind }, n);
          res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
        } catch (err) {
          res.writeHead(503).end(String((err as Error).message));
        }
      })();
    }).listen(alerts.metricsPort);
  }
  logger.info({ alertsDb: alerts.db.kind, bullPrefix: alerts.bullPrefix, tickMs: alerts.tickMs, reconcileMs: alerts.reconcileMs }, 'deadline watcher running');
  return {
    worker,
    async stop() {
      server?.close();
      await worker.stop();
      await db.close();
      if (!opts.store) await store.close();
    },
  };
}
