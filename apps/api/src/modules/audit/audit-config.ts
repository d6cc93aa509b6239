import { join } from 'node:path';
import { createReadModelDb, type ReadModelDbConfig, type SqlDb } from '@motcua/read-models';
import { scratchLike, type ScratchFactory } from '@motcua/audit';
import { type Env } from '../../config/app-config';
import { readModelConfigFromEnv } from '../../../../worker/src/projections/projections';

/**
 * Where the audit tools find the live read models (`readModelConfigFromEnv`, the worker's own reader)
 * and put their scratch replays: READ_MODELS_ENGINE (sqlite|postgres),
 * READ_MODELS_SQLITE_FILE (default DATA_DIR/read-models.sqlite), READ_MODELS_PG_URL,
 * READ_MODELS_PG_SCHEMA. Scratch replays: SQLite files under AUDIT_SCRATCH_DIR (default
 * DATA_DIR/audit-scratch), or throw-away schemas in the READ_MODELS_PG_URL database.
 */
export interface AuditConfig {
  readModels: ReadModelDbConfig;
  scratchDir: string;
}

export function loadAuditConfig(dataDir: string, env: Env = process.env): AuditConfig {
  return {
    readModels: readModelConfigFromEnv(env, dataDir),
    scratchDir: env.AUDIT_SCRATCH_DIR?.trim() || join(dataDir, 'audit-scratch'),
  };
}

export function openLiveReadModels(c: AuditConfig): SqlDb {
  return createReadModelDb(c.readModels);
}

export function scratchFor(live: SqlDb, c: AuditConfig): ScratchFactory {
  return scratchLike(live, { connectionString: c.readModels.connectionString, dir: c.scratchDir });
}
