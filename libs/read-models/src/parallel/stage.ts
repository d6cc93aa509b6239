/**
 * Staging tables of a parallel rebuild's scratch files: held day counters appended as rows (no key,
 * so each write is an append), summed once at the end (`sum-worker.ts`) and copied into the table
 * set's keyed tables.
 */
import type { SqlExecutor } from '../sql/driver';
import { DAILY_COUNTERS } from '../sla/schema';

export const STAGE = { daily: 'stage_daily', hist: 'stage_hist' };

export async function createStageTables(db: SqlExecutor): Promise<void> {
  await db.exec(`
    CREATE TABLE IF NOT EXISTS ${db.table(STAGE.daily)} (day TEXT, agency_code TEXT, procedure_code TEXT, ${DAILY_COUNTERS.map((c) => `${c} INTEGER`).join(', ')});
    CREATE TABLE IF NOT EXISTS ${db.table(STAGE.hist)} (day TEXT, agency_code TEXT, procedure_code TEXT, bucket INTEGER, n INTEGER);`);
}
