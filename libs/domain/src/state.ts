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

function setStatus(s: DossierState, status: Exclude<DossierStateName, 'none'>): DossierState {
  s.status = status;
  s.nationalStatusCode = NATIONAL_STATUS_CODE[status];
  return s;
}

/**
 * A shallow copy of a state, field by field: an object literal of one fixed shape, ~20x cheaper in V8
 * than `{ ...state }` of this ~40-field object (replays apply millions of events). The same fields
 * in the same order as `initialState`; the compiler checks that none is missing.
 */
function copyState(s: DossierState): DossierState {
  return {
    status: s.status,
    nationalStatusCode: s.nationalStatusCode,
    dossierCode: s.dossierCode,
    agencyCode: s.agencyCode,
    procedureCode: s.procedureCode,
    channel: s.channel,
    applicantRef: s.applicantRef,
    submittedAt: s.submittedAt,
    receivedAt: s.receivedAt,
    clockStartAt: s.clockStartAt,
    dueAt: s.dueAt,
    originalDueAt: s.originalDueAt,
    promisedAt: s.promisedAt,
    deadline: s.deadline,
    calendarVersion: s.calendarVersion,
    procedureRulesVersion: s.procedureRulesVersion,
    scoringRuleVersion: s.scoringRuleVersion,
    paused: s.paused,
    pausedWorkingMs: s.pausedWorkingMs,
    supplementRequestCount: s.supplementRequestCount,
    paymentRequestCount: s.paymentRequestCount,
    paymentRequestedAt: s.paymentRequestedAt,
    paidOnline: s.paidOnline,
    apologies: s.apologies,
    stepCount: s.stepCount,
    currentUnit: s.currentUnit,
    completedAt: s.completedAt,
    returnedAt: s.returnedAt,
    outcome: s.outcome,
    electronicResult: s.electronicResult,
    refusedAt: s.refusedAt,
    withdrawnAt: s.withdrawnAt,
    stoppedAt: s.stoppedAt,
    closedWhilePaused: s.closedWhilePaused,
    deadlineMissedFor: s.deadlineMissedFor,
    revision: s.revision,
  };
}

/**
 * Pure: `state` is never modified. The next state is ONE shallow copy per event, filled in before
 * anyone can see it (the projections replay millions of events; a chain of spreads of this ~40-field
 * object per event was most of their apply time). Nested values are replaced, never mutated, so
 * states may share them (`deadlineMissedFor` is copied only when it changes).
 */
export function evolve(state: DossierState, event: DossierEvent, _envelope?: EventEnvelope): DossierState {
  const s: DossierState = copyState(state);
  s.revision = state.revision + 1;
  switch (event.type) {
    case 'dossier.submitted-online.v1': {
      const d = event.data;
      s.dossierCode = d.dossierCode;
      s.agencyCode = d.agencyCode;
      s.procedureCode = d.procedureCode;
      s.channel = 'online';
      s.applicantRef = d.applicantRef ?? null;
      s.submittedAt = d.occurredAt;
      return setStatus(s, 'submitted_online');
    }
    case 'dossier.received.v1': {
      const d = event.data;
      s.dossierCode = d.dossierCode;
      s.agencyCode = d.agencyCode;
      s.procedureCode = d.procedureCode;
      s.channel = d.channel;
      s.applicantRef = d.applicantRef ?? state.applicantRef;
      s.receivedAt = d.occurredAt;
      s.clockStartAt = d.clockStartAt;
      s.dueAt = d.dueAt;
      s.originalDueAt = d.dueAt;
      s.promisedAt = d.dueAt;
      s.deadline = { ...d.deadline };
      s.calendarVersion = d.calendarVersion;
      s.procedureRulesVersion = d.procedureRulesVersion;
      s.scoringRuleVersion = d.scoringRuleVersion;
      return setStatus(s, 'received');
    }
    case 'dossier.refused.v1': {
      const d = event.data;
      s.dossierCode = d.dossierCode;
      s.agencyCode = d.agencyCode;
      s.procedureCode = d.procedureCode;
      s.channel = d.channel;
      s.refusedAt = d.occurredAt;
      return setStatus(s, 'refused');
    }
    case 'dossier.step-recorded.v1':
      s.stepCount = state.stepCount + 1;
      s.currentUnit = event.data.toUnit;
      return setStatus(s, 'in_processing');
    case 'dossier.supplement-requested.v1':
      s.supplementRequestCount = state.supplementRequestCount + 1;
      s.paused = { since: event.data.occurredAt, reason: 'supplementation', remainingWorkingMs: event.data.remainingWorkingMs };
      return setStatus(s, 'awaiting_supplement');
    case 'dossier.supplement-supplied.v1':
      s.paused = null;
      s.dueAt = event.data.dueAt;
      // An apology's promise stands; otherwise the promise follows the statutory due date.
      s.promisedAt = state.apologies > 0 ? state.promisedAt : event.data.dueAt;
      s.pausedWorkingMs = state.pausedWorkingMs + event.data.pausedWorkingMs;
      return setStatus(s, 'in_processing');
    case 'dossier.payment-requested.v1':
      s.paymentRequestCount = state.paymentRequestCount + 1;
      s.paymentRequestedAt = event.data.occurredAt;
      s.paused = event.data.pausesClock ? { since: event.data.occurredAt, reason: 'payment', remainingWorkingMs: event.data.remainingWorkingMs } : null;
      return setStatus(s, 'awaiting_payment');
    case 'dossier.payment-recorded.v1':
      s.paused = null;
      s.paidOnline = event.data.online;
      s.dueAt = event.data.dueAt;
      s.promisedAt = state.apologies > 0 ? state.promisedAt : event.data.dueAt;
      s.pausedWorkingMs = state.pausedWorkingMs + event.data.pausedWorkingMs;
      return setStatus(s, 'in_processing');
    case 'dossier.apology-issued.v1':
      // Status unchanged: an apology is a letter, not a step.
      s.apologies = state.apologies + 1;
      s.promisedAt = event.data.newPromisedAt;
      return s;
    case 'dossier.completed.v1':
      s.completedAt = event.data.occurredAt;
      s.outcome = event.data.outcome;
      s.electronicResult = event.data.electronicResult;
      return setStatus(s, 'completed');
    case 'dossier.result-returned.v1':
      s.returnedAt = event.data.occurredAt;
      return setStatus(s, 'result_returned');
    case 'dossier.withdrawn.v1':
      s.withdrawnAt = event.data.occurredAt;
      s.closedWhilePaused = state.paused;
      s.paused = null;
      return setStatus(s, 'withdrawn');
    case 'dossier.stopped.v1':
      s.stoppedAt = event.data.occurredAt;
      s.closedWhilePaused = state.paused;
      s.paused = null;
      return setStatus(s, 'stopped');
    case 'dossier.deadline-missed.v1':
      s.deadlineMissedFor = [...state.deadlineMissedFor, event.data.dueAt];
      return s;
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
