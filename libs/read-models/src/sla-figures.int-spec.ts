/**
 * The hand-computed scenario (@motcua/testing's sla-scenario.ts, docs/projections.md) on real stores: every
 * figure per agency, per level, per procedure and rolled up along the tree as it stood each day.
 */
jest.setTimeout(120_000);

import { ProjectionRunner } from './runner';
import { SlaQueryService, type SlaFigures } from './query';
import { makeEnv, type Env, type Engine } from './testing/fixtures';
import { SCENARIO_AGENCIES as AG, writeScenario } from '@motcua/testing';

const JUNE = { from: '2025-06-01', to: '2025-06-30' };
const JULY = { from: '2025-07-01', to: '2025-07-31' };

/** The counts that matter, in one object, so a mismatch shows every figure at once. */
const pick = (f: SlaFigures) => ({
  received: f.received,
  ch: f.receivedByChannel,
  completed: f.completed,
  early: f.early,
  onTime: f.onTime,
  late: f.late,
  withdrawn: f.withdrawn,
  refused: f.refused,
  stopped: f.stopped,
  returned: f.returned,
  apologies: f.apologies,
  within: f.openWithinDeadline,
  overdue: f.openOverdue,
  paused: f.paused,
  paid: f.paid,
  paidOnline: f.paidOnline,
});
const z = {
  received: 0,
  ch: { counter: 0, online: 0, postal: 0 },
  completed: 0,
  early: 0,
  onTime: 0,
  late: 0,
  withdrawn: 0,
  refused: 0,
  stopped: 0,
  returned: 0,
  apologies: 0,
  within: 0,
  overdue: 0,
  paused: 0,
  paid: 0,
  paidOnline: 0,
};

const A_JUNE = {
  ...z,
  received: 4,
  ch: { counter: 3, online: 1, postal: 0 },
  completed: 3,
  early: 1,
  onTime: 1,
  late: 1,
  returned: 1,
  apologies: 1,
  within: 1,
  paid: 1,
  paidOnline: 1,
};
const B_JUNE = { ...z, received: 3, ch: { counter: 2, online: 1, postal: 0 }, completed: 2, onTime: 1, late: 1, refused: 1, within: 1 };
const A_JULY = { ...z, received: 4, ch: { counter: 3, online: 0, postal: 1 }, completed: 1, late: 1, withdrawn: 1, within: 1, overdue: 1, paused: 1 };
const B_JULY = { ...z, received: 2, ch: { counter: 2, online: 0, postal: 0 }, completed: 2, onTime: 2, stopped: 1, returned: 1, paid: 1 };
const sum = (...xs: (typeof z)[]) =>
  xs.reduce(
    (a, b) =>
      ({
        ...Object.fromEntries(
          Object.keys(z)
            .filter((k) => k !== 'ch')
            .map((k) => [k, (a as never)[k] + (b as never)[k]]),
        ),
        ch: { counter: a.ch.counter + b.ch.counter, online: a.ch.online + b.ch.online, postal: a.ch.postal + b.ch.postal },
      }) as typeof z,
    z,
  );

describe.each<Engine>(['sqlite', 'postgres'])('SLA figures of the hand-computed scenario (%s)', (engine) => {
  let env: Env;
  let q: SlaQueryService;

  beforeAll(async () => {
    env = await makeEnv(engine, 'figures');
    await writeScenario(env.store);
    const runner = new ProjectionRunner({ store: env.store, db: env.db, maxDelayMs: 5 });
    await runner.start();
    await runner.waitFor();
    await runner.stop();
    q = new SlaQueryService({ db: env.db, store: env.store });
  });
  afterAll(() => env.cleanup());

  it('per agency, June: own figures and rates', async () => {
    const { rows, watermark } = await q.sla({ ...JUNE, by: 'agency' });
    const a = rows.find((r) => r.agencyCode === AG.A)!;
    const b = rows.find((r) => r.agencyCode === AG.B)!;
    expect(pick(a)).toEqual(A_JUNE);
    expect(pick(b)).toEqual(B_JUNE);
    expect(a.lateRate).toBeCloseTo(1 / 3, 12);
    expect(a.onTimeRate).toBeCloseTo(3 / 4, 12); // (early 1 + on time 1 + open within 1) / (completed 3 + open 1)
    expect(a.onTimeScore).toBeCloseTo(15, 12);
    expect(a.onlineRate).toBeCloseTo(1 / 4, 12);
    expect(a.onlinePaymentRate).toBe(1);
    expect(b.lateRate).toBeCloseTo(1 / 2, 12);
    expect(b.onTimeRate).toBeCloseTo(2 / 3, 12);
    expect(b.onlineRate).toBeCloseTo(1 / 3, 12);
    expect(b.onlinePaymentRate).toBeNull();
    expect(watermark.behind).toBe(0);
    expect(watermark.position).toBe(watermark.headPosition);
  });

  it('per agency, July: open dossiers at the period end (paused, overdue, within)', async () => {
    const { rows } = await q.sla({ ...JULY, by: 'agency' });
    const a = rows.find((r) => r.agencyCode === AG.A)!;
    const b = rows.find((r) => r.agencyCode === AG.B)!;
    expect(pick(a)).toEqual(A_JULY);
    expect(pick(b)).toEqual(B_JULY);
    expect(a.onTimeRate).toBeCloseTo(1 / 3, 12); // (0 + within 1) / (completed 1 + within 1 + overdue 1)
    expect(a.lateRate).toBe(1);
    expect(b.onTimeRate).toBe(1);
    expect(b.onlinePaymentRate).toBe(0);
  });

  it('rolls up along the tree as it stood: A under D1 in June, under P from July', async () => {
    const june = await q.sla({ ...JUNE, by: 'agency' });
    const r = (rows: typeof june.rows, code: string) => pick(rows.find((x) => x.agencyCode === code)!.rollup!);
    expect(r(june.rows, AG.D1)).toEqual(A_JUNE);
    expect(r(june.rows, AG.D2)).toEqual(B_JUNE);
    expect(r(june.rows, AG.P)).toEqual(sum(A_JUNE, B_JUNE));
    const july = await q.sla({ ...JULY, by: 'agency' });
    expect(july.rows.find((x) => x.agencyCode === AG.D1)).toBeUndefined();
    expect(r(july.rows, AG.D2)).toEqual(B_JULY);
    expect(r(july.rows, AG.P)).toEqual(sum(A_JULY, B_JULY));
    // Over both months D1 keeps A's June counts; A's open dossiers at the end of July are under P only.
    const both = await q.sla({ from: '2025-06-01', to: '2025-07-31', by: 'agency' });
    const aBoth = { ...sum(A_JUNE, A_JULY), within: 1, overdue: 1, paused: 1 };
    expect(pick(both.rows.find((x) => x.agencyCode === AG.A)!)).toEqual(aBoth);
    expect(r(both.rows, AG.D1)).toEqual({ ...A_JUNE, within: 0 });
    expect(r(both.rows, AG.P)).toEqual({ ...sum(aBoth, B_JUNE, B_JULY), within: 1 + 0, overdue: 1, paused: 1 });
  });

  it('one agency with its roll-up and children; subtree filter', async () => {
    const p = await q.agencySla(AG.P, JUNE);
    expect(pick(p.own)).toEqual(z);
    expect(pick(p.rollup)).toEqual(sum(A_JUNE, B_JUNE));
    expect(p.children.map((c) => c.agencyCode).sort()).toEqual([AG.D1, AG.D2]);
    const d1 = await q.sla({ ...JUNE, by: 'agency', agency: AG.D1 });
    expect(d1.rows.map((x) => x.agencyCode).sort()).toEqual([AG.A, AG.D1]);
    const d1July = await q.sla({ ...JULY, by: 'agency', agency: AG.D1 });
    expect(d1July.rows).toEqual([]);
  });

  it('per level and per procedure', async () => {
    const lv = await q.sla({ ...JUNE, by: 'level' });
    expect(lv.rows.map((x) => x.key)).toEqual(['commune']);
    expect(pick(lv.rows[0])).toEqual(sum(A_JUNE, B_JUNE));
    const pr = await q.sla({ ...JULY, by: 'procedure' });
    const y = pr.rows.find((x) => x.procedureCode === '2.000002')!;
    expect(pick(y)).toEqual({ ...z, received: 1, ch: { counter: 1, online: 0, postal: 0 }, completed: 1, onTime: 1, paid: 1 });
    const x = pr.rows.find((x) => x.procedureCode === '1.000001')!;
    expect(pick(x)).toEqual({ ...sum(A_JULY, B_JULY), received: 5, ch: { counter: 4, online: 0, postal: 1 }, completed: 2, onTime: 1, paid: 0 });
  });

  it('processing time percentiles from the histogram', async () => {
    const { rows } = await q.sla({ ...JUNE, by: 'agency', agency: AG.A });
    const a = rows.find((r) => r.agencyCode === AG.A)!;
    // A1: Mon 09:00 -> Tue 10:00 = 9 working hours = 1.125 days -> bucket (1, 1.25];
    // A2: Mon 08:00 -> Thu 15:00 = 7 + 8 + 8 + 6 = 29 h = 3.625 days -> (3.5, 3.75];
    // A3: Mon 09:00 -> next Mon 10:00 = 6 + 32 + 3 = 41 h = 5.125 days -> (5, 5.25].
    expect(a.processingDays.p50).toBe(3.75);
    expect(a.processingDays.p90).toBe(5.25);
    expect(a.processingDays.mean).toBeCloseTo((9 + 29 + 41) / 3 / 8, 9);
  });

  it('ranking by roll-up on-time rate, and dossier lists with keyset pagination', async () => {
    const rk = await q.ranking({ ...JUNE, level: 'commune' });
    expect(rk.rows.map((r) => [r.rank, r.agencyCode])).toEqual([
      [1, AG.A],
      [2, AG.B],
    ]);
    const now = Date.parse('2025-07-31T10:00:00+07:00');
    const overdue = await q.dossiers({ agency: AG.P, overdue: true, now });
    expect(overdue.items.map((d) => d.code)).toEqual([`${AG.A}-250623-0005`]);
    const paused = await q.dossiers({ status: 'awaiting_supplement' });
    expect(paused.items.map((d) => d.code)).toEqual([`${AG.A}-250623-0004`]);
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await q.dossiers({ agency: AG.A, limit: 3, cursor });
      all.push(...page.items.map((d) => d.code));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(all).toHaveLength(8);
    expect(new Set(all).size).toBe(8);
    const a8 = (await q.dossiers({ agency: AG.A, dueBefore: '2025-07-01', status: '9' })).items.find((d) => d.code.endsWith('0008'))!;
    expect(a8.originalDueAt).toBe('2025-06-30T02:00:00.000Z');
    expect(a8.promisedAt).toBe('2025-07-02T10:00:00.000Z');
    expect(a8.timeliness).toBe('late');
  });
});
