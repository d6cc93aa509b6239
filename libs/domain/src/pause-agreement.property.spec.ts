/**
 * The pause rules agree with the classification rules (fast-check, on the real calendar): for every
 * deadline unit, a dossier paused (supplementation or a payment that pauses the clock) while it was not
 * late by the classification's own rule gets its time back — finishing at the instant it resumes is not
 * late — and a dossier paused when it was already late keeps its due date (a pause never undoes lateness).
 * The hand-computed case: a working-day deadline due 10:00, paused at 15:00 on the due date, was not late
 * (lateness is by date) and must not be classified late after it resumes.
 */
import fc from 'fast-check';
import { createWorkingCalendar, type DeadlineUnit } from '@motcua/calendar';
import { timelinessAt, overdueFrom } from './classification';
import type { DossierCommand, ProcedureRules } from './commands';
import { decide } from './decide';
import { DEADLINE_UNITS } from './events';
import { fold, initialState, type DossierState } from './state';

const calendar = createWorkingCalendar();
const START = Date.parse('2025-03-03T02:00:00.000Z'); // Mon 3 Mar 2025 09:00 UTC+7
const iso = (t: number) => new Date(t).toISOString();

function procedure(unit: DeadlineUnit, value: number): ProcedureRules {
  return { code: '1.000001', deadline: { value, unit }, paymentPausesClock: true, version: 'v1' };
}

function apply(state: DossierState, command: DossierCommand, p: ProcedureRules): DossierState {
  return fold(decide(command, state, { calendar, procedure: p }), state);
}

function received(unit: DeadlineUnit, value: number, at: number): DossierState {
  return apply(
    initialState,
    { type: 'receive', dossierCode: 'H30-250303-0001', agencyCode: 'H30', procedureCode: '1.000001', channel: 'counter', occurredAt: iso(at) },
    procedure(unit, value),
  );
}

/** Pauses at `pauseAt` (by supplementation or payment) and resumes at `resumeAt`. */
function pauseAndResume(s: DossierState, p: ProcedureRules, how: 'supplement' | 'payment', pauseAt: number, resumeAt: number): DossierState {
  if (how === 'supplement') {
    const paused = apply(s, { type: 'request_supplement', occurredAt: iso(pauseAt), reason: 'thiếu giấy tờ' }, p);
    return apply(paused, { type: 'supply_supplement', occurredAt: iso(resumeAt) }, p);
  }
  const paused = apply(s, { type: 'request_payment', occurredAt: iso(pauseAt), amount: 50_000 }, p);
  return apply(paused, { type: 'record_payment', occurredAt: iso(resumeAt), online: false, amount: 50_000 }, p);
}

describe('pause rules agree with the classification', () => {
  it('working days: paused on the due date after the due hour, resumed later: not late when finished at resumption', () => {
    const s = received('working_days', 1, START); // due Tue 4 Mar 09:00 (+07)
    const due = Date.parse(s.dueAt!);
    const pauseAt = due + 6 * 3600_000; // Tue 4 Mar 15:00: after the due hour, on the due date
    expect(timelinessAt(pauseAt, due, 'working_days', calendar)).toBe('on_time');
    const resumeAt = Date.parse('2025-03-10T02:00:00.000Z'); // Mon 10 Mar 09:00
    for (const how of ['supplement', 'payment'] as const) {
      const after = pauseAndResume(s, procedure('working_days', 1), how, pauseAt, resumeAt);
      expect({ how, t: timelinessAt(resumeAt, after.dueAt!, 'working_days', calendar) }).toEqual({ how, t: 'on_time' });
    }
  });

  const scenario = fc.record({
    unit: fc.constantFrom(...DEADLINE_UNITS),
    value: fc.integer({ min: 1, max: 10 }),
    receivedAfterMinutes: fc.integer({ min: 0, max: 14 * 24 * 60 }),
    // Around the due instant, where the two rules could disagree: from 3 days before to 2 days after.
    pauseFromDueMinutes: fc.integer({ min: -3 * 24 * 60, max: 2 * 24 * 60 }),
    pausedMinutes: fc.integer({ min: 1, max: 20 * 24 * 60 }),
    how: fc.constantFrom('supplement' as const, 'payment' as const),
  });

  it('for every unit: not late when paused => not late when finished at resumption; late when paused => due date kept', () => {
    fc.assert(
      fc.property(scenario, ({ unit, value, receivedAfterMinutes, pauseFromDueMinutes, pausedMinutes, how }) => {
        const receivedAt = START + receivedAfterMinutes * 60_000;
        const s = received(unit, value, receivedAt);
        const p = procedure(unit, value);
        const pauseAt = Math.max(Date.parse(s.receivedAt!) + 60_000, Date.parse(s.dueAt!) + pauseFromDueMinutes * 60_000);
        const resumeAt = pauseAt + pausedMinutes * 60_000;
        const lateWhenPaused = timelinessAt(pauseAt, s.dueAt!, unit, calendar) === 'late';
        expect(lateWhenPaused).toBe(pauseAt >= overdueFrom(s.dueAt!, calendar, unit));
        const after = pauseAndResume(s, p, how, pauseAt, resumeAt);
        if (lateWhenPaused) {
          expect(after.dueAt).toBe(s.dueAt);
        } else {
          expect(timelinessAt(resumeAt, after.dueAt!, unit, calendar)).not.toBe('late');
          expect(Date.parse(after.dueAt!)).toBeGreaterThanOrEqual(Date.parse(s.dueAt!));
        }
      }),
      { numRuns: 300 },
    );
  });
});
