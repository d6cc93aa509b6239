import { join } from 'node:path';
import { createReadModelDb, type ReadModelDbConfig, type SqlDb } from '@motcua/read-models';
import { scratchLike, type ScratchFactory } from '@motcua/audit';
import { ConfigError, type Env } from '../../config/app-config';

/**
 * Where the audit tools find the live read models and put their scratch replays. Same variables as
 * the projection worker (libs/read-models/src/sql/driver.ts): READ_MODELS_ENGINE (sqlite|postgres),
 * READ_MODELS_SQLITE_FILE (default DATA_DIR/read-models.sqlite), READ_MODELS_PG_URL,
 * READ_MODELS_PG_SCHEMA. Scratch replays: SQLite files under AUDIT_SCRATCH_DIR (default
 * DATA_DIR/audit-scratch), or throw-away schemas in the READ_MODELS_PG_URL database.
 */
export interface AuditConfig {
  readModels: ReadModelDbConfig;
  scratchDir: string;
}

export function loadAuditConfig(dataDir: string, env: Env = process.env): AuditConfig {
  const engine = (env.READ_MODELS_ENGINE?.trim() || 'sqlite') as 'sqlite' | 'postgres';
  if (engine !== 'sqlite' && engine !== 'postgres') throw new ConfigError('READ_MODELS_ENGINE', `expected sqlite or postgres, got '${engine}'`);
  const connectionString = env.READ_MODELS_PG_URL?.trim() || undefined;
  if (engine === 'postgres' && !connectionString) throw new ConfigError('READ_MODELS_PG_URL', 'required when READ_MODELS_ENGINE=postgres');
  return {
    readModels: {
      engine,
      sqliteFile: env.READ_MODELS_SQLITE_FILE?.trim() || join(dataDir, 'read-models.sqlite'),
      connectionString,
      schema: env.READ_MODELS_PG_SCHEMA?.trim() || undefined,
    },
    scratchDir: env.AUDIT_SCRATCH_DIR?.trim() || join(dataDir, 'audit-scratch'),
  };
}

export function openLiveReadModels(c: AuditConfig): SqlDb {
  return createReadModelDb(c.readModels);
}

export function scratchFor(live: SqlDb, c: AuditConfig): ScratchFactory {
  return scratchLike(live, { connectionString: c.readModels.connectionString, dir: c.scratchDir });
}
