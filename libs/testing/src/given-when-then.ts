/**
 * Given/when/then for a decider: given the history (events), when a command is decided on its fold,
 * then these events, or this refusal. The decider is pure, so a spec is data in, data out; the
 * assertions are jest's (`toEqual` for the events, the error's class and fields for a refusal).
 */

/** A pure decider: the decision on a state, and the fold of a history into that state. */
export interface Decider<Command, Event, State, Context> {
  decide(command: Command, state: State, context: Context): Event[];
  fold(history: Event[]): State;
}

/** The part of jest's `expect` used here: a global of the test run (this lib is also compiled with the benchmarks, without jest's types). */
interface Expectation {
  toEqual(expected: unknown): void;
  toBeUndefined(): void;
  toBeInstanceOf(expected: unknown): void;
  toMatchObject(expected: object): void;
}
function expectOf(actual: unknown): Expectation {
  const expect = (globalThis as { expect?: (actual: unknown) => Expectation }).expect;
  if (!expect) throw new Error('givenWhenThen asserts with jest: call it inside a jest test');
  return expect(actual);
}

export interface When<Event> {
  /** The decision is exactly these events. */
  then(expected: Event[]): void;
  /** The decider refuses: nothing decided, an error of this class carrying these fields. */
  thenThrows(errorClass: new (...args: never[]) => Error, fields?: Record<string, unknown>): void;
  /** The decided events, for assertions of the test's own. */
  events(): Event[];
}

export interface Given<Command, Event, State, Context> {
  /** The fold of the history. */
  state: State;
  when(command: Command, context?: Context): When<Event>;
}

/**
 * `given(...history).when(command).then(events)` over a decider, deciding with `context` unless a
 * step names another; `history(commands)` runs commands through the decider into a history.
 */
export function givenWhenThen<Command, Event, State, Context>(decider: Decider<Command, Event, State, Context>, context: Context) {
  function given(...history: Event[]): Given<Command, Event, State, Context> {
    const state = decider.fold(history);
    return {
      state,
      when(command: Command, stepContext: Context = context): When<Event> {
        const run = () => decider.decide(command, state, stepContext);
        return {
          then(expected) {
            expectOf(run()).toEqual(expected);
          },
          thenThrows(errorClass, fields = {}) {
            let events: Event[] | undefined;
            let error: unknown;
            try {
              events = run();
            } catch (e) {
              error = e;
            }
            expectOf(events).toBeUndefined();
            expectOf(error).toBeInstanceOf(errorClass);
            expectOf(error).toMatchObject(fields);
          },
          events: run,
        };
      },
    };
  }

  /** Runs commands through the decider, each on the fold of the events before it: the full history. */
  function history(commands: Command[], historyContext: Context = context): Event[] {
    const events: Event[] = [];
    for (const c of commands) events.push(...decider.decide(c, decider.fold(events), historyContext));
    return events;
  }

  return { given, history };
}
