import { AgencyAttributes, AgencyChangedV1, AgencyRegisteredV1, LocalDate, ProcedureRules, REF_EVENT } from './events';

/**
 * The in-memory reference-data read model: a pure fold of the two reference streams. Answers
 * "agency as of date", "parent chain as of date", "subtree as of date" and "procedure rules as of date".
 */
export interface AgencyVersion extends AgencyAttributes {
  /** null = since always. */
  effectiveFrom: LocalDate | null;
}
export interface AgencyRecord {
  code: string;
  /** Sorted by effectiveFrom (null first). */
  versions: AgencyVersion[];
  validTo: LocalDate | null;
  /** Revision (in the agency stream) of the latest event about this agency: its ETag. */
  revision: number;
}
export interface AgencyView extends AgencyAttributes {
  code: string;
  validFrom: LocalDate | null;
  validTo: LocalDate | null;
  /** Start of the version that applies at the date asked. */
  effectiveFrom: LocalDate | null;
}
export interface ProcedureVersion extends ProcedureRules {
  effectiveFrom: LocalDate | null;
  rulesVersion: number;
}
export interface ProcedureRecord {
  code: string;
  versions: ProcedureVersion[];
  revision: number;
}
export interface ProcedureView extends ProcedureVersion {
  code: string;
}

interface StoredEvent {
  revision: number;
  type: string;
  data: Record<string, unknown>;
  commandId?: string;
}

const MAX_DEPTH = 64; // guards against a cycle slipping in through concurrent writes

function cmpFrom(a: LocalDate | null, b: LocalDate | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** Insert keeping the order; a version with the same start replaces the old one. */
function upsertVersion<V extends { effectiveFrom: LocalDate | null }>(versions: V[], v: V): V[] {
  const out = versions.filter((x) => x.effectiveFrom !== v.effectiveFrom);
  out.push(v);
  return out.sort((a, b) => cmpFrom(a.effectiveFrom, b.effectiveFrom));
}

function versionAt<V extends { effectiveFrom: LocalDate | null }>(versions: V[], date: LocalDate): V | undefined {
  let found: V | undefined;
  for (const v of versions) {
    if (v.effectiveFrom === null || v.effectiveFrom <= date) found = v;
    else break;
  }
  return found;
}

function attrs(d: AgencyAttributes): AgencyAttributes {
  return { name: d.name, level: d.level, parentCode: d.parentCode ?? null, workingHours: d.workingHours ?? null };
}

export function foldAgency(rec: AgencyRecord | undefined, type: string, data: Record<string, unknown>, revision: number): AgencyRecord | undefined {
  switch (type) {
    case REF_EVENT.agencyRegistered: {
      const d = data as unknown as AgencyRegisteredV1;
      return { code: d.code, versions: [{ effectiveFrom: d.validFrom ?? null, ...attrs(d) }], validTo: d.validTo ?? null, revision };
    }
    case REF_EVENT.agencyChanged: {
      if (!rec) return rec;
      const d = data as unknown as AgencyChangedV1;
      return { ...rec, versions: upsertVersion(rec.versions, { effectiveFrom: d.effectiveFrom, ...attrs(d) }), revision };
    }
    case REF_EVENT.agencyClosed:
      return rec && { ...rec, validTo: String(data.validTo), revision };
    case REF_EVENT.agencyReopened:
      return rec && { ...rec, validTo: null, revision };
    default:
      return rec;
  }
}

export function foldProcedure(rec: ProcedureRecord | undefined, type: string, data: Record<string, unknown>, revision: number): ProcedureRecord | undefined {
  if (type !== REF_EVENT.procedureRegistered && type !== REF_EVENT.procedureChanged) return rec;
  const d = data as unknown as ProcedureVersion & { code: string };
  const v: ProcedureVersion = {
    effectiveFrom: d.effectiveFrom ?? null,
    rulesVersion: d.rulesVersion,
    name: d.name,
    deadlineValue: d.deadlineValue,
    deadlineUnit: d.deadlineUnit,
    cutoffTime: d.cutoffTime ?? null,
    paymentPausesClock: d.paymentPausesClock,
  };
  if (type === REF_EVENT.procedureRegistered || !rec) return { code: d.code, versions: [v], revision };
  return { ...rec, versions: upsertVersion(rec.versions, v), revision };
}

export function agencyView(rec: AgencyRecord, date?: LocalDate): AgencyView | undefined {
  const validFrom = rec.versions[0]?.effectiveFrom ?? null;
  const v = date === undefined ? rec.versions[rec.versions.length - 1] : versionAt(rec.versions, date);
  if (!v) return undefined;
  if (date !== undefined && rec.validTo !== null && date > rec.validTo) return undefined;
  return { code: rec.code, ...attrs(v), validFrom, validTo: rec.validTo, effectiveFrom: v.effectiveFrom };
}

export class ReferenceData {
  private readonly agencies = new Map<string, AgencyRecord>();
  private readonly procedures = new Map<string, ProcedureRecord>();
  /** Raw events per code, to answer "as it was at revision N" (idempotent replays of a write). */
  private readonly agencyEvents = new Map<string, StoredEvent[]>();
  private readonly procedureEvents = new Map<string, StoredEvent[]>();
  /** commandId -> [code, revision] of the last event that command wrote. */
  private readonly agencyCommands = new Map<string, { code: string; revision: number }>();
  private readonly procedureCommands = new Map<string, { code: string; revision: number }>();
  agencyStreamRevision = -1;
  procedureStreamRevision = -1;

  applyAgencyEvent(e: StoredEvent): void {
    if (e.revision <= this.agencyStreamRevision) return; // already applied (write-through then poll)
    this.agencyStreamRevision = e.revision;
    const code = String(e.data.code);
    const next = foldAgency(this.agencies.get(code), e.type, e.data, e.revision);
    if (next) this.agencies.set(code, next);
    const list = this.agencyEvents.get(code) ?? [];
    list.push(e);
    this.agencyEvents.set(code, list);
    if (e.commandId) this.agencyCommands.set(e.commandId, { code, revision: e.revision });
  }

  applyProcedureEvent(e: StoredEvent): void {
    if (e.revision <= this.procedureStreamRevision) return;
    this.procedureStreamRevision = e.revision;
    const code = String(e.data.code);
    const next = foldProcedure(this.procedures.get(code), e.type, e.data, e.revision);
    if (next) this.procedures.set(code, next);
    const list = this.procedureEvents.get(code) ?? [];
    list.push(e);
    this.procedureEvents.set(code, list);
    if (e.commandId) this.procedureCommands.set(e.commandId, { code, revision: e.revision });
  }

  // ---- agencies
  agency(code: string): AgencyRecord | undefined {
    return this.agencies.get(code);
  }
  /** The record as it was right after the given revision of the agency stream. */
  agencyAtRevision(code: string, revision: number): AgencyRecord | undefined {
    let rec: AgencyRecord | undefined;
    for (const e of this.agencyEvents.get(code) ?? []) {
      if (e.revision > revision) break;
      rec = foldAgency(rec, e.type, e.data, e.revision);
    }
    return rec;
  }
  agencyCommand(commandId: string) {
    return this.agencyCommands.get(commandId);
  }
  agencyAsOf(code: string, date: LocalDate): AgencyView | undefined {
    const rec = this.agencies.get(code);
    return rec && agencyView(rec, date);
  }
  /** Ancestors from the parent up to the root, as of the date. */
  parentChain(code: string, date: LocalDate): AgencyView[] {
    const out: AgencyView[] = [];
    let cur = this.agencyAsOf(code, date);
    const seen = new Set<string>([code]);
    while (cur?.parentCode && out.length < MAX_DEPTH && !seen.has(cur.parentCode)) {
      seen.add(cur.parentCode);
      const parent = this.agencyAsOf(cur.parentCode, date);
      if (!parent) break;
      out.push(parent);
      cur = parent;
    }
    return out;
  }
  /** True when `code` is `ancestor` or lies under it, as of the date. */
  isWithin(code: string, ancestor: string, date: LocalDate): boolean {
    if (code === ancestor) return true;
    return this.parentChain(code, date).some((a) => a.code === ancestor);
  }
  /** The agency and every agency under it, as of the date (the root first). */
  subtree(code: string, date: LocalDate): AgencyView[] {
    const root = this.agencyAsOf(code, date);
    if (!root) return [];
    const children = new Map<string, AgencyView[]>();
    for (const rec of this.agencies.values()) {
      const v = agencyView(rec, date);
      if (v?.parentCode) {
        const list = children.get(v.parentCode) ?? [];
        list.push(v);
        children.set(v.parentCode, list);
      }
    }
    const out: AgencyView[] = [root];
    const seen = new Set([root.code]);
    for (let i = 0; i < out.length; i++) {
      for (const c of children.get(out[i].code) ?? []) {
        if (!seen.has(c.code)) {
          seen.add(c.code);
          out.push(c);
        }
      }
    }
    return out;
  }
  agenciesAsOf(date: LocalDate): AgencyView[] {
    const out: AgencyView[] = [];
    for (const rec of this.agencies.values()) {
      const v = agencyView(rec, date);
      if (v) out.push(v);
    }
    return out.sort((a, b) => (a.code < b.code ? -1 : 1));
  }
  allAgencies(): AgencyRecord[] {
    return [...this.agencies.values()];
  }

  // ---- procedures
  procedure(code: string): ProcedureRecord | undefined {
    return this.procedures.get(code);
  }
  procedureAtRevision(code: string, revision: number): ProcedureRecord | undefined {
    let rec: ProcedureRecord | undefined;
    for (const e of this.procedureEvents.get(code) ?? []) {
      if (e.revision > revision) break;
      rec = foldProcedure(rec, e.type, e.data, e.revision);
    }
    return rec;
  }
  procedureCommand(commandId: string) {
    return this.procedureCommands.get(commandId);
  }
  /** The rules in force on the date (the version a dossier received that day must record). */
  procedureRulesAsOf(code: string, date: LocalDate): ProcedureView | undefined {
    const rec = this.procedures.get(code);
    const v = rec && versionAt(rec.versions, date);
    return v && { code, ...v };
  }
  proceduresAsOf(date: LocalDate): ProcedureView[] {
    const out: ProcedureView[] = [];
    for (const code of [...this.procedures.keys()].sort()) {
      const v = this.procedureRulesAsOf(code, date);
      if (v) out.push(v);
    }
    return out;
  }
}
