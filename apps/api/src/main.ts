import 'reflect-metadata';
import { describeConfig, loadConfigOrExit } from './config/app-config';
import { createLogger } from './shared/logging/logger';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, 'api');
  if (config.auth.secretSource === 'dev-file') {
    logger.warn({ file: config.auth.devSecretFile, generated: config.auth.devSecretGenerated }, 'AUTH_JWT_SECRET unset: using the development secret in DATA_DIR (never in production)');
  }
  const app = await createApp(config, logger);
  await app.listen(config.port, '0.0.0.0');
  logger.info({ config: describeConfig(config), url: `http://localhost:${config.port}` }, 'api listening');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
