import 'reflect-metadata';
import type { EventStore } from '@motcua/event-store';
import { createLogger, describeConfig, loadConfigOrExit, openEventStore } from '@motcua/platform';
import { startProjectionJob } from './run-projections';
import { startDeadlines } from './deadlines';
import { acquireLeadership } from './leader';

/**
 * The worker process: projections and the deadline scheduler run here, composed from the platform
 * layer with the same configuration as the API (EVENT_STORE, EVENT_STORE_URL, DATA_DIR; READ_MODELS_*
 * for the read-model store, read by the API's SLA routes too). Stops cleanly on SIGINT/SIGTERM: each job's
 * stop lets its current batch commit, then the store is closed.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, 'worker');
  logger.info({ config: describeConfig(config) }, 'worker starting');

  /** Jobs register their stop here; they are stopped in reverse order of start. */
  const stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];
  const abort = new AbortController();
  let store: EventStore | undefined;
  let stopping = false;
  const stop = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping');
    abort.abort();
    const force = setTimeout(() => {
      logger.error({ signal }, 'worker did not stop within 15 s; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    for (const s of stoppers.reverse()) {
      try {
        await s.stop();
      } catch (err) {
        logger.error({ err, job: s.name }, 'job failed to stop cleanly');
        code = code || 1;
      }
    }
    await store?.close().catch((err) => logger.error({ err }, 'event store close failed'));
    logger.info({ signal }, 'worker stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    // Scale-out: with PostgreSQL read models, only the holder of the leader lock runs the jobs below; the
    // others wait here and take over when it dies (leader.ts).
    const lock = config.leaderLock;
    if (lock) {
      const leadership = await acquireLeadership(lock, logger, abort.signal);
      if (!leadership) return; // stopped while on standby: stop() exits
      stoppers.push({ name: 'leadership', stop: () => leadership.release() });
      void leadership.lost.then((err) => {
        logger.error({ err }, 'worker: leader lock lost; stopping so that only one worker stays active');
        void stop('leadership-lost', 75);
      });
    }
    store = await openEventStore(config.eventStore);
    // Deadlines first: a long first projection rebuild must not delay deadlines that passed while down.
    const deadlines = await startDeadlines(config, logger, { store });
    stoppers.push({ name: 'deadlines', stop: () => deadlines.stop() });
    const projections = await startProjectionJob({ store, logger, config: config.readModels, signal: abort.signal, progressEveryMs: config.workerProgressMs });
    stoppers.push({ name: 'projections', stop: () => projections.stop() });
    logger.info(await projections.status(), 'worker running: projections live');
  } catch (err) {
    if (stopping) return; // aborted by a signal during the first rebuild: stop() exits
    logger.error({ err }, 'worker failed to start');
    await stop('start-failure', 1);
  }
}

void main();
