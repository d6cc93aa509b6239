import { AgencyRecord, agencyView, AgencyView, AgencyVersion, ProcedureRecord, ProcedureVersion } from './reference-data';

/** What agency routes answer: the latest attributes, the full timeline, and the ETag revision. */
export interface AgencyResponse {
  code: string;
  current: AgencyView;
  versions: AgencyVersion[];
  validFrom: string | null;
  validTo: string | null;
  revision: number;
}
export function agencyResponse(rec: AgencyRecord): AgencyResponse {
  const current = agencyView(rec)!;
  return { code: rec.code, current, versions: rec.versions, validFrom: current.validFrom, validTo: rec.validTo, revision: rec.revision };
}

export interface ProcedureResponse {
  code: string;
  current: ProcedureVersion & { code: string };
  versions: ProcedureVersion[];
  revision: number;
}
export function procedureResponse(rec: ProcedureRecord): ProcedureResponse {
  const latest = [...rec.versions].sort((a, b) => a.rulesVersion - b.rulesVersion)[rec.versions.length - 1];
  return { code: rec.code, current: { code: rec.code, ...latest }, versions: rec.versions, revision: rec.revision };
}
