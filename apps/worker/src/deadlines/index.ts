/**
 * Wires the deadline watcher into the worker process: the configured event store, the alerts database,
 * BullMQ on the deployment's Redis, and (ALERT_WORKER_METRICS_PORT) a /metrics endpoint with the queue
 * counts (tick jobs), the number of scheduled alerts, the watcher's counters and the events this worker
 * quarantined (worker-metrics.ts). The API's /metrics shows the same queue counts.
 */
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { openAlertsDb } from '@motcua/alerts';
import type { EventStore } from '@motcua/event-store';
import type { QuarantineListener } from '@motcua/read-models';
import { openEventStore, type AppConfig } from '@motcua/platform';
import { WorkerMetrics } from '../worker-metrics';
import { DeadlineWorker } from './deadline-worker';

export { DeadlineWorker } from './deadline-worker';

export async function startDeadlines(
  config: AppConfig,
  logger: Logger,
  opts: { store?: EventStore; metrics?: WorkerMetrics; onQuarantined?: QuarantineListener } = {},
): Promise<{ worker: DeadlineWorker; stop(): Promise<void> }> {
  const alerts = config.alerts;
  // The worker's shared store when given (closed by main.ts), else one of our own.
  const store = opts.store ?? (await openEventStore(config.eventStore));
  const db = await openAlertsDb(alerts.db);
  const worker = new DeadlineWorker({
    store,
    db,
    redisUrl: config.redisUrl,
    config: alerts,
    logger: logger.child({ component: 'deadlines' }),
    onQuarantined: opts.onQuarantined,
  });
  await worker.start();
  let server: Server | undefined;
  if (alerts.metricsPort > 0) {
    const metrics = opts.metrics ?? new WorkerMetrics();
    server = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      void (async () => {
        try {
          const text = await metrics.scrape(worker);
          res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
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
