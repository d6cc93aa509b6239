/**
 * What the alerts read model reads of each event, checked before anything is written (pure: no I/O). An
 * event whose fields the alerts projection needs are missing or unreadable (a due date in year 10000, a
 * code that is not a string) throws `UnreadableEventError` here, before its batch writes a row for it: the
 * projection quarantines it and carries on. A failure after this point (a write) is the database's, and
 * fails the batch as before, to be retried from the checkpoint.
 *
 * Instants must be what the domain's event schema accepts (`isIsoUtcInstant`: ISO-8601 UTC with a
 * four-digit year), the form the calendar arithmetic of the schedule can read.
 */
import { isIsoUtcInstant } from '@motcua/domain';
import type { RecordedEvent } from '@motcua/event-store';
import { describeValue } from '@motcua/read-models';
import { ALERT_ACKNOWLEDGED, ALERT_DUE_SOON_RAISED, DOSSIER_DEADLINE_MISSED } from './events';

/** An event the alerts projection cannot read: it is quarantined, never half-applied. */
export class UnreadableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableEventError';
  }
}

/** A bad value as the reason shows it (a short token quoted, anything else by its kind: reasons are logged). */
const show = describeValue;

type D = Record<string, unknown>;

function text(d: D, field: string): string {
  const v = d[field];
  if (typeof v !== 'string' || v.length === 0) throw new UnreadableEventError(`${field} must be a non-empty string, got ${show(v)}`);
  return v;
}

function optionalText(d: D, field: string): string | null {
  const v = d[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new UnreadableEventError(`${field} must be a string, got ${show(v)}`);
  return v;
}

function instant(d: D, field: string): string {
  const v = d[field];
  if (!isIsoUtcInstant(v)) throw new UnreadableEventError(`${field} must be an ISO-8601 UTC instant, got ${show(v)}`);
  return v;
}

export type DecodedAlertEvent =
  | {
      kind: 'received';
      code: string;
      agencyCode: string;
      dueAt: string;
      clockStartAt: string;
      unit: string | null;
      calendarVersion: string | null;
    }
  | { kind: 'paused'; code: string; paused: boolean }
  | { kind: 'resumed'; code: string; dueAt: string | null }
  | { kind: 'closed'; code: string }
  | { kind: 'deadline-missed'; code: string; dueAt: string; occurredAt: string; detectedAt: string }
  | {
      kind: 'due-soon';
      alertId: string;
      dossierCode: string;
      agencyCode: string;
      dueAt: string;
      occurredAt: string;
      detectedAt: string;
      remainingWorkingMs: number;
    }
  | { kind: 'acknowledged'; alertId: string; by: string; occurredAt: string };

/** The dossier code of a dossier stream, if it is one. */
export function dossierCodeOfStream(streamId: string): string | undefined {
  return streamId.startsWith('dossier-') ? streamId.slice('dossier-'.length) : undefined;
}

/**
 * What the alerts projection reads of `e`, validated; undefined for an event it ignores (every other
 * type, and dossier events outside a dossier stream). Throws `UnreadableEventError` for one it cannot read.
 */
export function decodeAlertEvent(e: Pick<RecordedEvent, 'streamId' | 'type' | 'data'>): DecodedAlertEvent | undefined {
  const d = e.data as D;
  const code = dossierCodeOfStream(e.streamId);
  switch (e.type) {
    case 'dossier.received.v1': {
      const deadline = d.deadline;
      if (deadline !== undefined && (typeof deadline !== 'object' || deadline === null))
        throw new UnreadableEventError(`deadline must be an object, got ${show(deadline)}`);
      const unit = optionalText((deadline ?? {}) as D, 'unit');
      return {
        kind: 'received',
        code: text(d, 'dossierCode'),
        agencyCode: text(d, 'agencyCode'),
        dueAt: instant(d, 'dueAt'),
        clockStartAt: instant(d, 'clockStartAt'),
        unit,
        calendarVersion: optionalText(d, 'calendarVersion'),
      };
    }
    case 'dossier.supplement-requested.v1':
    case 'dossier.payment-requested.v1':
      if (!code) return undefined;
      return { kind: 'paused', code, paused: e.type === 'dossier.supplement-requested.v1' || d.pausesClock === true };
    case 'dossier.supplement-supplied.v1':
    case 'dossier.payment-recorded.v1':
      if (!code) return undefined;
      // A resumption without a new due date keeps the old one (the read model's rule since the first version).
      return { kind: 'resumed', code, dueAt: d.dueAt === undefined || d.dueAt === null ? null : instant(d, 'dueAt') };
    case 'dossier.completed.v1':
    case 'dossier.result-returned.v1':
    case 'dossier.withdrawn.v1':
    case 'dossier.stopped.v1':
    case 'dossier.refused.v1':
      return code ? { kind: 'closed', code } : undefined;
    case DOSSIER_DEADLINE_MISSED:
      if (!code) return undefined;
      return { kind: 'deadline-missed', code, dueAt: instant(d, 'dueAt'), occurredAt: instant(d, 'occurredAt'), detectedAt: instant(d, 'detectedAt') };
    case ALERT_DUE_SOON_RAISED: {
      const remaining = d.remainingWorkingMs;
      if (typeof remaining !== 'number' || !Number.isFinite(remaining))
        throw new UnreadableEventError(`remainingWorkingMs must be a number, got ${show(remaining)}`);
      return {
        kind: 'due-soon',
        alertId: text(d, 'alertId'),
        dossierCode: text(d, 'dossierCode'),
        agencyCode: text(d, 'agencyCode'),
        dueAt: instant(d, 'dueAt'),
        occurredAt: instant(d, 'occurredAt'),
        detectedAt: instant(d, 'detectedAt'),
        remainingWorkingMs: remaining,
      };
    }
    case ALERT_ACKNOWLEDGED:
      return { kind: 'acknowledged', alertId: text(d, 'alertId'), by: text(d, 'by'), occurredAt: instant(d, 'occurredAt') };
    default:
      return undefined;
  }
}

/** The dossier an unreadable event is about, when it is a dossier event (its deadline row is dropped). */
export function dossierOfEvent(e: Pick<RecordedEvent, 'streamId' | 'type' | 'data'>): string | undefined {
  if (!e.type.startsWith('dossier.')) return undefined;
  const code = dossierCodeOfStream(e.streamId);
  if (code) return code;
  const d = e.data as D;
  return typeof d.dossierCode === 'string' ? d.dossierCode : undefined;
}
