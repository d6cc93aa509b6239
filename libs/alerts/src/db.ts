import { createPostgresDb, createSqliteDb, type SqlDb } from '@motcua/read-models';
import type { AlertsConfig } from './config';
import { ensureAlertsSchema } from './projection';

/** Opens the alerts database and creates its tables (both the API and the worker may be first). */
export async function openAlertsDb(config: AlertsConfig['db']): Promise<SqlDb> {
  const db =
    config.kind === 'sqlite' ? createSqliteDb({ file: config.file }) : createPostgresDb({ connectionString: config.connectionString, schema: config.schema });
  await ensureAlertsSchema(db);
  return db;
}
