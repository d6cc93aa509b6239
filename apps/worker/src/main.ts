import 'reflect-metadata';
import { createLogger, describeConfig, loadConfigOrExit } from '@motcua/platform';
import { Worker } from './worker';

/**
 * The worker process: projections and the deadline scheduler run here (worker.ts composes them from the
 * platform layer), with the same configuration as the API (EVENT_STORE, EVENT_STORE_URL, DATA_DIR;
 * READ_MODELS_* for the read-model store, read by the API's SLA routes too). Stops cleanly on SIGINT/SIGTERM:
 * each job's stop lets its current batch commit, then the store is closed. An event a job cannot process is
 * quarantined, logged at error level and counted (worker.ts, quarantine-reporter.ts); the jobs go on.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, 'worker');
  logger.info({ config: describeConfig(config) }, 'worker starting');

  const abort = new AbortController();
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
    if (!(await worker.stop())) code = code || 1;
    logger.info({ signal }, 'worker stopped');
    process.exit(code);
  };
  const worker = new Worker(config, logger, {
    signal: abort.signal,
    onLeadershipLost: (err) => {
      logger.error({ err }, 'worker: leader lock lost; stopping so that only one worker stays active');
      void stop('leadership-lost', 75);
    },
  });
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    if (!(await worker.start())) return; // stopped while on standby: stop() exits
    logger.info(await worker.projections!.status(), 'worker running: projections live');
  } catch (err) {
    if (stopping) return; // aborted by a signal during the first rebuild: stop() exits
    logger.error({ err }, 'worker failed to start');
    await stop('start-failure', 1);
  }
}

void main();
