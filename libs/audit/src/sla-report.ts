/**
 * Bitemporal SLA figures. "As known at" K: the figures of a period computed from the events recorded
 * by K only, which is what the live read model showed at K, so a report published at K is
 * reproduced exactly. "Today": from every event recorded so far. The difference is the late-keyed
 * knowledge (paper dossiers keyed in after the report, corrections).
 *
 * Both come from one pass over the log into two scratch stores, through the read-models' own
 * projection and query service: no figure is derived twice in two ways.
 */
import type { EventStore } from '@motcua/event-store';
import { SlaQueryService, type SlaBy, type SlaFigures, type SlaProjectionOptions, type SlaRow } from '@motcua/read-models';
import { replaySla, type ReplayProgress } from './replay';
import type { ScratchFactory } from './scratch';

export interface SlaReportQuery {
  from: string;
  to: string;
  by?: SlaBy;
  agency?: string;
  /** ISO instant; omitted: today's knowledge only. */
  knownAt?: string;
}

export interface FigureDifference {
  key: string;
  figure: string;
  knownAt: number | null;
  today: number | null;
}

export interface SlaReport {
  query: SlaReportQuery & { by: SlaBy };
  /** Rows as known at `knownAt` (absent without knownAt). */
  asKnownAt?: SlaRow[];
  today: SlaRow[];
  /** Figures that differ between the two (absent without knownAt). */
  differences?: FigureDifference[];
  events: { read: number; knownAt?: number; today: number };
}

/** Flattens a row's figures to `name -> number | null` (nested ones as `a.b`; roll-ups as `rollup.x`). */
export function flattenFigures(f: Partial<SlaFigures> & { rollup?: SlaFigures }, prefix = ''): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(f)) {
    if (v === null || typeof v === 'number') out[prefix + k] = v;
    else if (v && typeof v === 'object') Object.assign(out, flattenFigures(v as Record<string, unknown> as Partial<SlaFigures>, `${prefix}${k}.`));
  }
  return out;
}

const FIGURE_SKIP = new Set(['key', 'agencyCode', 'name', 'level', 'procedureCode']);

export function diffSlaRows(known: SlaRow[], today: SlaRow[]): FigureDifference[] {
  const byKey = (rows: SlaRow[]) => new Map(rows.map((r) => [r.key, r]));
  const k = byKey(known);
  const t = byKey(today);
  const keys = [...new Set([...k.keys(), ...t.keys()])].sort();
  const out: FigureDifference[] = [];
  for (const key of keys) {
    const a = k.get(key);
    const b = t.get(key);
    const strip = (r?: SlaRow) => (r ? flattenFigures(Object.fromEntries(Object.entries(r).filter(([n]) => !FIGURE_SKIP.has(n))) as never) : {});
    const fa = strip(a);
    const fb = strip(b);
    for (const figure of [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort()) {
      const x = fa[figure] ?? null;
      const y = fb[figure] ?? null;
      if (x !== y) out.push({ key, figure, knownAt: x, today: y });
    }
  }
  return out;
}

export async function slaReport(o: {
  store: EventStore;
  scratch: ScratchFactory;
  query: SlaReportQuery;
  projection?: SlaProjectionOptions;
  onProgress?: (p: ReplayProgress) => void;
}): Promise<SlaReport> {
  const q = { ...o.query, by: o.query.by ?? 'agency' };
  if (q.knownAt !== undefined && Number.isNaN(Date.parse(q.knownAt))) throw new Error(`knownAt is not an ISO-8601 instant: ${q.knownAt}`);
  const todayDb = await o.scratch('today');
  const knownDb = q.knownAt !== undefined ? await o.scratch('known') : undefined;
  try {
    const r = await replaySla({
      store: o.store,
      targets: [{ db: todayDb.db }, ...(knownDb ? [{ db: knownDb.db, knownAt: q.knownAt }] : [])],
      projection: o.projection,
      onProgress: o.onProgress,
    });
    const sq = { from: q.from, to: q.to, by: q.by, agency: q.agency };
    const today = (await new SlaQueryService({ db: todayDb.db }).sla(sq)).rows;
    if (!knownDb) return { query: q, today, events: { read: r.events, today: r.targets[0].applied } };
    const asKnownAt = (await new SlaQueryService({ db: knownDb.db }).sla(sq)).rows;
    return {
      query: q,
      asKnownAt,
      today,
      differences: diffSlaRows(asKnownAt, today),
      events: { read: r.events, today: r.targets[0].applied, knownAt: r.targets[1].applied },
    };
  } finally {
    await todayDb.dispose();
    await knownDb?.dispose();
  }
}
