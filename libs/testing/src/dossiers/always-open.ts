/**
 * Dossiers on a calendar that counts every hour of every day as working time, so a deadline of a few
 * seconds is a real deadline whatever the time of day: the deadline worker's, the alerts' and the
 * dashboard's tests wait for real deadlines to pass. Written through the real decider and
 * `DossierCommands`, the same events the counter API writes.
 */
import { randomBytes } from 'node:crypto';
import { createWorkingCalendar, parseWorkingHours, type Deadline, type VnWorkingCalendar } from '@motcua/calendar';
import { dossierStreamId, type DossierCommand } from '@motcua/domain';
import type { EventStore } from '@motcua/event-store';
import { procedureRules } from '../procedures';
import { DossierWriter } from './dossier-writer';

export const ALWAYS_OPEN = 'Mon-Sun 00:00-24:00';
/** The procedure code of every always-open dossier; its deadline is the one given at receipt. */
export const ALWAYS_OPEN_PROCEDURE = 'P-ALERT';

export function alwaysOpenCalendar(): VnWorkingCalendar {
  return createWorkingCalendar({ hours: parseWorkingHours(ALWAYS_OPEN) });
}

/** Official holidays are closed days even for a 24/7 calendar: tests that need "now" working check this. */
export function holidayNow(now = Date.now()): string | undefined {
  const cal = alwaysOpenCalendar();
  const day = cal.describeDay(cal.localDate(now));
  const next = cal.describeDay(cal.localDate(now + 120_000));
  return !day.working ? day.date : !next.working ? next.date : undefined;
}

/** A deadline of about `seconds` working seconds. */
export function secondsDeadline(seconds: number): Deadline {
  return { value: seconds / 3600, unit: 'working_hours' };
}

/**
 * Decides `cmd` on the dossier as it is in the store (the deadline worker may have appended to it) on
 * the always-open calendar, with the procedure's deadline when given, and appends the events.
 */
export async function commandAlwaysOpen(store: EventStore, code: string, cmd: DossierCommand, deadline?: Deadline, agencyCode?: string): Promise<void> {
  const writer = new DossierWriter(store, { calendar: alwaysOpenCalendar(), actor: 'clerk-test', correlationId: () => randomBytes(4).toString('hex') });
  const procedure = deadline ? procedureRules({ code: ALWAYS_OPEN_PROCEDURE, deadline, version: 'test.1' }) : undefined;
  await writer.do(code, cmd, { procedure, agencyCode });
}

/** Receives a new dossier at the counter at `at` (default now); returns its due instant. */
export async function receiveAlwaysOpen(store: EventStore, code: string, agencyCode: string, deadline: Deadline, at = Date.now()): Promise<string> {
  await commandAlwaysOpen(
    store,
    code,
    { type: 'receive', dossierCode: code, agencyCode, procedureCode: ALWAYS_OPEN_PROCEDURE, channel: 'counter', occurredAt: new Date(at).toISOString() },
    deadline,
    agencyCode,
  );
  const events = await store.readStream(dossierStreamId(code));
  return (events[0].data as { dueAt: string }).dueAt;
}

/** Completes the dossier (approved) at `at` (default now). */
export async function completeAlwaysOpen(store: EventStore, code: string, at = Date.now()): Promise<void> {
  await commandAlwaysOpen(store, code, { type: 'complete', occurredAt: new Date(at).toISOString(), outcome: 'approved', electronicResult: true });
}

/** The dossier's `deadline-missed` events (the deadline worker's). */
export async function deadlineMissedEvents(store: EventStore, code: string) {
  return (await store.readStream(dossierStreamId(code))).filter((e) => e.type === 'dossier.deadline-missed.v1');
}
