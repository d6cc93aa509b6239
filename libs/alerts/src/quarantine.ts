/**
 * Dossiers the deadline watcher cannot follow any more, set aside in the alerts database's quarantine
 * table (libs/read-models' `event_quarantine`): a deadline row the schedule's calendar arithmetic cannot
 * plan (`alert-schedule`: a due date in year 10000 written by an older version), or a dossier whose stream
 * the domain cannot load when one of its alerts falls due (`deadline-process`: an event its schema refuses).
 * The dossier's deadline row is dropped in the same transaction as the quarantine row, so neither the
 * reconciler nor a restart meets it again: it is quarantined once, and leaves the deadline watch.
 *
 * The row names the event to blame, found in the dossier's stream (only on this failure path): the first
 * event the domain's schema refuses, else the last one that set the due date in question (a receipt, a
 * resumption), else the last event.
 */
import { UnknownCalendarVersionError } from '@motcua/calendar';
import { dossierStreamId, InvalidDossierEventError, validateDossierEvent } from '@motcua/domain';
import type { EventStore, RecordedEvent } from '@motcua/event-store';
import { recordQuarantined, type QuarantinedEvent, type SqlDb } from '@motcua/read-models';
import { UnreadableEventError } from './decode';
import { dropDeadline } from './projection';

/** The scheduler (after-commit scheduling and the reconciler): a deadline row it cannot plan. */
export const ALERT_SCHEDULE_CONSUMER = 'alert-schedule';
/** The process manager: a dossier whose stream cannot be loaded when its alert falls due. */
export const DEADLINE_PROCESS_CONSUMER = 'deadline-process';

/**
 * Whether a failure of planning or raising a dossier's alert is the data's (quarantine it) rather than the
 * infrastructure's or the build's (retry): an event the domain's schema refuses, an instant the calendar
 * cannot place (RangeError: a local date past year 9999), an event the alerts read model cannot read. An
 * unknown calendar version is the build's (it lacks that year's schedules): retried, never quarantined, as
 * before. A store or database error is neither: retried.
 */
export function isUnreadableDossier(err: unknown): boolean {
  if (err instanceof UnknownCalendarVersionError) return false;
  return err instanceof InvalidDossierEventError || err instanceof RangeError || err instanceof UnreadableEventError;
}

/** The events that set a dossier's due date (others may repeat it, as a supplementation request does). */
const SETS_DUE_DATE = new Set(['dossier.received.v1', 'dossier.supplement-supplied.v1', 'dossier.payment-recorded.v1']);

/** The event of the dossier's stream to blame (see the file's comment); undefined for an empty stream. */
export async function culpritEvent(store: Pick<EventStore, 'readStream'>, code: string, dueAt?: string): Promise<RecordedEvent | undefined> {
  const events = await store.readStream(dossierStreamId(code));
  const refused = events.find((e) => validateDossierEvent(e.type, e.data).length > 0);
  if (refused) return refused;
  if (dueAt !== undefined) {
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
      if (SETS_DUE_DATE.has(e.type) && (e.data as { dueAt?: unknown }).dueAt === dueAt) return e;
    }
  }
  return events[events.length - 1];
}

/** The reason recorded: the error, and what the domain's schema says of the event when it refuses it. */
export function quarantineReason(err: unknown, event?: Pick<RecordedEvent, 'type' | 'data'>): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!event) return message;
  const problems = validateDossierEvent(event.type, event.data).filter((p) => !message.includes(p));
  return problems.length ? `${message}; the event's schema: ${problems.join('; ')}` : message;
}

export interface DossierQuarantine {
  /** The quarantine row, when it was inserted now (not when this consumer had set the event aside already). */
  inserted: QuarantinedEvent[];
  /** Schedule entries to remove: the dropped deadline row's due date. */
  obsolete: Array<{ code: string; dueAtMs: number }>;
}

/**
 * Quarantines `event` of dossier `code` for `consumer` and drops the dossier's deadline row, in one
 * transaction of the alerts database. Without an event (an empty stream) the row itself is named: stream
 * `dossier-{code}`, revision -1, no position.
 */
export async function quarantineDossier(
  db: SqlDb,
  consumer: string,
  code: string,
  event: Pick<RecordedEvent, 'streamId' | 'revision' | 'position' | 'type'> | undefined,
  reason: string,
): Promise<DossierQuarantine> {
  const fx = { obsolete: [] as DossierQuarantine['obsolete'], touched: new Set<string>() };
  const inserted = await db.transaction(async (tx) => {
    const rows = await recordQuarantined(tx, [
      {
        consumer,
        streamId: event?.streamId ?? dossierStreamId(code),
        revision: event?.revision ?? -1,
        position: event?.position ?? '',
        eventType: event?.type ?? 'alert_deadlines row',
        reason,
      },
    ]);
    await dropDeadline(tx, code, fx);
    return rows;
  });
  return { inserted, obsolete: fx.obsolete };
}
