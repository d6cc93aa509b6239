/**
 * Read side of the SLA projection: plain TypeScript over the read-model store (no Nest), reading the
 * ACTIVE table set. This file is the SQL and the paging: the day-bucket sums of a period per segment of
 * the agency tree, the open dossiers at the period's end, grouping by agency (with roll-ups along the
 * tree as it stood each day), level or procedure, the keyset-paginated dossier list, and answers that
 * match their watermark. What the sums add up to (every rate, on time / late, processing days) is pure
 * arithmetic in sla/figures.ts, never stored.
 */
import type { EventStore } from '@motcua/event-store';
import type { SqlDb, SqlExecutor, SqlValue } from './sql/driver';
import { AgencyTree, type AgencyLevel } from './sla/agencies';
import { DAILY_COUNTERS, OPEN_FOREVER, tableSet, type TableSet } from './sla/schema';
import { CounterSums, compareForRanking, figures, openStateAt, type SlaFigures } from './sla/figures';
import { DAY_MS, VN_DATER, VN_OFFSET_MS } from './sla/local-days';
import { activeSet, readCheckpoint } from './runner';

export { figures, openStateAt, type SlaFigures } from './sla/figures';

export interface Watermark {
  /** Global position the answer reflects ('' before the first event). */
  position: string;
  headPosition: string | null;
  /** Events between `position` and the head (capped at `behindCap`, then `behindCapped`). */
  behind: number | null;
  behindCapped?: boolean;
  tableSet: string;
}

export interface SlaRow extends SlaFigures {
  key: string;
  agencyCode?: string;
  name?: string | null;
  level?: AgencyLevel | null;
  procedureCode?: string;
  /** by=agency: the agency and everything under it, as the tree stood each day. */
  rollup?: SlaFigures;
}

export type SlaBy = 'agency' | 'level' | 'procedure';

export interface SlaQuery {
  from: string;
  to: string;
  by: SlaBy;
  /** Restrict to the subtree of this agency (as it stood each day). */
  agency?: string;
}

export interface DossierListQuery {
  /** Agency code: the list covers its subtree as the tree stands today. */
  agency?: string;
  /** Domain status name (`in_processing`) or national code (`4`). */
  status?: string;
  overdue?: boolean;
  /** ISO instant or local date: dossiers due strictly before it. */
  dueBefore?: string;
  cursor?: string;
  limit?: number;
  /** The instant "now" for overdue (tests pass it; default the wall clock). */
  now?: number;
}

export interface DossierListItem {
  code: string;
  agencyCode: string | null;
  procedureCode: string | null;
  channel: string | null;
  status: string;
  statusCode: number | null;
  receivedAt: string | null;
  originalDueAt: string | null;
  dueAt: string | null;
  promisedAt: string | null;
  completedAt: string | null;
  returnedAt: string | null;
  timeliness: string | null;
  pausedWorkingMs: number;
  supplementCount: number;
  paidOnline: boolean | null;
}

interface Fact {
  agency: string;
  procedure: string;
  /** A day in the tree segment the fact belongs to. */
  day: string;
  acc: CounterSums;
}

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** YYYY-MM-DD of a day that exists (`2025-06-00` and `2025-02-30` match the pattern but are no day). */
const isCalendarDay = (s: string) => {
  const t = LOCAL_DATE.test(s) ? Date.parse(`${s}T00:00:00Z`) : NaN;
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === s;
};
const addDays = (day: string, n: number) => new Date(Date.parse(day + 'T00:00:00Z') + n * DAY_MS).toISOString().slice(0, 10);
/** Local midnight (+07) starting `day`, as epoch ms. */
const localMidnight = (day: string) => Date.parse(day + 'T00:00:00Z') - VN_OFFSET_MS;
const iso = (ms: number | null) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

export class InvalidQueryError extends Error {}

export interface SlaQueryServiceOptions {
  db: SqlDb;
  store?: EventStore;
  behindCap?: number;
}

export class SlaQueryService {
  constructor(private readonly o: SlaQueryServiceOptions) {}

  private async context(): Promise<{ set: TableSet; tree: AgencyTree; position: string }> {
    const db = this.o.db;
    const active = await activeSet(db);
    if (!active) throw new InvalidQueryError('the SLA projection has not run yet');
    const set = tableSet(active.tableSet);
    const rows = await db.all<{
      code: string;
      valid_from: string;
      valid_to: string | null;
      name: string | null;
      level: string | null;
      parent_code: string | null;
    }>(`SELECT code, valid_from, valid_to, name, level, parent_code FROM ${db.table(set.agencies)}`);
    const tree = new AgencyTree(
      rows.map((r) => ({
        code: r.code,
        effectiveFrom: r.valid_from,
        validTo: r.valid_to,
        name: r.name,
        level: r.level as AgencyLevel | null,
        parentCode: r.parent_code,
      })),
    );
    const position = (await readCheckpoint(db, set.name))?.position ?? '';
    return { set, tree, position };
  }

  /** Freshness: the position the read model reflects, the log head, and how many events lie between. */
  async watermark(position?: string, setName?: string): Promise<Watermark> {
    if (position === undefined || setName === undefined) {
      const active = await activeSet(this.o.db);
      setName = active?.tableSet ?? '';
      position = (await readCheckpoint(this.o.db, setName))?.position ?? '';
    }
    const store = this.o.store;
    if (!store) return { position, headPosition: null, behind: null, tableSet: setName };
    const head = (await store.headPosition()) ?? null;
    if (head === null || head === position) return { position, headPosition: head, behind: 0, tableSet: setName };
    const cap = this.o.behindCap ?? 10_000;
    const after = await store.readAll({ after: position || undefined, maxCount: cap + 1 });
    return { position, headPosition: head, behind: Math.min(after.length, cap), behindCapped: after.length > cap || undefined, tableSet: setName };
  }

  private checkPeriod(from: string, to: string): void {
    if (!isCalendarDay(from) || !isCalendarDay(to) || from > to) throw new InvalidQueryError('from and to must be calendar days YYYY-MM-DD with from <= to');
  }

  /** Facts of the period: day-bucket sums per tree segment, and open dossiers at the period end. */
  private async facts(set: TableSet, tree: AgencyTree, from: string, to: string): Promise<Fact[]> {
    const db = this.o.db;
    const cuts = tree.changeDays(from, to);
    const starts = [from, ...cuts];
    const facts: Fact[] = [];
    const sums = DAILY_COUNTERS.map((c) => `SUM(${c}) AS ${c}`).join(', ');
    for (let i = 0; i < starts.length; i++) {
      const a = starts[i];
      const b = i + 1 < starts.length ? addDays(starts[i + 1], -1) : to;
      const byKey = new Map<string, Fact>();
      const fact = (agency: string, procedure: string) => {
        const k = agency + '\u0001' + procedure;
        let f = byKey.get(k);
        if (!f) {
          f = { agency, procedure, day: a, acc: new CounterSums() };
          byKey.set(k, f);
          facts.push(f);
        }
        return f;
      };
      const rows = await db.all<Record<string, number | string>>(
        `SELECT agency_code, procedure_code, ${sums} FROM ${db.table(set.daily)} WHERE day >= ? AND day <= ? GROUP BY agency_code, procedure_code`,
        [a, b],
      );
      for (const r of rows) {
        const f = fact(String(r.agency_code), String(r.procedure_code));
        f.acc.addCounters(r);
      }
      const hist = await db.all<{ agency_code: string; procedure_code: string; bucket: number; n: number }>(
        `SELECT agency_code, procedure_code, bucket, SUM(n) AS n FROM ${db.table(set.hist)} WHERE day >= ? AND day <= ? GROUP BY agency_code, procedure_code, bucket`,
        [a, b],
      );
      for (const h of hist) {
        const f = fact(h.agency_code, h.procedure_code);
        f.acc.addHistogram(Number(h.bucket), Number(h.n));
      }
    }
    // Open at the end of the period (the national formula's "still in processing").
    const end = localMidnight(addDays(to, 1));
    const open = await db.all<{
      agency_code: string;
      procedure_code: string;
      original_due_at: number | null;
      due_at: number | null;
      pauses: string | null;
      deadline_unit: string | null;
    }>(
      `SELECT agency_code, procedure_code, original_due_at, due_at, pauses, deadline_unit FROM ${db.table(set.dossiers)} WHERE open_until > ? AND received_at < ?`,
      [end, end],
    );
    const openFacts = new Map<string, Fact>();
    for (const r of open) {
      // Evaluated at the last instant of `to`: a dossier due that day is still within its deadline.
      const st = openStateAt(r, end - 1);
      if (!st) continue;
      const k = r.agency_code + '\u0001' + r.procedure_code;
      let f = openFacts.get(k);
      if (!f) {
        f = { agency: r.agency_code, procedure: r.procedure_code, day: to, acc: new CounterSums() };
        openFacts.set(k, f);
        facts.push(f);
      }
      f.acc.countOpen(st);
    }
    return facts;
  }

  /**
   * Reads `read` so that its answer and its watermark describe the same log position. The runner commits a
   * batch and its checkpoint in one transaction, but a query is several statements: a batch landing between
   * them would give figures newer than the checkpoint read first. Like a seqlock: when the active set and its
   * checkpoint are unchanged after the read, nothing landed in between; otherwise read again (a few times,
   * then report the older position: `behind` overstated, never understated).
   */
  private async atOnePosition<T>(read: () => Promise<{ value: T; set: TableSet; position: string }>): Promise<{ value: T; watermark: Watermark }> {
    let r = await read();
    for (let attempt = 0; attempt < 3; attempt++) {
      const active = await activeSet(this.o.db);
      const now = active?.tableSet === r.set.name ? ((await readCheckpoint(this.o.db, r.set.name))?.position ?? '') : undefined;
      if (now === r.position) break;
      r = await read();
    }
    return { value: r.value, watermark: await this.watermark(r.position, r.set.name) };
  }

  async sla(q: SlaQuery): Promise<{ rows: SlaRow[]; watermark: Watermark }> {
    this.checkPeriod(q.from, q.to);
    const { value: rows, watermark } = await this.atOnePosition(() => this.slaRows(q));
    return { rows, watermark };
  }

  private async slaRows(q: SlaQuery): Promise<{ value: SlaRow[]; set: TableSet; position: string }> {
    const { set, tree, position } = await this.context();
    if (q.agency && !tree.has(q.agency)) throw new InvalidQueryError(`unknown agency ${q.agency}`);
    let facts = await this.facts(set, tree, q.from, q.to);
    if (q.agency) facts = facts.filter((f) => tree.chain(f.agency, f.day).includes(q.agency!));
    const groups = new Map<string, { row: Partial<SlaRow>; acc: CounterSums; rollup?: CounterSums }>();
    const group = (key: string, row: Partial<SlaRow>) => {
      let g = groups.get(key);
      if (!g) {
        g = { row: { key, ...row }, acc: new CounterSums() };
        groups.set(key, g);
      }
      return g;
    };
    for (const f of facts) {
      if (q.by === 'procedure') group(f.procedure, { procedureCode: f.procedure }).acc.add(f.acc);
      else if (q.by === 'level') {
        const level = tree.at(f.agency, f.day)?.level ?? null;
        group(level ?? 'unknown', { level }).acc.add(f.acc);
      } else {
        group(f.agency, { agencyCode: f.agency }).acc.add(f.acc);
        for (const anc of tree.chain(f.agency, f.day)) {
          if (q.agency && anc !== q.agency && !tree.chain(anc, f.day).includes(q.agency)) continue;
          const g = group(anc, { agencyCode: anc });
          (g.rollup ??= new CounterSums()).add(f.acc);
        }
      }
    }
    const today = q.to;
    const rows: SlaRow[] = [...groups.values()].map((g) => {
      const row = { ...(g.row as SlaRow), ...figures(g.acc) };
      if (q.by === 'agency') {
        const a = tree.at(row.agencyCode!, today);
        row.name = a?.name ?? null;
        row.level = a?.level ?? null;
        if (g.rollup) row.rollup = figures(g.rollup);
      }
      return row;
    });
    rows.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    return { value: rows, set, position };
  }

  /** One agency: its own figures, its roll-up (subtree as it stood each day) and its children's rows. */
  async agencySla(code: string, period: { from: string; to: string }) {
    const { rows, watermark } = await this.sla({ ...period, by: 'agency', agency: code });
    const { tree } = await this.context();
    const self = rows.find((r) => r.agencyCode === code);
    const empty = figures(new CounterSums());
    const a = tree.at(code, period.to);
    const children = rows.filter((r) => r.agencyCode !== code && tree.at(r.agencyCode!, period.to)?.parentCode === code);
    return {
      agency: { code, name: a?.name ?? null, level: a?.level ?? null, parentCode: a?.parentCode ?? null },
      own: self ? stripRow(self) : empty,
      rollup: self?.rollup ?? empty,
      children,
      watermark,
    };
  }

  /**
   * Ranking of agencies by their roll-up on-time rate (766), ties by lower late rate then code.
   * `level` limits to agencies of that level on `to`; `parent` to the subtree of an agency.
   */
  async ranking(q: { from: string; to: string; level?: AgencyLevel; parent?: string; limit?: number }) {
    const { rows, watermark } = await this.sla({ from: q.from, to: q.to, by: 'agency', agency: q.parent });
    const ranked = rows
      .filter((r) => r.rollup && (!q.level || r.level === q.level) && r.agencyCode !== q.parent)
      .map((r) => ({ agencyCode: r.agencyCode!, name: r.name ?? null, level: r.level ?? null, ...r.rollup! }))
      .sort(compareForRanking)
      .slice(0, q.limit ?? 1000)
      .map((r, i) => ({ rank: i + 1, ...r }));
    return { rows: ranked, watermark };
  }

  /** Agencies in the subtree of `code` as the tree stands on `day` (itself included). */
  async subtree(code: string, day: string): Promise<string[]> {
    const { tree } = await this.context();
    return tree.codes().filter((c) => tree.chain(c, day).includes(code));
  }

  /** Dossier list, keyset-paginated on (due date, code). */
  async dossiers(q: DossierListQuery): Promise<{ items: DossierListItem[]; nextCursor: string | null; watermark: Watermark }> {
    const { value, watermark } = await this.atOnePosition(() => this.dossierPage(q));
    return { ...value, watermark };
  }

  private async dossierPage(q: DossierListQuery): Promise<{ value: { items: DossierListItem[]; nextCursor: string | null }; set: TableSet; position: string }> {
    const { set, tree, position } = await this.context();
    const db: SqlExecutor = this.o.db;
    const now = q.now ?? Date.now();
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (q.agency) {
      const today = VN_DATER.localDate(now);
      const codes = tree.codes().filter((c) => tree.chain(c, today).includes(q.agency!));
      if (codes.length === 0) codes.push(q.agency);
      where.push(`agency_code IN (${codes.map(() => '?').join(',')})`);
      params.push(...codes);
    }
    if (q.status) {
      if (/^\d+$/.test(q.status)) {
        where.push('status_code = ?');
        params.push(Number(q.status));
      } else {
        where.push('status = ?');
        params.push(q.status);
      }
    }
    if (q.overdue !== undefined) {
      // `overdue_from` is the domain's `overdueFrom` (unit-aware), stored by the projection: no second
      // copy of the rule here. Open and unpaused: overdue once `now` reaches it; paused: overdue when the
      // pause began at or after it (a pause cannot undo lateness; domain openTimeliness).
      const cond = `(open_until = ${OPEN_FOREVER} AND overdue_from IS NOT NULL AND ((paused_since IS NULL AND overdue_from <= ?) OR (paused_since IS NOT NULL AND paused_since >= overdue_from)))`;
      where.push(q.overdue ? cond : `NOT ${cond}`);
      params.push(now);
    }
    if (q.dueBefore) {
      const t = LOCAL_DATE.test(q.dueBefore) ? localMidnight(q.dueBefore) : Date.parse(q.dueBefore);
      if (!Number.isFinite(t)) throw new InvalidQueryError('dueBefore must be an ISO instant or YYYY-MM-DD');
      where.push('due_key < ?');
      params.push(t);
    }
    if (q.cursor) {
      // `<due key>|<code>`: the key is digits, so the first `|` ends it; a code may hold `|` itself.
      const text = Buffer.from(q.cursor, 'base64url').toString();
      const bar = text.indexOf('|');
      const k = bar < 0 ? '' : text.slice(0, bar);
      const code = bar < 0 ? '' : text.slice(bar + 1);
      if (!code || !/^\d+$/.test(k)) throw new InvalidQueryError('bad cursor');
      where.push('(due_key > ? OR (due_key = ? AND code > ?))');
      params.push(Number(k), Number(k), code);
    }
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    const rows = await db.all<Record<string, unknown>>(
      `SELECT code, agency_code, procedure_code, channel, status, status_code, received_at, original_due_at, due_at, due_key, promised_at,
              completed_at, returned_at, timeliness, paused_working_ms, supplement_count, paid_online
         FROM ${db.table(set.dossiers)} ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
        ORDER BY due_key, code LIMIT ${limit + 1}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return {
      value: {
        items: page.map((r) => ({
          code: String(r.code),
          agencyCode: (r.agency_code as string) ?? null,
          procedureCode: (r.procedure_code as string) ?? null,
          channel: (r.channel as string) ?? null,
          status: String(r.status),
          statusCode: n(r.status_code),
          receivedAt: iso(n(r.received_at)),
          originalDueAt: iso(n(r.original_due_at)),
          dueAt: iso(n(r.due_at)),
          promisedAt: iso(n(r.promised_at)),
          completedAt: iso(n(r.completed_at)),
          returnedAt: iso(n(r.returned_at)),
          timeliness: (r.timeliness as string) ?? null,
          pausedWorkingMs: Number(r.paused_working_ms),
          supplementCount: Number(r.supplement_count),
          paidOnline: r.paid_online === null ? null : Number(r.paid_online) === 1,
        })),
        nextCursor: rows.length > limit && last ? Buffer.from(`${Number(last.due_key)}|${String(last.code)}`).toString('base64url') : null,
      },
      set,
      position,
    };
  }
}

function stripRow(r: SlaRow): SlaFigures {
  const { key: _k, agencyCode: _a, name: _n, level: _l, procedureCode: _p, rollup: _r, ...f } = r;
  return f;
}
