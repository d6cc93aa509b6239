/**
 * The SQL side of the SLA projection: the summary row of a dossier as DOSSIER_COLUMNS lays it out, and the
 * statements that write a staged batch (summary rows replaced, day counters and histogram added onto the
 * keyed tables or appended to a rebuild's staging tables, the agency versions and procedures replaced),
 * plus the one read the projection makes of its own tables (the agency tree, once). All inside the
 * caller's transaction: the runner makes a batch and its checkpoint atomic.
 */
import { overdueFrom, instantMs } from '@motcua/domain';
import type { WorkingCalendar } from '@motcua/calendar';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import type { AgencyVersionRow } from './agencies';
import type { DayCounters } from './day-counters';
import type { DossierEntry } from './dossier-fold';
import { VN_OFFSET_MS } from './local-days';
import { DOSSIER_COLUMNS, OPEN_FOREVER, type TableSet } from './schema';

/** Offset of the national calendar, for the domain's `overdueFrom` (needs only `hours.utcOffsetMinutes`). */
const VN_HOURS = { hours: { utcOffsetMinutes: VN_OFFSET_MS / 60_000 } } as Pick<WorkingCalendar, 'hours'>;

const toMs = (iso: string | null): number | null => (iso === null ? null : instantMs(iso));

/** The status of the summary row of a dossier one of whose events was quarantined (not a domain status). */
export const QUARANTINED_STATUS = 'quarantined';

/**
 * A dossier's row of the summary table, in DOSSIER_COLUMNS order. A held dossier (an event of it was
 * quarantined) keeps the row of its last good event, flagged: status `quarantined`, and `open_until` no
 * later than the hold's cutoff, so it counts as open only in periods that end before it (its state after
 * that is unknown) and is never listed as overdue.
 */
export function summaryRow(e: DossierEntry): SqlValue[] {
  const s = e.state;
  const ended = s.completedAt ?? s.refusedAt ?? s.withdrawnAt ?? s.stoppedAt ?? null;
  const endedMs = toMs(ended);
  const dueMs = toMs(s.dueAt);
  const openUntil = endedMs ?? (s.receivedAt ? OPEN_FOREVER : 0);
  const held = e.held;
  return [
    e.code,
    s.agencyCode,
    s.procedureCode,
    s.channel,
    held ? QUARANTINED_STATUS : s.status,
    s.nationalStatusCode,
    toMs(s.submittedAt),
    toMs(s.receivedAt),
    toMs(s.originalDueAt),
    dueMs,
    dueMs ?? OPEN_FOREVER,
    // The domain's rule (unit-aware), once, here: queries compare instants with it.
    dueMs === null ? null : overdueFrom(dueMs, VN_HOURS, s.deadline?.unit),
    s.deadline?.unit ?? null,
    toMs(s.promisedAt),
    toMs(s.completedAt),
    toMs(s.returnedAt),
    endedMs,
    held && held.cutoff !== null ? Math.min(openUntil, held.cutoff) : openUntil,
    e.timeliness,
    toMs(s.paused?.since ?? null),
    s.pausedWorkingMs,
    s.supplementRequestCount,
    s.paidOnline === null ? null : s.paidOnline ? 1 : 0,
    e.processingMs === null ? null : Math.round(e.processingMs),
    e.pauses.length ? JSON.stringify(e.pauses) : null,
  ];
}

/** Summary rows, replacing those of the same dossiers. */
export async function writeSummaryRows(tx: SqlExecutor, tables: TableSet, rows: SqlValue[][]): Promise<void> {
  await tx.upsert(tables.dossiers, [...DOSSIER_COLUMNS], ['code'], rows, 'replace');
}

/** The held counters added onto the keyed day and histogram tables. */
export async function addCounters(tx: SqlExecutor, tables: TableSet, counters: DayCounters): Promise<void> {
  await counters.writeRows((t, cols, rows) =>
    t === 'daily'
      ? tx.upsert(tables.daily, cols, ['day', 'agency_code', 'procedure_code'], rows, 'add')
      : tx.upsert(tables.hist, cols, ['day', 'agency_code', 'procedure_code', 'bucket'], rows, 'add'),
  );
}

/**
 * The held counters as plain rows appended to a parallel rebuild's staging tables (no key: `daily`: day,
 * agency, procedure, counters; `hist`: day, agency, procedure, bucket, n), to be summed once at the end.
 */
export async function appendCounters(tx: SqlExecutor, staging: { daily: string; hist: string }, counters: DayCounters): Promise<void> {
  await counters.writeRows((t, cols, rows) => tx.insert(t === 'daily' ? staging.daily : staging.hist, cols, rows));
}

/** The agencies whose versions changed (all their versions replaced) and the procedures registered or changed. */
export async function writeReference(
  tx: SqlExecutor,
  tables: TableSet,
  agencies: ReadonlyMap<string, AgencyVersionRow[]>,
  dirtyAgencies: Iterable<string>,
  procedures: ReadonlyMap<string, { name: string | null; data: string }>,
): Promise<void> {
  for (const code of dirtyAgencies) {
    await tx.run(`DELETE FROM ${tx.table(tables.agencies)} WHERE code = ?`, [code]);
    const vs = agencies.get(code) ?? [];
    await tx.upsert(
      tables.agencies,
      ['code', 'valid_from', 'valid_to', 'name', 'level', 'parent_code'],
      ['code', 'valid_from'],
      vs.map((v) => [code, v.effectiveFrom, v.validTo, v.name, v.level, v.parentCode]),
      'replace',
    );
  }
  const procs: SqlValue[][] = [];
  for (const [code, p] of procedures) procs.push([code, p.name, p.data]);
  await tx.upsert(tables.procedures, ['code', 'name', 'data'], ['code'], procs, 'replace');
}

/** The agency tree as the tables hold it, into `agencies`: every agency's versions, oldest first. */
export async function readAgencies(db: SqlExecutor, tables: TableSet, agencies: Map<string, AgencyVersionRow[]>): Promise<void> {
  const rows = await db.all<{
    code: string;
    valid_from: string;
    valid_to: string | null;
    name: string | null;
    level: string | null;
    parent_code: string | null;
  }>(`SELECT code, valid_from, valid_to, name, level, parent_code FROM ${db.table(tables.agencies)}`);
  for (const r of rows) {
    const list = agencies.get(r.code) ?? [];
    list.push({
      code: r.code,
      effectiveFrom: r.valid_from,
      validTo: r.valid_to,
      name: r.name,
      level: r.level as AgencyVersionRow['level'],
      parentCode: r.parent_code,
    });
    agencies.set(r.code, list);
  }
  for (const list of agencies.values()) list.sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
}
