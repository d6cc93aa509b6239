/**
 * The SLA figures as arithmetic, with no SQL: the counter sums of a group (day-counter columns summed over
 * a period, the processing-time histogram, the open dossiers at the period's end by timeliness) and every
 * rate computed from them. Rates are never stored: the tables hold integer day buckets and the figures
 * are derived here, so a definition changes in one place. The query service (../query.ts) reads the
 * rows and groups them; this file says what they add up to.
 *
 * Definitions (see docs/projections.md):
 * - a period is [from, to], LOCAL (+07) dates, inclusive; "open" figures are evaluated at its end,
 *   the local midnight after `to`, with the domain's `openTimeliness`;
 * - lateRate = late / completed;
 * - onTimeRate (Decision 766, progress group) = (early + onTime + openWithinDeadline) /
 *   (completed + openWithinDeadline + openOverdue): the denominator "received or processed in the
 *   period" is taken as the dossiers resolved in the period plus those still in processing at its
 *   end with a running clock. Dossiers whose clock is paused at the end (awaiting the applicant) are
 *   in neither, as their timeliness is not yet the agency's; onTimeScore = 20 x onTimeRate;
 * - onlineRate = received online / received; onlinePaymentRate = paid online / paid (the first
 *   payment of each dossier with a fee);
 * - processing days: p50/p90 are the upper edge of the percentile's quarter-day histogram bucket, the
 *   mean is the summed working time over the dossiers counted, in working days of 8 h.
 */
import { openTimeliness, initialState, type DossierState, type OpenTimeliness } from '@motcua/domain';
import type { PauseSpan } from './dossier-fold';
import { VN_DATER } from './local-days';
import { C, DAILY_COUNTERS, HIST_BUCKETS_PER_DAY, WORKING_DAY_MS } from './schema';

export interface SlaFigures {
  received: number;
  receivedByChannel: { counter: number; online: number; postal: number };
  completed: number;
  early: number;
  onTime: number;
  late: number;
  withdrawn: number;
  refused: number;
  stopped: number;
  returned: number;
  apologies: number;
  supplementRequests: number;
  openWithinDeadline: number;
  openOverdue: number;
  paused: number;
  paid: number;
  paidOnline: number;
  electronicResults: number;
  lateRate: number | null;
  onTimeRate: number | null;
  onTimeScore: number | null;
  onlineRate: number | null;
  onlinePaymentRate: number | null;
  /** Working days (8 h), from a quarter-day histogram: the upper edge of the percentile's bucket. */
  processingDays: { p50: number | null; p90: number | null; mean: number | null };
}

/** Raw integer sums of one group: counters by DAILY_COUNTERS index, histogram bucket -> n, open dossiers at the end. */
export class CounterSums {
  c = new Array<number>(DAILY_COUNTERS.length).fill(0);
  hist = new Map<number, number>();
  within = 0;
  overdue = 0;
  paused = 0;

  add(o: CounterSums): void {
    for (let i = 0; i < this.c.length; i++) this.c[i] += o.c[i];
    for (const [b, n] of o.hist) this.hist.set(b, (this.hist.get(b) ?? 0) + n);
    this.within += o.within;
    this.overdue += o.overdue;
    this.paused += o.paused;
  }

  /** A row with one column per DAILY_COUNTERS name (missing or null: 0), added. */
  addCounters(row: Readonly<Record<string, number | string | null | undefined>>): void {
    DAILY_COUNTERS.forEach((c, j) => (this.c[j] += Number(row[c] ?? 0)));
  }

  /** `n` dossiers more in processing-time bucket `bucket`. */
  addHistogram(bucket: number, n: number): void {
    this.hist.set(bucket, (this.hist.get(bucket) ?? 0) + n);
  }

  /** One dossier open at the period's end, by its timeliness then. */
  countOpen(timeliness: OpenTimeliness): void {
    if (timeliness === 'within_deadline') this.within++;
    else if (timeliness === 'overdue') this.overdue++;
    else this.paused++;
  }
}

/** n / d, or null when there is nothing to divide by (no rate, rather than 0 %). */
export const rate = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/** The `q` quantile of a bucket -> count histogram, as the upper edge of its bucket in working days; null when empty. */
export function percentile(hist: ReadonlyMap<number, number>, q: number): number | null {
  const total = [...hist.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const target = Math.ceil(q * total);
  let seen = 0;
  for (const b of [...hist.keys()].sort((x, y) => x - y)) {
    seen += hist.get(b)!;
    if (seen >= target) return b / HIST_BUCKETS_PER_DAY;
  }
  return null;
}

export function figures(a: CounterSums): SlaFigures {
  const c = a.c;
  const received = c[C.received_counter] + c[C.received_online] + c[C.received_postal];
  const onTimeish = c[C.early] + c[C.on_time];
  const onTimeRate = rate(onTimeish + a.within, c[C.completed] + a.within + a.overdue);
  return {
    received,
    receivedByChannel: { counter: c[C.received_counter], online: c[C.received_online], postal: c[C.received_postal] },
    completed: c[C.completed],
    early: c[C.early],
    onTime: c[C.on_time],
    late: c[C.late],
    withdrawn: c[C.withdrawn],
    refused: c[C.refused],
    stopped: c[C.stopped],
    returned: c[C.returned],
    apologies: c[C.apologies],
    supplementRequests: c[C.supplement_requests],
    openWithinDeadline: a.within,
    openOverdue: a.overdue,
    paused: a.paused,
    paid: c[C.paid],
    paidOnline: c[C.paid_online],
    electronicResults: c[C.electronic_results],
    lateRate: rate(c[C.late], c[C.completed]),
    onTimeRate,
    onTimeScore: onTimeRate === null ? null : 20 * onTimeRate,
    onlineRate: rate(c[C.received_online], received),
    onlinePaymentRate: rate(c[C.paid_online], c[C.paid]),
    processingDays: {
      p50: percentile(a.hist, 0.5),
      p90: percentile(a.hist, 0.9),
      mean: c[C.processing_count] > 0 ? c[C.processing_ms] / c[C.processing_count] / WORKING_DAY_MS : null,
    },
  };
}

/** Ranking order: higher on-time rate first, then lower late rate, then agency code (no rate: last). */
export function compareForRanking(
  a: { agencyCode: string; onTimeRate: number | null; lateRate: number | null },
  b: { agencyCode: string; onTimeRate: number | null; lateRate: number | null },
): number {
  return (b.onTimeRate ?? -1) - (a.onTimeRate ?? -1) || (a.lateRate ?? 2) - (b.lateRate ?? 2) || (a.agencyCode < b.agencyCode ? -1 : 1);
}

const iso = (ms: number | null) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

/** State of an open dossier at instant T, from its summary row: due date and pause as they were at T. */
export function openStateAt(row: { original_due_at: number | null; due_at: number | null; pauses: string | null; deadline_unit?: string | null }, t: number) {
  const pauses: PauseSpan[] = row.pauses ? JSON.parse(row.pauses) : [];
  let due = row.original_due_at ?? row.due_at;
  let pausedSince: number | null = null;
  for (const [start, end, dueAfter] of pauses) {
    if (start >= t) break;
    if (end === null || end > t) {
      pausedSince = start;
      break;
    }
    if (dueAfter !== null) due = dueAfter;
  }
  if (due === null) return null;
  const state: DossierState = {
    ...initialState,
    status: pausedSince === null ? 'in_processing' : 'awaiting_supplement',
    dueAt: iso(due),
    // Only the unit matters to openTimeliness (working-hour deadlines are late past the due instant).
    deadline: row.deadline_unit ? ({ value: 0, unit: row.deadline_unit } as DossierState['deadline']) : null,
    paused: pausedSince === null ? null : { since: iso(pausedSince)!, reason: 'supplementation', remainingWorkingMs: 0 },
  };
  return openTimeliness(state, t, VN_DATER);
}
