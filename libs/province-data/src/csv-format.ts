/**
 * The CSV formats of the province files: agencies and procedures (reference data) and dossiers (legacy import).
 * Header row, UTF-8, RFC 4180 quoting. Column order is part of the contract: other tools read these files.
 */
import { AGENCY_LEVELS, DEADLINE_UNITS, type AgencyLevel, type DeadlineUnit } from '@motcua/reference-data';

export const AGENCY_COLUMNS = ['code', 'name', 'level', 'parent_code', 'valid_from', 'valid_to', 'working_hours'] as const;

export const PROCEDURE_COLUMNS = ['code', 'name', 'deadline_value', 'deadline_unit', 'cutoff_time', 'payment_pauses_clock'] as const;

export const DOSSIER_COLUMNS = [
  'dossier_code',
  'agency_code',
  'procedure_code',
  'channel',
  'received_at',
  'due_at',
  'completed_at',
  'outcome',
  'returned_at',
  'withdrawn_at',
  'supplement_requested_at',
  'supplement_supplied_at',
  'apology_at',
  'paid_online',
] as const;

/** Columns a dossiers.csv must have in its header; the others may be absent (read as empty). */
export const REQUIRED_DOSSIER_COLUMNS = ['dossier_code', 'agency_code', 'procedure_code', 'channel', 'received_at'] as const;

export { AGENCY_LEVELS, type AgencyLevel };

/** The three levels of the provincial reports: departments report under the province level. */
export type ReportLevel = 'province' | 'district' | 'commune';
export function reportLevelOf(level: AgencyLevel): ReportLevel {
  return level === 'department' ? 'province' : level;
}

export type Channel = 'counter' | 'online' | 'postal';
export const CHANNELS: readonly Channel[] = ['counter', 'online', 'postal'];

export { DEADLINE_UNITS, type DeadlineUnit };

export type AgencyRow = Record<(typeof AGENCY_COLUMNS)[number], string>;
export type ProcedureRow = Record<(typeof PROCEDURE_COLUMNS)[number], string>;
/** One dossiers.csv row, every value a string ('' when empty), exactly as in the file. */
export type DossierRow = Record<(typeof DOSSIER_COLUMNS)[number], string>;

/** Separator of several supplementations in one cell. */
export const MULTI_SEPARATOR = '|';

export function splitMulti(cell: string | undefined): string[] {
  if (!cell) return [];
  return cell
    .split(MULTI_SEPARATOR)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `paid_online` cell: true/false, 1/0, yes/no (any case); empty = false. Undefined when unreadable. */
export function parseBooleanCell(cell: string | undefined): boolean | undefined {
  const v = (cell ?? '').trim().toLowerCase();
  if (v === '' || v === 'false' || v === '0' || v === 'no' || v === 'n') return false;
  if (v === 'true' || v === '1' || v === 'yes' || v === 'y') return true;
  return undefined;
}
