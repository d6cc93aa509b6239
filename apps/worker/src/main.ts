import 'reflect-metadata';
import { ConfigError, describeConfig, loadConfig } from '../../api/src/config/app-config';
import { createLogger } from '../../api/src/shared/logging/logger';

/**
 * The worker process: projections and the deadline scheduler run here (issues 5 and 6). For now it
 * only proves it runs with the same configuration as the API, and stops cleanly on a signal.
 */
function main(): void {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel, 'worker');
  logger.info({ config: describeConfig(config) }, 'worker running (no jobs registered yet)');
  const beat = setInterval(() => logger.debug('worker alive'), 60_000);
  const stop = (signal: string) => {
    clearInterval(beat);
    logger.info({ signal }, 'worker stopping');
    process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main();
