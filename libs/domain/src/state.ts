/**
 * The dossier's state, rebuilt from its events by `evolve`. `evolve` is total over valid events,
 * needs no calendar and reads no clock: events carry every value they change.
 */
import type { Deadline } from '@motcua/calendar';
import type { Channel, DossierEvent, Outcome } from './events';
import { NATIONAL_STATUS_CODE, type DossierStateName, type NationalStatusCode } from './status';
import { InvalidDossierEventError } from './errors';

export type PauseReason = 'supplementation' | 'payment';

export interface ClockPause {
  /** When the clock paused (the request's occurredAt). */
  since: string;
  reason: PauseReason;
  /** Working time that was left until `dueAt` at the pause (0 when already overdue). */
  remainingWorkingMs: number;
}

export interface DossierState {
  status: DossierStateName;
  /** National TrangThaiHoSo code, null before the first event. */
  nationalStatusCode: NationalStatusCode | null;
  dossierCode: string | null;
  agencyCode: string | null;
  procedureCode: string | null;
  channel: Channel | null;
  applicantRef: string | null;
  submittedAt: string | null;
  receivedAt: string | null;
  clockStartAt: string | null;
  /** Statutory deadline; moved ONLY by clock pauses. The classification reference. */
  dueAt: string | null;
  /** `dueAt` as computed at receipt, kept for audit. */
  originalDueAt: string | null;
  /** Date promised to the applicant: `dueAt` until an apology sets a new one. Never used to classify. */
  promisedAt: string | null;
  deadline: Deadline | null;
  calendarVersion: string | null;
  procedureRulesVersion: string | null;
  scoringRuleVersion: string | null;
  /** Non-null while the clock is paused (awaiting supplementation, or payment when the procedure says so). */
  paused: ClockPause | null;
  /** Total working time the clock has been paused, over completed pauses. */
  pausedWorkingMs: number;
  supplementRequestCount: number;
  paymentRequestCount: number;
  /** When the last payment was requested. */
  paymentRequestedAt: string | null;
  /** Null until a payment is recorded. */
  paidOnline: boolean | null;
  /** Number of apology letters issued. */
  apologies: number;
  stepCount: number;
  /** The unit holding the dossier after the last recorded hand-over. */
  currentUnit: string | null;
  completedAt: string | null;
  returnedAt: string | null;
  outcome: Outcome | null;
  electronicResult: boolean | null;
  refusedAt: string | null;
  withdrawnAt: string | null;
  stoppedAt: string | null;
  /** The pause the dossier was in when stopped or withdrawn: its clock is measured to `since`. */
  closedWhilePaused: ClockPause | null;
  /** `dueAt` values already marked as missed (the deadline watcher is idempotent per dueAt). */
  deadlineMissedFor: string[];
  /** Revision (0-based) of the last applied event; -1 for a new stream. Matches the store's revision. */
  revision: number;
}

export const initialState: DossierState = Object.freeze({
  status: 'none',
  nationalStatusCode: null,
  dossierCode: null,
  agencyCode: null,
  procedureCode: null,
  channel: null,
  applicantRef: null,
  submittedAt: null,
  receivedAt: null,
  clockStartAt: null,
  dueAt: null,
  originalDueAt: null,
  promisedAt: null,
  deadline: null,
  calendarVersion: null,
  procedureRulesVersion: null,
  scoringRuleVersion: null,
  paused: null,
  pausedWorkingMs: 0,
  supplementRequestCount: 0,
  paymentRequestCount: 0,
  paymentRequestedAt: null,
  paidOnline: null,
  apologies: 0,
  stepCount: 0,
  currentUnit: null,
  completedAt: null,
  returnedAt: null,
  outcome: null,
  electronicResult: null,
  refusedAt: null,
  withdrawnAt: null,
  stoppedAt: null,
  closedWhilePaused: null,
  deadlineMissedFor: Object.freeze([]) as unknown as string[],
  revision: -1,
}) as DossierState;

/** Optional store envelope; accepted so callers can pass recorded events, never relied upon. */
export interface EventEnvelope {
  revision?: number;
  recordedAt?: string;
  metadata?: unknown;
}

function withStatus(state: DossierState, status: Exclude<DossierStateName, 'none'>): DossierState {
  return { ...state, status, nationalStatusCode: NATIONAL_STATUS_CODE[status] };
}

export function evolve(state: DossierState, event: DossierEvent, _envelope?: EventEnvelope): DossierState {
  const s: DossierState = { ...state, revision: state.revision + 1 };
  switch (event.type) {
    case 'dossier.submitted-online.v1': {
      const d = event.data;
      return withStatus(
        {
          ...s,
          dossierCode: d.dossierCode,
          agencyCode: d.agencyCode,
          procedureCode: d.procedureCode,
          channel: 'online',
          applicantRef: d.applicantRef ?? null,
          submittedAt: d.occurredAt,
        },
        'submitted_online',
      );
    }
    case 'dossier.received.v1': {
      const d = event.data;
      return withStatus(
        {
          ...s,
          dossierCode: d.dossierCode,
          agencyCode: d.agencyCode,
          procedureCode: d.procedureCode,
          channel: d.channel,
          applicantRef: d.applicantRef ?? s.applicantRef,
          receivedAt: d.occurredAt,
          clockStartAt: d.clockStartAt,
          dueAt: d.dueAt,
          originalDueAt: d.dueAt,
          promisedAt: d.dueAt,
          deadline: { ...d.deadline },
          calendarVersion: d.calendarVersion,
          procedureRulesVersion: d.procedureRulesVersion,
          scoringRuleVersion: d.scoringRuleVersion,
        },
        'received',
      );
    }
    case 'dossier.refused.v1': {
      const d = event.data;
      return withStatus(
        {
          ...s,
          dossierCode: d.dossierCode,
          agencyCode: d.agencyCode,
          procedureCode: d.procedureCode,
          channel: d.channel,
          refusedAt: d.occurredAt,
        },
        'refused',
      );
    }
    case 'dossier.step-recorded.v1':
      return withStatus({ ...s, stepCount: s.stepCount + 1, currentUnit: event.data.toUnit }, 'in_processing');
    case 'dossier.supplement-requested.v1':
      return withStatus(
        {
          ...s,
          supplementRequestCount: s.supplementRequestCount + 1,
          paused: {
            since: event.data.occurredAt,
            reason: 'supplementation',
            remainingWorkingMs: event.data.remainingWorkingMs,
          },
        },
        'awaiting_supplement',
      );
    case 'dossier.supplement-supplied.v1':
      return withStatus(
        {
          ...s,
          paused: null,
          dueAt: event.data.dueAt,
          // An apology's promise stands; otherwise the promise follows the statutory due date.
          promisedAt: s.apologies > 0 ? s.promisedAt : event.data.dueAt,
          pausedWorkingMs: s.pausedWorkingMs + event.data.pausedWorkingMs,
        },
        'in_processing',
      );
    case 'dossier.payment-requested.v1':
      return withStatus(
        {
          ...s,
          paymentRequestCount: s.paymentRequestCount + 1,
          paymentRequestedAt: event.data.occurredAt,
          paused: event.data.pausesClock
            ? { since: event.data.occurredAt, reason: 'payment', remainingWorkingMs: event.data.remainingWorkingMs }
            : null,
        },
        'awaiting_payment',
      );
    case 'dossier.payment-recorded.v1':
      return withStatus(
        {
          ...s,
          paused: null,
          paidOnline: event.data.online,
          dueAt: event.data.dueAt,
          promisedAt: s.apologies > 0 ? s.promisedAt : event.data.dueAt,
          pausedWorkingMs: s.pausedWorkingMs + event.data.pausedWorkingMs,
        },
        'in_processing',
      );
    case 'dossier.apology-issued.v1':
      // Status unchanged: an apology is a letter, not a step.
      return { ...s, apologies: s.apologies + 1, promisedAt: event.data.newPromisedAt };
    case 'dossier.completed.v1':
      return withStatus(
        {
          ...s,
          completedAt: event.data.occurredAt,
          outcome: event.data.outcome,
          electronicResult: event.data.electronicResult,
        },
        'completed',
      );
    case 'dossier.result-returned.v1':
      return withStatus({ ...s, returnedAt: event.data.occurredAt }, 'result_returned');
    case 'dossier.withdrawn.v1':
      return withStatus(
        { ...s, withdrawnAt: event.data.occurredAt, closedWhilePaused: s.paused, paused: null },
        'withdrawn',
      );
    case 'dossier.stopped.v1':
      return withStatus(
        { ...s, stoppedAt: event.data.occurredAt, closedWhilePaused: s.paused, paused: null },
        'stopped',
      );
    case 'dossier.deadline-missed.v1':
      return { ...s, deadlineMissedFor: [...s.deadlineMissedFor, event.data.dueAt] };
    default: {
      const unknown = event as { type: string };
      throw new InvalidDossierEventError(unknown.type, ['unknown event type']);
    }
  }
}

/** The state after `events`, from `initialState`. */
export function fold(events: Iterable<DossierEvent>, from: DossierState = initialState): DossierState {
  let state = from;
  for (const e of events) state = evolve(state, e);
  return state;
}
