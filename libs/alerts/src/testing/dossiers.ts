/**
 * Test helpers: dossiers written straight through the real decider into a real store (the same events
 * the counter API writes), with a calendar that counts every hour of every day as working time, so a
 * deadline of a few seconds is a real deadline whatever the time of day.
 */
import { randomBytes } from 'node:crypto';
import { createWorkingCalendar, parseWorkingHours, type Deadline, type VnWorkingCalendar } from '@motcua/calendar';
import { decide, dossierStreamId, fold, parseDossierEvent, type DossierCommand } from '@motcua/domain';
import type { EventStore } from '@motcua/event-store';
import { Redis } from 'ioredis';

export const ALWAYS_OPEN = 'Mon-Sun 00:00-24:00';

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

export async function command(store: EventStore, code: string, cmd: DossierCommand, deadline?: Deadline, agencyCode?: string): Promise<void> {
  const streamId = dossierStreamId(code);
  const recorded = await store.readStream(streamId);
  const state = fold(recorded.map((e) => parseDossierEvent(e.type, e.data)));
  const calendar = alwaysOpenCalendar();
  const procedure = deadline ? { code: 'P-ALERT', deadline, paymentPausesClock: false, version: 'test.1' } : undefined;
  const events = decide(cmd, state, { calendar, procedure } as Parameters<typeof decide>[2]);
  await store.append(
    streamId,
    events.map((e) => ({
      type: e.type,
      data: e.data as unknown as Record<string, unknown>,
      metadata: { actor: 'clerk-test', agencyCode: agencyCode ?? state.agencyCode ?? undefined, correlationId: randomBytes(4).toString('hex') },
    })),
    { expectedRevision: state.revision < 0 ? 'no_stream' : state.revision },
  );
}

export async function receive(store: EventStore, code: string, agencyCode: string, deadline: Deadline, at = Date.now()): Promise<string> {
  await command(store, code, { type: 'receive', dossierCode: code, agencyCode, procedureCode: 'P-ALERT', channel: 'counter', occurredAt: new Date(at).toISOString() }, deadline, agencyCode);
  const events = await store.readStream(dossierStreamId(code));
  return (events[0].data as { dueAt: string }).dueAt;
}

export async function complete(store: EventStore, code: string, at = Date.now()): Promise<void> {
  await command(store, code, { type: 'complete', occurredAt: new Date(at).toISOString(), outcome: 'approved', electronicResult: true });
}

export async function deadlineMissedEvents(store: EventStore, code: string) {
  return (await store.readStream(dossierStreamId(code))).filter((e) => e.type === 'dossier.deadline-missed.v1');
}

/** Simulates FLUSHALL for one deployment: deletes every key under the prefix (other tests keep theirs). */
export async function deletePrefix(redisUrl: string, prefix: string): Promise<number> {
  const r = new Redis(redisUrl);
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) n += await r.del(...keys);
  } while (cursor !== '0');
  r.disconnect();
  return n;
}

export async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
