/**
 * The agency tree through time in the read model's row form, folded from the reference-data events
 * (libs/reference-data: `agency.registered.v1` / `changed` / `closed` / `reopened`, stream
 * `refdata-agencies`). Effective dates are LOCAL dates: a version applies from its `effectiveFrom`
 * (null = since always); `validTo` is the agency's last day.
 */
import { foldAgency, REF_EVENT, type AgencyLevel, type AgencyRecord } from '@motcua/reference-data';

export type { AgencyLevel };

export interface AgencyVersionRow {
  code: string;
  /** '' = since always (keeps the primary key non-null in SQL). */
  effectiveFrom: string;
  /** Inclusive last day of the agency (same on all its versions); null = open-ended. */
  validTo: string | null;
  name: string | null;
  level: AgencyLevel | null;
  parentCode: string | null;
}

export const AGENCY_EVENT_TYPES = new Set<string>([REF_EVENT.agencyRegistered, REF_EVENT.agencyChanged, REF_EVENT.agencyClosed, REF_EVENT.agencyReopened]);

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/**
 * Applies one agency event to the versions of its agency (sorted by effectiveFrom). Pure: the reference-data
 * lib's own fold (`foldAgency`), seen through the read model's rows.
 */
export function foldAgencyVersions(versions: AgencyVersionRow[] | undefined, type: string, data: Record<string, unknown>): AgencyVersionRow[] | undefined {
  const next = foldAgency(versions && versions.length > 0 ? toRecord(versions) : undefined, type, data, 0);
  return next && toRows(next);
}

function toRecord(rows: AgencyVersionRow[]): AgencyRecord {
  return {
    code: rows[0].code,
    versions: rows.map((r) => ({
      effectiveFrom: r.effectiveFrom || null,
      name: r.name ?? '',
      level: r.level as AgencyLevel,
      parentCode: r.parentCode,
      workingHours: null,
    })),
    validTo: rows[0].validTo,
    revision: 0,
  };
}

function toRows(rec: AgencyRecord): AgencyVersionRow[] {
  return rec.versions.map((v) => ({
    code: rec.code,
    effectiveFrom: v.effectiveFrom ?? '',
    validTo: str(rec.validTo),
    name: str(v.name),
    level: str(v.level) as AgencyLevel | null,
    parentCode: str(v.parentCode),
  }));
}

export interface AgencyAt {
  code: string;
  name: string | null;
  level: AgencyLevel | null;
  parentCode: string | null;
}

/**
 * The agency tree as it stood on each day. `at(code, day)` picks the version in force; on a day
 * outside the agency's life (figures of a closed agency's last dossiers) it keeps the nearest version,
 * so no figure is ever dropped from a roll-up.
 */
export class AgencyTree {
  private readonly byCode = new Map<string, AgencyVersionRow[]>();

  constructor(rows: AgencyVersionRow[]) {
    for (const r of rows) {
      const list = this.byCode.get(r.code) ?? [];
      list.push(r);
      this.byCode.set(r.code, list);
    }
    for (const list of this.byCode.values()) list.sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
  }

  codes(): string[] {
    return [...this.byCode.keys()];
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  at(code: string, day: string): AgencyAt | undefined {
    const list = this.byCode.get(code);
    if (!list) return undefined;
    let v = list[0];
    for (const x of list) {
      if (x.effectiveFrom <= day) v = x;
      else break;
    }
    return { code, name: v.name, level: v.level, parentCode: v.parentCode };
  }

  /** True when the agency exists on that day. */
  exists(code: string, day: string): boolean {
    const list = this.byCode.get(code);
    if (!list) return false;
    const first = list[0].effectiveFrom;
    const to = list[0].validTo;
    return first <= day && (to === null || day <= to);
  }

  /** The agency itself then its ancestors, as of the day. */
  chain(code: string, day: string): string[] {
    const out = [code];
    let cur = this.at(code, day);
    while (cur?.parentCode && out.length < 64 && !out.includes(cur.parentCode)) {
      out.push(cur.parentCode);
      cur = this.at(cur.parentCode, day);
    }
    return out;
  }

  /**
   * Local days in (from, to] on which some agency's version changes: between two such days the
   * tree is constant, so a period is summed per segment and rolled up once per segment.
   */
  changeDays(from: string, to: string): string[] {
    const days = new Set<string>();
    for (const list of this.byCode.values()) {
      for (const v of list) if (v.effectiveFrom > from && v.effectiveFrom <= to) days.add(v.effectiveFrom);
    }
    return [...days].sort();
  }
}
