/** Property tests (fast-check) over random command sequences, on the real calendar. */
import fc from 'fast-check';
import { createWorkingCalendar } from '@motcua/calendar';
import { procedureRules, workingDays } from '@motcua/testing';
import type { DecideContext, DossierCommand } from './commands';
import { decide } from './decide';
import { DomainError, IllegalTransitionError } from './errors';
import { validateDossierEvent, type DossierEvent } from './events';
import { fold, initialState, type DossierState } from './state';
import { DOSSIER_ACTIONS, DOSSIER_STATUSES, allowedActions, isTerminal, type DossierAction } from './status';

const calendar = createWorkingCalendar();
const START = Date.parse('2025-01-02T02:00:00.000Z'); // Thu 2 Jan 2025 09:00 UTC+7

function command(action: DossierAction, t: number, channel: 'counter' | 'online' | 'postal', online: boolean): DossierCommand {
  const occurredAt = new Date(t).toISOString();
  const id = { dossierCode: 'H30-250102-0001', agencyCode: 'H30', procedureCode: '2.000815' };
  switch (action) {
    case 'submit_online':
      return { type: action, ...id, occurredAt };
    case 'receive':
      return { type: action, ...id, channel, occurredAt };
    case 'refuse':
      return { type: action, ...id, channel, occurredAt, reason: 'r' };
    case 'record_step':
      return { type: action, occurredAt, kind: 'transfer', fromUnit: 'A', toUnit: 'B', allottedWorkingHours: 8 };
    case 'request_supplement':
      return { type: action, occurredAt, reason: 'r' };
    case 'request_payment':
      return { type: action, occurredAt, amount: 10000 };
    case 'record_payment':
      return { type: action, occurredAt, online };
    case 'issue_apology':
      return { type: action, occurredAt, newPromisedAt: new Date(t + 7 * 86_400_000).toISOString(), reason: 'r' };
    case 'complete':
      return { type: action, occurredAt, outcome: online ? 'approved' : 'rejected', electronicResult: online };
    case 'stop':
      return { type: action, occurredAt, reason: 'r' };
    case 'mark_deadline_missed':
      return { type: action, now: occurredAt };
    default:
      return { type: action, occurredAt } as DossierCommand;
  }
}

// Each step tries either a legal action of the current state (to reach deep states) or any action.
const step = fc.record({
  legal: fc.boolean(),
  index: fc.nat(),
  gapMinutes: fc.integer({ min: 0, max: 5 * 24 * 60 }),
  channel: fc.constantFrom('counter' as const, 'online' as const, 'postal' as const),
  online: fc.boolean(),
});
const scenario = fc.record({ paymentPausesClock: fc.boolean(), steps: fc.array(step, { maxLength: 30 }) });

/** Runs a random scenario; every decision either returns events or throws a DomainError. */
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function run({ paymentPausesClock, steps }: Scenario) {
  const context: DecideContext = {
    calendar,
    procedure: procedureRules({ code: '2.000815', deadline: workingDays(5), paymentPausesClock, version: 'p1' }),
  };
  let t = START;
  let state: DossierState = initialState;
  const events: DossierEvent[] = [];
  const decisions: Array<{ before: DossierState; cmd: DossierCommand; out: DossierEvent[] | DomainError }> = [];
  for (const s of steps) {
    t += s.gapMinutes * 60_000;
    const legal = allowedActions(state.status);
    const action = s.legal && legal.length > 0 ? legal[s.index % legal.length] : DOSSIER_ACTIONS[s.index % DOSSIER_ACTIONS.length];
    const cmd = command(action, t, s.channel, s.online);
    const before = state;
    const snapshot = JSON.stringify(before);
    let out: DossierEvent[] | DomainError;
    try {
      out = decide(cmd, before, context);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      out = e;
    }
    expect(JSON.stringify(before)).toBe(snapshot); // decide never mutates the state
    decisions.push({ before, cmd, out });
    if (Array.isArray(out)) {
      events.push(...out);
      state = fold(out, state);
    }
  }
  return { events, state, decisions, context };
}

describe('decider properties', () => {
  it('the random scenarios reach every status, so the properties below are not vacuous', () => {
    const reached = new Set<string>();
    for (const sc of fc.sample(scenario, { numRuns: 300, seed: 7 })) {
      for (const d of run(sc).decisions) reached.add(d.before.status);
    }
    expect([...reached].sort()).toEqual(['none', ...DOSSIER_STATUSES].sort());
  });

  it('never emits an event from a terminal state', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const { decisions, state, context } = run(sc);
        for (const d of decisions) {
          if (isTerminal(d.before.status)) expect(d.out).toBeInstanceOf(IllegalTransitionError);
        }
        if (isTerminal(state.status)) {
          // try/catch rather than expect().toThrow(), which costs ~2 ms a call here.
          const outcomes = DOSSIER_ACTIONS.map((a) => {
            try {
              return decide(command(a, START + 400 * 86_400_000, 'counter', true), state, context);
            } catch (e) {
              return e instanceof IllegalTransitionError && e.state === state.status && e.action === a ? 'illegal' : e;
            }
          });
          expect(outcomes).toEqual(DOSSIER_ACTIONS.map(() => 'illegal'));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('fold is deterministic: same events (also after a JSON round trip, or folded in two parts) give the same state', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), (sc, cut) => {
        const { events, state } = run(sc);
        const stored = JSON.parse(JSON.stringify(events)) as DossierEvent[];
        expect(fold(events)).toEqual(state);
        expect(fold(stored)).toEqual(state);
        const k = events.length === 0 ? 0 : cut % (events.length + 1);
        expect(fold(events.slice(k), fold(events.slice(0, k)))).toEqual(state);
        expect(state.revision).toBe(events.length - 1);
      }),
      { numRuns: 200 },
    );
  });

  it('every emitted event passes its registry schema check', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        for (const e of run(sc).events) expect(validateDossierEvent(e.type, e.data)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('the statutory due date only moves out, and the original due date never changes after receipt', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const { events } = run(sc);
        let s = initialState;
        for (const e of events) {
          const next = fold([e], s);
          if (s.dueAt !== null) {
            expect(Date.parse(next.dueAt!)).toBeGreaterThanOrEqual(Date.parse(s.dueAt));
            expect(next.originalDueAt).toBe(s.originalDueAt);
          }
          s = next;
        }
      }),
      { numRuns: 200 },
    );
  });
});
