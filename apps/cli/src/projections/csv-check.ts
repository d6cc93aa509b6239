/**
 * The province-scale acceptance check: the SLA figures served by the read models against the figures computed
 * straight from the province CSV files by the independent helper (`expectedFiguresFromCsv`, which
 * uses neither events nor domain code).
 *
 * Compared, for the whole generated period [from, to]:
 * - per agency level (province, department, district, commune) and in total, from `SlaQueryService.sla`
 *   (`by=level`): received, received by channel, completed, early, on time, late, withdrawn, and open at
 *   the period end (= openWithinDeadline + openOverdue + paused);
 * - per agency (own figures, `by=agency`): the same counts;
 * - per channel x timeliness, from the dossier summary read model (the day buckets carry no channel
 *   dimension beyond `received`): received, completed, early, on time, late, withdrawn, open.
 */
import { activeSet, tableSet, type SlaFigures, type SlaQueryService, type SqlDb } from '@motcua/read-models';
import type { ExpectedFigures, Figures } from '@motcua/province-data';

export const CHECKED = ['received', 'counter', 'online', 'postal', 'completed', 'early', 'onTime', 'late', 'withdrawn', 'open'] as const;
export type Checked = (typeof CHECKED)[number];
export type Counts = Record<Checked, number>;

export interface FigureDiff {
  scope: string;
  figure: Checked;
  expected: number;
  actual: number;
}

export interface CsvCheckResult {
  /** Number of (scope, figure) pairs compared. */
  compared: number;
  diffs: FigureDiff[];
  /** The per-level table, for the report. */
  levels: Array<{ scope: string; expected: Counts; actual: Counts }>;
  watermark: { position: string; headPosition: string | null; behind: number | null };
}

const zero = (): Counts => Object.fromEntries(CHECKED.map((k) => [k, 0])) as Counts;

function fromSla(f: SlaFigures): Counts {
  return {
    received: f.received,
    counter: f.receivedByChannel.counter,
    online: f.receivedByChannel.online,
    postal: f.receivedByChannel.postal,
    completed: f.completed,
    early: f.early,
    onTime: f.onTime,
    late: f.late,
    withdrawn: f.withdrawn,
    open: f.openWithinDeadline + f.openOverdue + f.paused,
  };
}

function fromCsv(f: Figures | undefined): Counts {
  if (!f) return zero();
  return Object.fromEntries(CHECKED.map((k) => [k, f[k]])) as Counts;
}

function add(a: Counts, b: Counts): Counts {
  return Object.fromEntries(CHECKED.map((k) => [k, a[k] + b[k]])) as Counts;
}

export async function checkSlaAgainstCsv(o: { q: SlaQueryService; db: SqlDb; expected: ExpectedFigures; from: string; to: string }): Promise<CsvCheckResult> {
  const diffs: FigureDiff[] = [];
  let compared = 0;
  const cmp = (scope: string, expected: Counts, actual: Counts, only: readonly Checked[] = CHECKED) => {
    for (const k of only) {
      compared++;
      if (expected[k] !== actual[k]) diffs.push({ scope, figure: k, expected: expected[k], actual: actual[k] });
    }
  };

  const byLevel = await o.q.sla({ from: o.from, to: o.to, by: 'level' });
  const levels: CsvCheckResult['levels'] = [];
  let total = zero();
  const seen = new Set<string>();
  for (const row of byLevel.rows) {
    const key = row.level ?? row.key;
    seen.add(key);
    const actual = fromSla(row);
    total = add(total, actual);
    const expected = fromCsv(o.expected.byAgencyLevel[key as keyof ExpectedFigures['byAgencyLevel']]);
    levels.push({ scope: `level ${key}`, expected, actual });
    cmp(`level ${key}`, expected, actual);
  }
  for (const [level, f] of Object.entries(o.expected.byAgencyLevel)) {
    if (seen.has(level) || f.received === 0) continue;
    levels.push({ scope: `level ${level}`, expected: fromCsv(f), actual: zero() });
    cmp(`level ${level}`, fromCsv(f), zero());
  }
  levels.push({ scope: 'total', expected: fromCsv(o.expected.total), actual: total });
  cmp('total', fromCsv(o.expected.total), total);

  const byAgency = await o.q.sla({ from: o.from, to: o.to, by: 'agency' });
  const agencies = new Set([...Object.keys(o.expected.byAgency), ...byAgency.rows.map((r) => r.agencyCode!)]);
  const rows = new Map(byAgency.rows.map((r) => [r.agencyCode!, r]));
  for (const code of [...agencies].sort()) {
    const r = rows.get(code);
    cmp(`agency ${code}`, fromCsv(o.expected.byAgency[code]), r ? fromSla(r) : zero());
  }

  // Channel x timeliness from the dossier summary rows of the active table set.
  const active = await activeSet(o.db);
  if (!active) throw new Error('the SLA projection has no active table set');
  const t = tableSet(active.tableSet);
  const summary = await o.db.all<{ channel: string | null; status: string; done: number; timeliness: string | null; n: number }>(
    `SELECT channel, status, CASE WHEN completed_at IS NULL THEN 0 ELSE 1 END AS done, timeliness, COUNT(*) AS n
       FROM ${o.db.table(t.dossiers)} WHERE received_at IS NOT NULL GROUP BY channel, status, CASE WHEN completed_at IS NULL THEN 0 ELSE 1 END, timeliness`,
  );
  const byChannel: Record<string, Counts> = {};
  for (const r of summary) {
    const c = (byChannel[r.channel ?? 'null'] ??= zero());
    const n = Number(r.n);
    c.received += n;
    if (r.status === 'withdrawn') c.withdrawn += n;
    else if (Number(r.done) === 1) {
      c.completed += n;
      if (r.timeliness === 'early') c.early += n;
      else if (r.timeliness === 'on_time') c.onTime += n;
      else if (r.timeliness === 'late') c.late += n;
    } else c.open += n;
  }
  const perChannel = ['received', 'completed', 'early', 'onTime', 'late', 'withdrawn', 'open'] as const;
  for (const ch of new Set([...Object.keys(o.expected.byChannel), ...Object.keys(byChannel)])) {
    cmp(`channel ${ch}`, fromCsv(o.expected.byChannel[ch as keyof ExpectedFigures['byChannel']]), byChannel[ch] ?? zero(), perChannel);
  }
  const w = byLevel.watermark;
  return { compared, diffs, levels, watermark: { position: w.position, headPosition: w.headPosition, behind: w.behind } };
}

/** A fixed-width table of the per-level figures (expected / actual), for the CLI and the script log. */
export function formatCheck(r: CsvCheckResult): string {
  const head = ['scope', ...CHECKED].map((h) => h.padStart(10)).join(' ');
  const lines = [head];
  for (const l of r.levels) {
    lines.push(
      [l.scope.padStart(10), ...CHECKED.map((k) => String(l.actual[k]).padStart(10))].join(' ') +
        (CHECKED.every((k) => l.actual[k] === l.expected[k]) ? '   = csv' : '   != csv'),
    );
    if (!CHECKED.every((k) => l.actual[k] === l.expected[k]))
      lines.push([`csv`.padStart(10), ...CHECKED.map((k) => String(l.expected[k]).padStart(10))].join(' '));
  }
  lines.push(
    `${r.compared} figures compared, ${r.diffs.length} differ; watermark position ${r.watermark.position}, head ${r.watermark.headPosition}, behind ${r.watermark.behind}`,
  );
  for (const d of r.diffs.slice(0, 50)) lines.push(`  DIFF ${d.scope} ${d.figure}: csv ${d.expected}, read models ${d.actual}`);
  if (r.diffs.length > 50) lines.push(`  ... ${r.diffs.length - 50} more`);
  return lines.join('\n');
}
