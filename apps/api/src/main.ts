import 'reflect-metadata';
import { ConfigError, describeConfig, loadConfig } from './config/app-config';
import { createLogger } from './shared/logging/logger';
import { createApp } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
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
