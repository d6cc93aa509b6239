/**
 * The SLA figures' arithmetic on hand-made counter sums: every rate's numerator and denominator, the
 * empty cases (no rate rather than 0 %), the histogram percentiles and mean, sums of groups, the ranking
 * order, and the timeliness of an open dossier at an instant from its summary row.
 */
import { CounterSums, compareForRanking, figures, openStateAt, percentile, rate } from './figures';
import { C, HIST_BUCKETS_PER_DAY, WORKING_DAY_MS } from './schema';

function sums(counters: Partial<Record<keyof typeof C, number>>, open: { within?: number; overdue?: number; paused?: number } = {}): CounterSums {
  const s = new CounterSums();
  for (const [k, v] of Object.entries(counters)) s.c[C[k as keyof typeof C]] = v;
  s.within = open.within ?? 0;
  s.overdue = open.overdue ?? 0;
  s.paused = open.paused ?? 0;
  return s;
}

/** Epoch ms of a local (+07) wall-clock time. */
const local = (isoLocal: string) => Date.parse(`${isoLocal}+07:00`);

describe('SLA figures: rates from counter sums', () => {
  it('empty sums: every count 0, every rate and processing figure null (no rate, not 0 %)', () => {
    const f = figures(new CounterSums());
    expect(f).toMatchObject({ received: 0, completed: 0, late: 0, openWithinDeadline: 0, openOverdue: 0, paused: 0 });
    expect([f.lateRate, f.onTimeRate, f.onTimeScore, f.onlineRate, f.onlinePaymentRate]).toEqual([null, null, null, null, null]);
    expect(f.processingDays).toEqual({ p50: null, p90: null, mean: null });
  });

  it('received is the sum of the three channels; onlineRate = received online / received', () => {
    const f = figures(sums({ received_counter: 5, received_online: 3, received_postal: 2 }));
    expect(f.received).toBe(10);
    expect(f.receivedByChannel).toEqual({ counter: 5, online: 3, postal: 2 });
    expect(f.onlineRate).toBeCloseTo(0.3, 12);
  });

  it('lateRate = late / completed', () => {
    const f = figures(sums({ completed: 8, early: 3, on_time: 3, late: 2 }));
    expect(f).toMatchObject({ completed: 8, early: 3, onTime: 3, late: 2 });
    expect(f.lateRate).toBe(0.25);
  });

  it('onTimeRate (766) = (early + onTime + open within) / (completed + open within + open overdue); paused in neither', () => {
    const f = figures(sums({ completed: 10, early: 4, on_time: 3, late: 3 }, { within: 5, overdue: 5, paused: 7 }));
    expect(f.onTimeRate).toBe((4 + 3 + 5) / (10 + 5 + 5));
    expect(f.onTimeScore).toBeCloseTo(20 * 0.6, 12);
    expect(f).toMatchObject({ openWithinDeadline: 5, openOverdue: 5, paused: 7 });
    // Only paused dossiers: no denominator, no rate.
    expect(figures(sums({}, { paused: 3 })).onTimeRate).toBeNull();
    // Nothing completed but some open: the rate counts the open ones alone; lateRate has no denominator.
    const open = figures(sums({}, { within: 3, overdue: 1 }));
    expect(open.onTimeRate).toBe(0.75);
    expect(open.lateRate).toBeNull();
  });

  it('onlinePaymentRate = paid online / paid', () => {
    expect(figures(sums({ paid: 4, paid_online: 1 })).onlinePaymentRate).toBe(0.25);
    expect(figures(sums({ paid_online: 0 })).onlinePaymentRate).toBeNull();
  });

  it('passes the other counters through under their figure names', () => {
    const f = figures(
      sums({ withdrawn: 1, refused: 2, stopped: 3, returned: 4, apologies: 5, supplement_requests: 6, paid: 7, paid_online: 6, electronic_results: 8 }),
    );
    expect(f).toMatchObject({
      withdrawn: 1,
      refused: 2,
      stopped: 3,
      returned: 4,
      apologies: 5,
      supplementRequests: 6,
      paid: 7,
      paidOnline: 6,
      electronicResults: 8,
    });
  });

  it('processing days: mean = summed working time / dossiers counted, in 8-hour days', () => {
    const f = figures(sums({ processing_ms: 3 * WORKING_DAY_MS + 2 * WORKING_DAY_MS, processing_count: 2 }));
    expect(f.processingDays.mean).toBe(2.5);
  });

  it('rate is null for a zero denominator only', () => {
    expect(rate(0, 0)).toBeNull();
    expect(rate(0, 4)).toBe(0);
    expect(rate(3, 4)).toBe(0.75);
  });
});

describe('SLA figures: histogram percentiles', () => {
  it('gives the upper edge of the bucket where the cumulative count reaches ceil(q x total)', () => {
    // Buckets are quarter days: 1 = (0, 0.25], 4 = (0.75, 1], 8 = (1.75, 2].
    const hist = new Map([
      [8, 1],
      [1, 1],
      [4, 2],
    ]); // insertion order is not bucket order
    expect(percentile(hist, 0.5)).toBe(4 / HIST_BUCKETS_PER_DAY); // target 2: reached in bucket 4
    expect(percentile(hist, 0.9)).toBe(8 / HIST_BUCKETS_PER_DAY); // target ceil(3.6) = 4: bucket 8
    expect(percentile(hist, 0.25)).toBe(1 / HIST_BUCKETS_PER_DAY); // target 1: bucket 1
    const s = new CounterSums();
    for (const [b, n] of hist) s.addHistogram(b, n);
    expect(figures(s).processingDays).toMatchObject({ p50: 1, p90: 2 });
  });

  it('is null for an empty histogram (or one of zero counts)', () => {
    expect(percentile(new Map(), 0.5)).toBeNull();
    expect(percentile(new Map([[3, 0]]), 0.5)).toBeNull();
  });
});

describe('SLA figures: counter sums', () => {
  it('adds counter rows by column name (missing and null as 0), histogram rows and open dossiers', () => {
    const s = new CounterSums();
    s.addCounters({ completed: 2, late: '1', early: null, on_time: undefined, agency_code: 'H30.0001' });
    s.addCounters({ completed: 3, on_time: 2 });
    s.addHistogram(4, 2);
    s.addHistogram(4, 1);
    s.countOpen('within_deadline');
    s.countOpen('overdue');
    s.countOpen('overdue');
    s.countOpen('paused');
    expect(s.c[C.completed]).toBe(5);
    expect(s.c[C.late]).toBe(1);
    expect(s.c[C.on_time]).toBe(2);
    expect(s.c[C.early]).toBe(0);
    expect([...s.hist]).toEqual([[4, 3]]);
    expect([s.within, s.overdue, s.paused]).toEqual([1, 2, 1]);
  });

  it('sums of two groups: counters, histogram buckets and open counts add up', () => {
    const a = sums({ completed: 2, late: 1 }, { within: 1 });
    a.addHistogram(2, 1);
    const b = sums({ completed: 3, early: 3 }, { overdue: 2, paused: 1 });
    b.addHistogram(2, 2);
    b.addHistogram(9, 1);
    a.add(b);
    expect(a.c[C.completed]).toBe(5);
    expect(a.c[C.late]).toBe(1);
    expect(a.c[C.early]).toBe(3);
    expect(new Map(a.hist)).toEqual(
      new Map([
        [2, 3],
        [9, 1],
      ]),
    );
    expect([a.within, a.overdue, a.paused]).toEqual([1, 2, 1]);
    expect(figures(a).onTimeRate).toBe((3 + 1) / (5 + 1 + 2));
    expect(b.c[C.completed]).toBe(3); // the added group is left as it was
  });
});

describe('SLA figures: ranking order', () => {
  const row = (agencyCode: string, onTimeRate: number | null, lateRate: number | null) => ({ agencyCode, onTimeRate, lateRate });

  it('higher on-time rate first, then lower late rate, then code; no rates last', () => {
    const rows = [row('C', 0.9, 0.1), row('A', null, null), row('B', 0.9, 0.05), row('D', 0.95, 0.3), row('E', 0.9, 0.05), row('F', 0.9, null)];
    expect(rows.sort(compareForRanking).map((r) => r.agencyCode)).toEqual(['D', 'B', 'E', 'C', 'F', 'A']);
  });
});

describe('SLA figures: an open dossier at an instant, from its summary row', () => {
  const due = local('2025-03-10T17:00:00');

  it('has no timeliness without a due date', () => {
    expect(openStateAt({ original_due_at: null, due_at: null, pauses: null }, due)).toBeNull();
  });

  it('is within its deadline through its due date (by local date), overdue from the next local day', () => {
    const row = { original_due_at: due, due_at: due, pauses: null };
    expect(openStateAt(row, local('2025-03-09T10:00:00'))).toBe('within_deadline');
    expect(openStateAt(row, local('2025-03-10T23:59:59'))).toBe('within_deadline');
    expect(openStateAt(row, local('2025-03-11T00:00:00'))).toBe('overdue');
  });

  it('a working-hours deadline is overdue from the first instant past the due instant', () => {
    const row = { original_due_at: due, due_at: due, pauses: null, deadline_unit: 'working_hours' };
    expect(openStateAt(row, due)).toBe('within_deadline');
    expect(openStateAt(row, due + 1)).toBe('overdue');
  });

  it('a pause open at the instant: paused, or overdue if it began past the deadline', () => {
    const pausedEarly = JSON.stringify([[local('2025-03-05T09:00:00'), null, null]]);
    expect(openStateAt({ original_due_at: due, due_at: null, pauses: pausedEarly }, local('2025-03-20T09:00:00'))).toBe('paused');
    const pausedLate = JSON.stringify([[local('2025-03-12T09:00:00'), null, null]]);
    expect(openStateAt({ original_due_at: due, due_at: null, pauses: pausedLate }, local('2025-03-20T09:00:00'))).toBe('overdue');
  });

  it('uses the due date as it stood at the instant: a pause ended before it moved it, a later one did not yet', () => {
    const moved = local('2025-03-14T17:00:00');
    const pauses = JSON.stringify([
      [local('2025-03-03T09:00:00'), local('2025-03-06T09:00:00'), moved],
      [local('2025-03-20T09:00:00'), local('2025-03-21T09:00:00'), local('2025-03-30T17:00:00')],
    ]);
    const row = { original_due_at: due, due_at: local('2025-03-30T17:00:00'), pauses };
    expect(openStateAt(row, local('2025-03-05T09:00:00'))).toBe('paused'); // inside the first pause
    expect(openStateAt(row, local('2025-03-12T09:00:00'))).toBe('within_deadline'); // due moved to the 14th
    expect(openStateAt(row, local('2025-03-17T09:00:00'))).toBe('overdue'); // past the 14th, before the second pause
  });
});
