/**
 * Agencies (cơ quan) for tests: the reference-data events of the agency tree and the importer's
 * `AgencyRef`, from one description. Absent fields are the reference data's own defaults: no parent,
 * the calendar's default hours, open-ended.
 */
import type { AgencyRef } from '@motcua/province-data';
import { REF_EVENT, type AgencyChangedV1, type AgencyClosedV1, type AgencyLevel, type AgencyRegisteredV1 } from '@motcua/reference-data';
import type { ReferenceEventFixture } from './reference-events';

export interface AgencyFixture {
  code: string;
  level: AgencyLevel;
  /** Default `Agency <code>`. */
  name?: string;
  parentCode?: string | null;
  /** e.g. `Mon-Fri 07:30-11:30 13:00-17:00`. */
  workingHours?: string | null;
  /** Local dates `YYYY-MM-DD`, inclusive. */
  validFrom?: string | null;
  validTo?: string | null;
}

function attributes(a: AgencyFixture) {
  return { name: a.name ?? `Agency ${a.code}`, level: a.level, parentCode: a.parentCode ?? null, workingHours: a.workingHours ?? null };
}

/** `agency.registered.v1`. */
export function agencyRegistered(a: AgencyFixture): ReferenceEventFixture<typeof REF_EVENT.agencyRegistered, AgencyRegisteredV1> {
  return { type: REF_EVENT.agencyRegistered, data: { code: a.code, ...attributes(a), validFrom: a.validFrom ?? null, validTo: a.validTo ?? null } };
}

/** `agency.changed.v1`: the full new attributes from `effectiveFrom` (re-parenting, renaming, new hours). */
export function agencyChanged(a: AgencyFixture, effectiveFrom: string): ReferenceEventFixture<typeof REF_EVENT.agencyChanged, AgencyChangedV1> {
  return { type: REF_EVENT.agencyChanged, data: { code: a.code, ...attributes(a), effectiveFrom } };
}

/** `agency.closed.v1`: `validTo` is the agency's last day. */
export function agencyClosed(code: string, validTo: string): ReferenceEventFixture<typeof REF_EVENT.agencyClosed, AgencyClosedV1> {
  return { type: REF_EVENT.agencyClosed, data: { code, validTo } };
}

/** The agency as the dossier importer looks it up (only the fields that are set). */
export function agencyRef(a: AgencyFixture): AgencyRef {
  return {
    code: a.code,
    level: a.level,
    ...(a.parentCode ? { parentCode: a.parentCode } : {}),
    ...(a.validFrom ? { validFrom: a.validFrom } : {}),
    ...(a.validTo ? { validTo: a.validTo } : {}),
    ...(a.workingHours ? { workingHours: a.workingHours } : {}),
  };
}
