/**
 * Tests that cannot run here say why in their own title, so the reason shows in every report, not only in a
 * console line: `describeUnless(reason)` is `describe` when `reason` is undefined, else `describe.skip` with
 * `(skipped: reason)` appended to the title; `itUnless` the same for one test.
 */
import { holidayNow } from './dossiers/always-open';

type Block = (title: string, fn: () => void) => void;
type Test = (title: string, fn: jest.ProvidesCallback, timeout?: number) => void;

export function describeUnless(reason: string | undefined): Block {
  return reason === undefined ? describe : (title, fn) => describe.skip(`${title} (skipped: ${reason})`, fn);
}

export function itUnless(reason: string | undefined): Test {
  return reason === undefined ? it : (title, fn, timeout) => it.skip(`${title} (skipped: ${reason})`, fn, timeout);
}

/** Why a test that needs working time now cannot run: today (or the next two minutes) is an official holiday. */
export function holidayReason(): string | undefined {
  const holiday = holidayNow();
  return holiday ? `${holiday} is an official holiday (no working time, even on a 24/7 calendar)` : undefined;
}
