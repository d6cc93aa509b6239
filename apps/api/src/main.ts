import 'reflect-metadata';
import { describeConfig, loadConfigOrExit } from '@motcua/platform';
import { bufferedStdout, createLogger } from '@motcua/platform';
import { createApp } from './bootstrap';
import { canFork, isClusterWorker, readyToListen, runPrimary } from './cluster';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, 'api', bufferedStdout());
  if (config.auth.secretSource === 'dev-file' && !isClusterWorker()) {
    logger.warn(
      { file: config.auth.devSecretFile, generated: config.auth.devSecretGenerated },
      'AUTH_JWT_SECRET unset: using the development secret in DATA_DIR (never in production)',
    );
  }
  if (config.apiProcesses > 1 && !isClusterWorker() && !canFork()) {
    logger.warn({ apiProcesses: config.apiProcesses }, 'API_PROCESSES > 1 needs a script to start workers from (not node -e): running one process');
  } else if (config.apiProcesses > 1 && !isClusterWorker()) {
    // API_PROCESSES > 1: this process only supervises; each worker runs the app below (see cluster.ts).
    await runPrimary(config.apiProcesses, logger);
    logger.info({ config: describeConfig(config), url: `http://localhost:${config.port}` }, 'api listening');
    return;
  }
  const app = await createApp(config, logger);
  if (isClusterWorker()) {
    await app.init();
    await readyToListen();
  }
  await app.listen(config.port, '0.0.0.0');
  if (!isClusterWorker()) logger.info({ config: describeConfig(config), url: `http://localhost:${config.port}` }, 'api listening');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
