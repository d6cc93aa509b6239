/**
 * "Overdue" has one rule, the domain's `overdueFrom` / `openTimeliness`, which is unit-aware: a
 * deadline counted in working hours is overdue from the first millisecond past its due instant, a
 * deadline in working days from the local midnight after its due date. The projection stores
 * `overdue_from` (and the deadline unit) and the queries compare instants with it.
 */
jest.setTimeout(60_000);

import { ProjectionRunner } from './runner';
import { SlaQueryService } from './query';
import { makeEnv, type Engine, type Env } from './testing/fixtures';
import { DossierWriter, SCENARIO_AGENCIES as AG, procedureTable, vnOffset, workingDays, workingHours, writeScenarioAgencies } from '@motcua/testing';

const HOURS = '9.000004';
const DAYS = '9.000005';
const PROCS = procedureTable({ code: HOURS, deadline: workingHours(4), version: 'h1' }, { code: DAYS, deadline: workingDays(1), version: 'd1' });
const H = `${AG.A}-250623-0101`; // 4 working hours, received Monday 08:00: due the same afternoon
const H_PAUSED = `${AG.A}-250623-0102`; // same, supplementation requested after its due instant
const D = `${AG.A}-250620-0103`; // 1 working day, received Friday: due Monday (the same day as H)

describe.each<Engine>(['sqlite', 'postgres'])('overdue, unit-aware, from the domain rule (%s)', (engine) => {
  let env: Env;
  let q: SlaQueryService;
  let w: DossierWriter;
  let hDue: number;

  beforeAll(async () => {
    env = await makeEnv(engine, 'overdue');
    await writeScenarioAgencies(env.store);
    w = new DossierWriter(env.store, { procedures: PROCS });
    const receive = (code: string, procedureCode: string, at: string) =>
      w.do(code, { type: 'receive', dossierCode: code, agencyCode: AG.A, procedureCode, channel: 'counter', occurredAt: vnOffset(at) });
    await receive(H, HOURS, '2025-06-23 08:00');
    await receive(H_PAUSED, HOURS, '2025-06-23 08:00');
    await receive(D, DAYS, '2025-06-20 09:00');
    hDue = Date.parse(w.state(H).dueAt!);
    await w.do(H_PAUSED, { type: 'request_supplement', occurredAt: new Date(hDue + 30 * 60_000).toISOString(), reason: 'missing paper' });
    const runner = new ProjectionRunner({ store: env.store, db: env.db, maxDelayMs: 5 });
    await runner.start();
    await runner.waitFor();
    await runner.stop();
    q = new SlaQueryService({ db: env.db, store: env.store });
  });
  afterAll(() => env.cleanup());

  const codes = async (overdue: boolean, now: number) => (await q.dossiers({ overdue, now, agency: AG.A })).items.map((i) => i.code).sort();

  it('the setting: H due on Monday afternoon, D due on Monday too (by date)', () => {
    expect(new Date(hDue + 7 * 3_600_000).toISOString().slice(0, 10)).toBe('2025-06-23');
    expect(new Date(hDue).toISOString().slice(11, 16)).not.toBe('16:59'); // well before local midnight
    expect(new Date(Date.parse(w.state(D).dueAt!) + 7 * 3_600_000).toISOString().slice(0, 10)).toBe('2025-06-23');
  });

  it('a working-hours dossier is overdue the same day, 1 ms past its due instant', async () => {
    // The list evaluates each dossier's CURRENT state: H_PAUSED's pause began past its due instant,
    // so it is overdue whatever `now` (a pause cannot undo lateness).
    expect(await codes(true, hDue)).toEqual([H_PAUSED]);
    expect(await codes(false, hDue)).toEqual([D, H].sort());
    expect(await codes(true, hDue + 1)).toEqual([H, H_PAUSED].sort());
    expect(await codes(true, hDue + 3_600_000)).toEqual([H, H_PAUSED].sort());
    expect(await codes(false, hDue + 1)).toEqual([D]);
  });

  it('a working-days dossier due the same date is overdue only from the local midnight after it', async () => {
    const midnight = Date.parse('2025-06-24T00:00:00+07:00');
    expect(await codes(true, midnight - 1)).toEqual([H, H_PAUSED].sort());
    expect(await codes(true, midnight)).toEqual([D, H, H_PAUSED].sort());
  });

  it('the period-end figures use the same rule (H overdue, H_PAUSED paused after its due instant = overdue, D within)', async () => {
    const { rows } = await q.sla({ from: '2025-06-23', to: '2025-06-23', by: 'agency' });
    const a = rows.find((r) => r.agencyCode === AG.A)!;
    expect({ within: a.openWithinDeadline, overdue: a.openOverdue, paused: a.paused }).toEqual({ within: 1, overdue: 2, paused: 0 });
  });
});
