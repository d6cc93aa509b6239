import { resolve } from 'node:path';
import { createPostgresDb, createSqliteDb, mergedQuarantine, sqlQuarantine, type QuarantineReader, type SqlDb } from '@motcua/read-models';
import type { AppConfig } from '../config/app-config';
import { openReadModels } from './read-models.factory';

export interface OpenedQuarantine {
  reader: QuarantineReader;
  close(): Promise<void>;
}

/** Where a database of the configuration lives, to tell whether two sections name the same one. */
function locationOf(db: { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string; schema: string }): string {
  return db.engine === 'sqlite' ? `sqlite:${resolve(db.file)}` : `postgres:${db.url}#${db.schema}`;
}

/**
 * The deployment's quarantine as one reader, in log order: the SLA projection's table (in the read models,
 * READ_MODELS_*) and the deadline watcher's (in the alerts database, ALERTS_DB*), each beside the checkpoint
 * of the consumers that write it. When both sections name the same database and schema, it is read once.
 * Connections open lazily (the API starts before the worker created anything); `close()` ends them.
 */
export function openQuarantine(config: Pick<AppConfig, 'readModels' | 'alerts'>): OpenedQuarantine {
  const rm = config.readModels;
  const rmLocation =
    (rm.engine ?? 'sqlite') === 'postgres'
      ? locationOf({ engine: 'postgres', url: rm.connectionString ?? '', schema: rm.schema ?? 'read_models' })
      : locationOf({ engine: 'sqlite', file: rm.sqliteFile ?? 'data/read-models.sqlite' });
  const a = config.alerts.db;
  const alertsLocation =
    a.kind === 'postgres' ? locationOf({ engine: 'postgres', url: a.connectionString, schema: a.schema }) : locationOf({ engine: 'sqlite', file: a.file });
  const dbs: SqlDb[] = [openReadModels(config)];
  if (alertsLocation !== rmLocation) {
    dbs.push(a.kind === 'postgres' ? createPostgresDb({ connectionString: a.connectionString, schema: a.schema }) : createSqliteDb({ file: a.file }));
  }
  return {
    reader: dbs.length === 1 ? sqlQuarantine(dbs[0]) : mergedQuarantine(dbs.map((db) => sqlQuarantine(db))),
    async close() {
      await Promise.all(dbs.map((db) => db.close().catch(() => undefined)));
    },
  };
}
