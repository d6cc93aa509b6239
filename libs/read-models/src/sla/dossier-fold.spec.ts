/**
 * The fold of one dossier event is all or nothing: an event it cannot apply (an instant missing or out of
 * the read models' range, a code that is not a string, a number that is not one, a classification the
 * domain refuses) throws before the dossier's entry or the day counters change, so the projection can
 * quarantine it and every other figure stays exact. Pure: hand-made events, the real counter store.
 */
import { initialState } from '@motcua/domain';
import type { SqlValue } from '../sql/driver';
import { DayCounters } from './day-counters';
import { DossierCache } from './dossier-cache';
import { calendarProcessingTime, DossierFold, type DossierEntry, type ProjectedEvent } from './dossier-fold';
import { LocalDates } from './local-days';

const RECEIVED = {
  dossierCode: 'Q-1',
  agencyCode: 'H30.01',
  procedureCode: 'P1',
  channel: 'counter',
  occurredAt: '2025-06-02T02:00:00.000Z',
  clockStartAt: '2025-06-02T02:00:00.000Z',
  dueAt: '2025-06-05T10:00:00.000Z',
  deadline: { value: 3, unit: 'working_days' },
  calendarVersion: 'vn-2025.1',
  procedureRulesVersion: 'p.1',
  scoringRuleVersion: 'vn-766-2022.1',
};

let position = 0;
const ev = (type: string, data: Record<string, unknown>, revision: number): ProjectedEvent => ({
  streamId: 'dossier-Q-1',
  revision,
  position: String(++position),
  type,
  data,
});

function setup() {
  const days = new LocalDates();
  const counters = new DayCounters(days);
  const fold = new DossierFold(calendarProcessingTime(), days);
  const entry = new DossierCache(10).entry('Q-1');
  return { counters, fold, entry };
}

async function rows(counters: DayCounters): Promise<Record<string, SqlValue[][]>> {
  const out: Record<string, SqlValue[][]> = { daily: [], hist: [] };
  await counters.writeRows(async (t, _cols, r) => void out[t].push(...r.map((x) => [...x])));
  return out;
}

const snapshot = (e: DossierEntry) => ({ ...e, pauses: [...e.pauses] });

describe('DossierFold: an event either applies whole or throws with nothing changed', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no occurredAt', { occurredAt: undefined }, /occurredAt is missing/],
    [
      'a receipt in year 9999 (outside the countable days)',
      { occurredAt: '9999-12-31T16:59:59.000Z' },
      /occurredAt is not an instant the read models can hold \("9999-12-31T16:59:59.000Z"\)/,
    ],
    [
      'a due date in year 10000',
      { dueAt: '+010000-01-07T00:00:00.000Z' },
      /dueAt is not an instant the read models can hold \("\+010000-01-07T00:00:00.000Z"\)/,
    ],
    ['no due date', { dueAt: undefined }, /dueAt is missing/],
    ['an occurredAt that is no date', { occurredAt: 'not a date' }, /occurredAt is not an instant the read models can hold \(a string of 10 characters\)/],
    ['an agency code that is a number', { agencyCode: 42 }, /agencyCode is not a string \(42\)/],
    ['no channel', { channel: undefined }, /channel is missing/],
    ['a deadline unit that is an object', { deadline: { value: 3, unit: { x: 1 } } }, /deadline.unit is not a string \(an object\)/],
    ['a procedure code that is a long text', { procedureCode: ['Nguyễn Văn A'] }, /^procedureCode is not a string \(an array\)$/],
  ])('a receipt with %s throws; the entry stays new, nothing is counted', async (_what, patch, message) => {
    const { counters, fold, entry } = setup();
    const data = { ...RECEIVED, ...patch };
    for (const k of Object.keys(patch)) if (patch[k] === undefined) delete (data as Record<string, unknown>)[k];
    expect(() => fold.apply(entry, ev('dossier.received.v1', data, 0), counters)).toThrow(message);
    expect(entry.state).toBe(initialState);
    expect(counters.size).toBe(0);
  });

  it('a bad completion after a good receipt leaves the receipt counted, the state received and no timeliness', async () => {
    const { counters, fold, entry } = setup();
    expect(fold.apply(entry, ev('dossier.received.v1', RECEIVED, 0), counters)).toBe(true);
    const before = { entry: snapshot(entry), rows: await rows(counters) };
    expect(() => fold.apply(entry, ev('dossier.completed.v1', { outcome: 'approved', electronicResult: true }, 1), counters)).toThrow(/occurredAt is missing/);
    expect(snapshot(entry)).toEqual(before.entry);
    expect(entry.state.status).toBe('received');
    expect(await rows(counters)).toEqual(before.rows);
  });

  it('a completion the domain cannot classify (unknown scoring rule) changes nothing', async () => {
    const { counters, fold, entry } = setup();
    fold.apply(entry, ev('dossier.received.v1', { ...RECEIVED, scoringRuleVersion: 'vn-766-2099.9' }, 0), counters);
    const before = { entry: snapshot(entry), rows: await rows(counters) };
    expect(() =>
      fold.apply(entry, ev('dossier.completed.v1', { occurredAt: '2025-06-03T02:00:00.000Z', outcome: 'approved', electronicResult: true }, 1), counters),
    ).toThrow(/vn-766-2099\.9/);
    expect(snapshot(entry)).toEqual(before.entry);
    expect(await rows(counters)).toEqual(before.rows);
  });

  it('a resumption without its paused working time, or with a due date in year 10000, leaves the pause open', async () => {
    const { counters, fold, entry } = setup();
    fold.apply(entry, ev('dossier.received.v1', RECEIVED, 0), counters);
    fold.apply(
      entry,
      ev('dossier.supplement-requested.v1', { occurredAt: '2025-06-03T02:00:00.000Z', reason: 'x', dueAt: RECEIVED.dueAt, remainingWorkingMs: 3_600_000 }, 1),
      counters,
    );
    const before = { entry: snapshot(entry), rows: await rows(counters) };
    const supplied = { occurredAt: '2025-06-04T02:00:00.000Z', previousDueAt: RECEIVED.dueAt, dueAt: '2025-06-06T10:00:00.000Z', calendarVersion: 'vn-2025.1' };
    expect(() => fold.apply(entry, ev('dossier.supplement-supplied.v1', supplied, 2), counters)).toThrow(/pausedWorkingMs is not a number/);
    expect(() =>
      fold.apply(entry, ev('dossier.supplement-supplied.v1', { ...supplied, pausedWorkingMs: 1000, dueAt: '+010000-01-07T00:00:00.000Z' }, 2), counters),
    ).toThrow(/dueAt/);
    expect(snapshot(entry)).toEqual(before.entry);
    expect(entry.pauses).toEqual([[Date.parse('2025-06-03T02:00:00.000Z'), null, null]]);
    expect(await rows(counters)).toEqual(before.rows);
    // The good resumption still applies on the unchanged entry.
    expect(fold.apply(entry, ev('dossier.supplement-supplied.v1', { ...supplied, pausedWorkingMs: 1000 }, 2), counters)).toBe(true);
    expect(entry.state.status).toBe('in_processing');
  });

  it('good events count as before: receipt, completion with timeliness and processing time', async () => {
    const { counters, fold, entry } = setup();
    fold.apply(entry, ev('dossier.received.v1', RECEIVED, 0), counters);
    fold.apply(entry, ev('dossier.completed.v1', { occurredAt: '2025-06-03T02:00:00.000Z', outcome: 'approved', electronicResult: true }, 1), counters);
    expect(entry.state.status).toBe('completed');
    expect(entry.timeliness).toBe('early');
    expect(entry.processingMs).toBeGreaterThan(0);
    const r = await rows(counters);
    expect(r.daily.length).toBe(2);
    expect(r.hist.length).toBe(1);
  });
});
