/**
 * Tables of the SLA projection. Every table name carries the projection's code version and a
 * table-set generation (`sla_v3_g3_daily`): changing the projection code bumps SLA_PROJECTION_VERSION,
 * which makes a fresh table set that is rebuilt from the log, never a mix of old and new figures.
 */
import type { SqlExecutor } from '../sql/driver';
import { createQuarantineTable } from '../quarantine/quarantine';

/**
 * Bump on any change to what the projection computes or stores.
 * v2: `overdue_from` (the domain's unit-aware `overdueFrom`) and `deadline_unit` on the summary.
 * v3: an event the fold cannot apply is quarantined (with every later event of its dossier), and the
 *     dossier's row is frozen as of its last good event with status `quarantined`: a log holding such an
 *     event gives other figures than v2, which counted what it could of it or stopped on it.
 */
export const SLA_PROJECTION_VERSION = 3;
export const SLA_PROJECTION = `sla_v${SLA_PROJECTION_VERSION}`;

/** Counters of one (local day, agency, procedure) bucket, in column order. Integers only. */
export const DAILY_COUNTERS = [
  'received_counter',
  'received_online',
  'received_postal',
  'submitted_online',
  'completed',
  'early',
  'on_time',
  'late',
  'withdrawn',
  'refused',
  'stopped',
  'returned',
  'apologies',
  'supplement_requests',
  'paid',
  'paid_online',
  'electronic_results',
  'deadline_missed',
  'processing_ms',
  'processing_count',
] as const;
export type DailyCounter = (typeof DAILY_COUNTERS)[number];
export const C = Object.fromEntries(DAILY_COUNTERS.map((c, i) => [c, i])) as Record<DailyCounter, number>;

/** Processing-time histogram: bucket i holds durations in ((i-1)/4, i/4] working days; the last is open. */
export const HIST_BUCKETS_PER_DAY = 4;
export const HIST_MAX_BUCKET = 60 * HIST_BUCKETS_PER_DAY; // 60 working days and more share the last bucket
export const WORKING_DAY_MS = 8 * 3_600_000;

export interface TableSet {
  /** e.g. `sla_v3_g2` */
  name: string;
  dossiers: string;
  daily: string;
  hist: string;
  agencies: string;
  procedures: string;
}

export function tableSet(name: string): TableSet {
  return {
    name,
    dossiers: `${name}_dossiers`,
    daily: `${name}_daily`,
    hist: `${name}_hist`,
    agencies: `${name}_agencies`,
    procedures: `${name}_procedures`,
  };
}

/** Columns of the dossier summary, in write order. Instants are epoch ms. */
export const DOSSIER_COLUMNS = [
  'code',
  'agency_code',
  'procedure_code',
  'channel',
  'status',
  'status_code',
  'submitted_at',
  'received_at',
  'original_due_at',
  'due_at',
  'due_key',
  'overdue_from',
  'deadline_unit',
  'promised_at',
  'completed_at',
  'returned_at',
  'ended_at',
  'open_until',
  'timeliness',
  'paused_since',
  'paused_working_ms',
  'supplement_count',
  'paid_online',
  'processing_ms',
  'pauses',
] as const;

/** `open_until` of a dossier whose clock still runs: the largest Date, so one range test selects it. */
export const OPEN_FOREVER = 8_640_000_000_000_000;

export async function createControlTables(db: SqlExecutor): Promise<void> {
  await db.exec(`
    CREATE TABLE IF NOT EXISTS ${db.table('projection_checkpoints')} (
      name TEXT PRIMARY KEY,
      position TEXT NOT NULL,
      events BIGINT NOT NULL,
      updated_at BIGINT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${db.table('projection_active')} (
      projection TEXT PRIMARY KEY,
      table_set TEXT NOT NULL,
      generation INTEGER NOT NULL,
      swapped_at BIGINT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${db.table('projection_sets')} (
      table_set TEXT PRIMARY KEY,
      projection TEXT NOT NULL,
      generation INTEGER NOT NULL,
      state TEXT NOT NULL,
      created_at BIGINT NOT NULL
    );`);
  // Beside the checkpoints: what the projection set aside is written in the same transaction as they are.
  await createQuarantineTable(db);
}

const counterCols = DAILY_COUNTERS.map((c) => `${c} BIGINT NOT NULL DEFAULT 0`).join(',\n  ');

export async function createTableSet(db: SqlExecutor, set: TableSet, withIndexes: boolean): Promise<void> {
  const t = (n: string) => db.table(n);
  // SQLite: the keyed tables are their primary-key B-tree (no rowid table beside a key index): one
  // B-tree to write per row instead of two, and the rows in key order for range reads.
  const keyed = db.dialect === 'sqlite' ? ' WITHOUT ROWID' : '';
  await db.exec(`
    CREATE TABLE IF NOT EXISTS ${t(set.dossiers)} (
      code TEXT PRIMARY KEY,
      agency_code TEXT,
      procedure_code TEXT,
      channel TEXT,
      status TEXT NOT NULL,
      status_code INTEGER,
      submitted_at BIGINT,
      received_at BIGINT,
      original_due_at BIGINT,
      due_at BIGINT,
      due_key BIGINT NOT NULL,
      overdue_from BIGINT,
      deadline_unit TEXT,
      promised_at BIGINT,
      completed_at BIGINT,
      returned_at BIGINT,
      ended_at BIGINT,
      open_until BIGINT NOT NULL,
      timeliness TEXT,
      paused_since BIGINT,
      paused_working_ms BIGINT NOT NULL,
      supplement_count INTEGER NOT NULL,
      paid_online INTEGER,
      processing_ms BIGINT,
      pauses TEXT
    )${keyed};
    CREATE TABLE IF NOT EXISTS ${t(set.daily)} (
      day TEXT NOT NULL,
      agency_code TEXT NOT NULL,
      procedure_code TEXT NOT NULL,
      ${counterCols},
      PRIMARY KEY (day, agency_code, procedure_code)
    )${keyed};
    CREATE TABLE IF NOT EXISTS ${t(set.hist)} (
      day TEXT NOT NULL,
      agency_code TEXT NOT NULL,
      procedure_code TEXT NOT NULL,
      bucket INTEGER NOT NULL,
      n BIGINT NOT NULL,
      PRIMARY KEY (day, agency_code, procedure_code, bucket)
    )${keyed};
    CREATE TABLE IF NOT EXISTS ${t(set.agencies)} (
      code TEXT NOT NULL,
      valid_from TEXT NOT NULL,
      valid_to TEXT,
      name TEXT,
      level TEXT,
      parent_code TEXT,
      PRIMARY KEY (code, valid_from)
    );
    CREATE TABLE IF NOT EXISTS ${t(set.procedures)} (
      code TEXT PRIMARY KEY,
      name TEXT,
      data TEXT
    );`);
  if (withIndexes) await createIndexes(db, set);
}

/** Secondary indexes; a rebuild adds them once caught up (bulk loads are faster without them). */
export async function createIndexes(db: SqlExecutor, set: TableSet): Promise<void> {
  const t = db.table(set.dossiers);
  await db.exec(`
    CREATE INDEX IF NOT EXISTS ${set.dossiers}_agency_due ON ${t} (agency_code, due_key, code);
    CREATE INDEX IF NOT EXISTS ${set.dossiers}_due ON ${t} (due_key, code);
    CREATE INDEX IF NOT EXISTS ${set.dossiers}_open ON ${t} (open_until);`);
}

export async function dropTableSet(db: SqlExecutor, set: TableSet): Promise<void> {
  for (const n of [set.dossiers, set.daily, set.hist, set.agencies, set.procedures]) {
    await db.exec(`DROP TABLE IF EXISTS ${db.table(n)}`);
  }
}
