/**
 * Reference data the dossier import needs: which agencies and procedures exist, and the working
 * calendar of each agency. Built from agencies.csv / procedures.csv here; the CLI may build the same
 * lookups from the reference-data events (`agency.registered.v1`, `procedure.registered.v1`).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { createWorkingCalendar, parseWorkingHours, type WorkingCalendar } from '@motcua/calendar';
import type { ProcedureRules } from '@motcua/domain';
import { AGENCY_LEVELS, DEADLINE_UNITS, parseBooleanCell, type AgencyLevel, type DeadlineUnit } from './csv-format';

export interface AgencyRef {
  code: string;
  level: AgencyLevel;
  parentCode?: string;
  /** Inclusive local dates `YYYY-MM-DD`; absent = open-ended. */
  validFrom?: string;
  validTo?: string;
  /** `Mon-Fri 07:00-11:30 13:30-17:00`; absent = the default hours. */
  workingHours?: string;
}

export interface ReferenceLookups {
  agency(code: string): AgencyRef | undefined;
  /** The rules in force on `date` (local `YYYY-MM-DD` of the receipt), for time-versioned reference data. */
  procedure(code: string, date?: string): ProcedureRules | undefined;
  /** The calendar the domain decides with for this agency's dossiers. */
  calendarFor(agency: AgencyRef): WorkingCalendar;
  /** Every agency (for figures per level). */
  agencies(): Iterable<AgencyRef>;
  procedures(): Iterable<ProcedureRules>;
}

export function createLookups(agencies: Iterable<AgencyRef>, procedures: Iterable<ProcedureRules>): ReferenceLookups {
  const agencyMap = new Map<string, AgencyRef>();
  for (const a of agencies) agencyMap.set(a.code, a);
  const procedureMap = new Map<string, ProcedureRules>();
  for (const p of procedures) procedureMap.set(p.code, p);
  // One calendar per distinct working-hours text: calendars cache their day tables.
  const calendars = new Map<string, WorkingCalendar>();
  return {
    agency: (code) => agencyMap.get(code),
    procedure: (code) => procedureMap.get(code),
    calendarFor: (agency) => {
      const key = agency.workingHours?.trim() ?? '';
      let cal = calendars.get(key);
      if (!cal) {
        cal = key ? createWorkingCalendar({ hours: parseWorkingHours(key) }) : createWorkingCalendar();
        calendars.set(key, cal);
      }
      return cal;
    },
    agencies: () => agencyMap.values(),
    procedures: () => procedureMap.values(),
  };
}

/** Version of procedure rules read from a CSV: derived from the rule values, so equal rules share it. */
export function procedureRulesVersion(p: Omit<ProcedureRules, 'version' | 'code'>): string {
  return `csv:${p.deadline.value}${p.deadline.unit}:${p.cutoffTime ?? '-'}:${p.paymentPausesClock ? 'pause' : 'run'}`;
}

function rowsOf(text: string): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
}

export function parseAgenciesCsv(text: string): AgencyRef[] {
  return rowsOf(text).map((r, i) => {
    const line = i + 2;
    if (!r.code) throw new Error(`agencies.csv line ${line}: code is empty`);
    if (!AGENCY_LEVELS.includes(r.level as AgencyLevel))
      throw new Error(`agencies.csv line ${line}: level '${r.level}' is not one of ${AGENCY_LEVELS.join('|')}`);
    return {
      code: r.code,
      level: r.level as AgencyLevel,
      ...(r.parent_code ? { parentCode: r.parent_code } : {}),
      ...(r.valid_from ? { validFrom: r.valid_from } : {}),
      ...(r.valid_to ? { validTo: r.valid_to } : {}),
      ...(r.working_hours ? { workingHours: r.working_hours } : {}),
    };
  });
}

export function parseProceduresCsv(text: string): ProcedureRules[] {
  return rowsOf(text).map((r, i) => {
    const line = i + 2;
    const value = Number(r.deadline_value);
    if (!r.code) throw new Error(`procedures.csv line ${line}: code is empty`);
    if (!Number.isFinite(value) || value < 0) throw new Error(`procedures.csv line ${line}: deadline_value '${r.deadline_value}' is not a number >= 0`);
    if (!DEADLINE_UNITS.includes(r.deadline_unit as DeadlineUnit))
      throw new Error(`procedures.csv line ${line}: deadline_unit '${r.deadline_unit}' is not one of ${DEADLINE_UNITS.join('|')}`);
    const pauses = parseBooleanCell(r.payment_pauses_clock);
    if (pauses === undefined) throw new Error(`procedures.csv line ${line}: payment_pauses_clock '${r.payment_pauses_clock}' is not true|false`);
    const rules = {
      deadline: { value, unit: r.deadline_unit as DeadlineUnit },
      ...(r.cutoff_time ? { cutoffTime: r.cutoff_time } : {}),
      paymentPausesClock: pauses,
    };
    return { code: r.code, ...rules, version: procedureRulesVersion(rules) };
  });
}

/** Lookups from the two reference files of a province. */
export async function loadReferenceCsv(files: { agenciesFile: string; proceduresFile: string }): Promise<ReferenceLookups> {
  const [agencies, procedures] = await Promise.all([readFile(files.agenciesFile, 'utf8'), readFile(files.proceduresFile, 'utf8')]);
  return createLookups(parseAgenciesCsv(agencies), parseProceduresCsv(procedures));
}
