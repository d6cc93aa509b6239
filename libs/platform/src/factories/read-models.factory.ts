import { createReadModelDb, type SqlDb } from '@motcua/read-models';
import { scratchLike, type ScratchFactory } from '@motcua/audit';
import type { AppConfig } from '../config/app-config';

/** Opens the read-model store of the configuration (AppConfig.readModels). */
export function openReadModels(config: Pick<AppConfig, 'readModels'>): SqlDb {
  return createReadModelDb(config.readModels);
}

/**
 * Where an audit replay builds its scratch read models beside the live ones: SQLite files under
 * AUDIT_SCRATCH_DIR, or throw-away schemas in the READ_MODELS_PG_URL database.
 */
export function auditScratch(live: SqlDb, config: Pick<AppConfig, 'readModels' | 'audit'>): ScratchFactory {
  return scratchLike(live, { connectionString: config.readModels.connectionString, dir: config.audit.scratchDir });
}
