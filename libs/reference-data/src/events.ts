/**
 * Reference-data events. Agencies and procedures change over time (the 2025 merges, new deadlines):
 * every change is an effective-dated event, so reports can use the tree and rules that applied.
 *
 * All agency events live in one stream and all procedure events in another: the whole reference set
 * loads with two stream reads at start, however many dossier events the log holds, and a change is
 * one atomic append. The ETag of an agency or procedure is the revision of its own latest event.
 */
export const AGENCY_STREAM = 'refdata-agencies';
export const PROCEDURE_STREAM = 'refdata-procedures';

import { DEADLINE_UNITS, type DeadlineUnit } from '@motcua/calendar';

export { DEADLINE_UNITS, type DeadlineUnit };

/** The levels of the agency tree: the one declaration, used by every lib and app. */
export const AGENCY_LEVELS = ['province', 'department', 'district', 'commune'] as const;
export type AgencyLevel = (typeof AGENCY_LEVELS)[number];

/** A local calendar date `YYYY-MM-DD` (Asia/Ho_Chi_Minh). `null` as a start means "since always". */
export type LocalDate = string;

export interface AgencyAttributes {
  name: string;
  level: AgencyLevel;
  parentCode: string | null;
  /** e.g. `Mon-Fri 07:00-11:30 13:30-17:00`; null = the calendar's default hours. */
  workingHours: string | null;
}

export interface AgencyRegisteredV1 extends AgencyAttributes {
  code: string;
  validFrom: LocalDate | null;
  /** Last day (inclusive) on which the agency exists; null = open-ended. */
  validTo: LocalDate | null;
}
/** Full new attributes effective from a date (re-parenting, renaming, new hours). */
export interface AgencyChangedV1 extends AgencyAttributes {
  code: string;
  effectiveFrom: LocalDate;
}
export interface AgencyClosedV1 {
  code: string;
  validTo: LocalDate;
}
export interface AgencyReopenedV1 {
  code: string;
}

export interface ProcedureRules {
  name: string;
  deadlineValue: number;
  deadlineUnit: DeadlineUnit;
  /** Local `HH:mm`; received after it, the clock starts the next working day. */
  cutoffTime: string | null;
  /** Whether waiting for a fee/tax payment pauses the clock (status 6). */
  paymentPausesClock: boolean;
}
export interface ProcedureRegisteredV1 extends ProcedureRules {
  code: string;
  effectiveFrom: LocalDate | null;
  rulesVersion: number;
}
export interface ProcedureChangedV1 extends ProcedureRules {
  code: string;
  effectiveFrom: LocalDate;
  rulesVersion: number;
}

export const REF_EVENT = {
  agencyRegistered: 'agency.registered.v1',
  agencyChanged: 'agency.changed.v1',
  agencyClosed: 'agency.closed.v1',
  agencyReopened: 'agency.reopened.v1',
  procedureRegistered: 'procedure.registered.v1',
  procedureChanged: 'procedure.changed.v1',
} as const;

export type ReferenceEvent =
  | { type: typeof REF_EVENT.agencyRegistered; data: AgencyRegisteredV1 }
  | { type: typeof REF_EVENT.agencyChanged; data: AgencyChangedV1 }
  | { type: typeof REF_EVENT.agencyClosed; data: AgencyClosedV1 }
  | { type: typeof REF_EVENT.agencyReopened; data: AgencyReopenedV1 }
  | { type: typeof REF_EVENT.procedureRegistered; data: ProcedureRegisteredV1 }
  | { type: typeof REF_EVENT.procedureChanged; data: ProcedureChangedV1 };

export function isLocalDate(s: unknown): s is LocalDate {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(s + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** `Mon-Fri 07:00-11:30 13:30-17:00` or `Mon-Fri,Sat 07:00-11:30`: days then sorted, non-overlapping periods. */
export function isWorkingHours(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const m =
    /^((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:-(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun))?(?:,(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:-(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun))?)*)((?: (?:[01]\d|2[0-3]):[0-5]\d-(?:[01]\d|2[0-4]):[0-5]\d)+)$/.exec(
      s.trim(),
    );
  if (!m) return false;
  let last = -1;
  for (const p of m[2].trim().split(' ')) {
    const [a, b] = p.split('-').map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
    if (!(a < b) || a < last || b > 24 * 60) return false;
    last = b;
  }
  return true;
}
