import type { RecordedEvent } from '@motcua/event-store';
import type { WorkingCalendar } from '@motcua/calendar';
import {
  allowedActions,
  classify,
  DossierState,
  evolve,
  initialState,
  NationalStatusCode,
  openTimeliness,
  parseDossierEvent,
  STATUS_LABELS,
  type DossierAction,
  type DossierEvent,
  type OpenTimeliness,
  type Timeliness,
} from '@motcua/domain';

/** What every dossier command answers (the `revision` becomes the ETag). */
export interface DossierCommandResponse {
  code: string;
  status: string;
  nationalStatusCode: NationalStatusCode | null;
  dueAt: string | null;
  promisedAt: string | null;
  revision: number;
}

/** `GET /api/dossiers/{code}`. No personal data: the applicant is not part of the dossier state here. */
export interface DossierView extends DossierCommandResponse {
  agencyCode: string | null;
  procedureCode: string | null;
  channel: string | null;
  statusLabel: { vi: string; en: string } | null;
  submittedAt: string | null;
  receivedAt: string | null;
  clockStartAt: string | null;
  originalDueAt: string | null;
  deadline: { value: number; unit: string } | null;
  /** Closed: early|on_time|late; open: within_deadline|overdue|paused at the time asked; null otherwise. */
  timeliness: Timeliness | OpenTimeliness | null;
  /** Closed dossiers: why (`clock` or `too_many_supplement_requests`) and whether it scores as on time. */
  classification: { measuredAt: string; reason: string; onTime: boolean; scoringRuleVersion: string } | null;
  pausedSince: string | null;
  supplementRequestCount: number;
  paymentRequestCount: number;
  apologies: number;
  currentUnit: string | null;
  outcome: string | null;
  completedAt: string | null;
  returnedAt: string | null;
  refusedAt: string | null;
  withdrawnAt: string | null;
  stoppedAt: string | null;
  calendarVersion: string | null;
  procedureRulesVersion: string | null;
  allowedActions: DossierAction[];
}

export interface DossierHistoryEntry {
  revision: number;
  type: string;
  occurredAt: string | null;
  recordedAt: string;
  actor: string;
  agencyCode: string | null;
  correlationId: string;
  /** Status after this event. */
  status: string;
  nationalStatusCode: NationalStatusCode | null;
  /** The event data as stored (no personal data: the applicant is an opaque ref). */
  data: Record<string, unknown>;
}

export interface DossierHistory {
  code: string;
  revision: number;
  events: DossierHistoryEntry[];
}

export function toDomainEvent(e: RecordedEvent): DossierEvent {
  return parseDossierEvent(e.type, e.data);
}

export function foldRecorded(events: RecordedEvent[]): DossierState {
  let s = initialState;
  for (const e of events) s = evolve(s, toDomainEvent(e));
  return s;
}

export function commandResponse(code: string, s: DossierState, revision: number): DossierCommandResponse {
  return { code, status: s.status, nationalStatusCode: s.nationalStatusCode, dueAt: s.dueAt, promisedAt: s.promisedAt, revision };
}

export function dossierView(code: string, s: DossierState, now: Date, calendar: WorkingCalendar | null): DossierView {
  const c = calendar ? classify(s, calendar) : null;
  const open = calendar && !c ? openTimeliness(s, now.getTime(), calendar) : null;
  return {
    ...commandResponse(code, s, s.revision),
    agencyCode: s.agencyCode,
    procedureCode: s.procedureCode,
    channel: s.channel,
    statusLabel: s.status === 'none' ? null : STATUS_LABELS[s.status],
    submittedAt: s.submittedAt,
    receivedAt: s.receivedAt,
    clockStartAt: s.clockStartAt,
    originalDueAt: s.originalDueAt,
    deadline: s.deadline,
    timeliness: c ? c.timeliness : open,
    classification: c ? { measuredAt: c.measuredAt, reason: c.reason, onTime: c.onTime, scoringRuleVersion: c.scoringRuleVersion } : null,
    pausedSince: s.paused?.since ?? null,
    supplementRequestCount: s.supplementRequestCount,
    paymentRequestCount: s.paymentRequestCount,
    apologies: s.apologies,
    currentUnit: s.currentUnit,
    outcome: s.outcome,
    completedAt: s.completedAt,
    returnedAt: s.returnedAt,
    refusedAt: s.refusedAt,
    withdrawnAt: s.withdrawnAt,
    stoppedAt: s.stoppedAt,
    calendarVersion: s.calendarVersion,
    procedureRulesVersion: s.procedureRulesVersion,
    allowedActions: allowedActions(s.status).filter((a) => a !== 'mark_deadline_missed'),
  };
}

export function dossierHistory(code: string, events: RecordedEvent[]): DossierHistory {
  let s = initialState;
  const out: DossierHistoryEntry[] = [];
  for (const e of events) {
    const ev = toDomainEvent(e);
    s = evolve(s, ev);
    const occurredAt = (ev.data as { occurredAt?: unknown }).occurredAt;
    out.push({
      revision: e.revision,
      type: e.type,
      occurredAt: typeof occurredAt === 'string' ? occurredAt : null,
      recordedAt: e.recordedAt,
      actor: e.metadata.actor,
      agencyCode: typeof e.metadata.agencyCode === 'string' ? e.metadata.agencyCode : null,
      correlationId: e.metadata.correlationId,
      status: s.status,
      nationalStatusCode: s.nationalStatusCode,
      data: e.data,
    });
  }
  return { code, revision: events.length ? events[events.length - 1].revision : -1, events: out };
}
