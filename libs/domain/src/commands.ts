/**
 * Commands: what a caller asks the dossier to do. `type` is the action name (also used in
 * `IllegalTransitionError.action`). Instants are ISO-8601 strings with an offset; the decider
 * normalises them to UTC. Who asks (actor, agency, ids) is metadata, handled outside the domain.
 */
import type { Deadline, LocalTime, WorkingCalendar } from '@motcua/calendar';
import type { Channel, Outcome, StepKind } from './events';

export interface SubmitOnline {
  type: 'submit_online';
  dossierCode: string;
  agencyCode: string;
  procedureCode: string;
  occurredAt: string;
  applicantRef?: string;
  /** Encrypted identity fields (opaque; needs `applicantRef`, which the ciphertext is bound to). */
  applicantSealed?: string;
}

/** Receipt at the counter, by post, or of an online submission. Needs `context.procedure`. */
export interface Receive {
  type: 'receive';
  dossierCode: string;
  agencyCode: string;
  procedureCode: string;
  channel: Channel;
  occurredAt: string;
  applicantRef?: string;
  /** Encrypted identity fields (opaque; needs `applicantRef` in the same command). */
  applicantSealed?: string;
  /** Defaults to `DEFAULT_SCORING_RULE_VERSION`. */
  scoringRuleVersion?: string;
  /**
   * A due date already promised by the system the dossier comes from (legacy import). The promise made
   * to the applicant is a fact: it is kept as `dueAt`, and the date this calendar computes is recorded
   * beside it (`computedDueAt`) so auditors see the difference.
   */
  recordedDueAt?: string;
}

export interface Refuse {
  type: 'refuse';
  dossierCode: string;
  agencyCode: string;
  procedureCode: string;
  channel: Channel;
  occurredAt: string;
  reason: string;
}

export interface RecordStep {
  type: 'record_step';
  occurredAt: string;
  kind: StepKind;
  fromUnit: string;
  toUnit: string;
  allottedWorkingHours?: number;
  note?: string;
}

export interface RequestSupplement {
  type: 'request_supplement';
  occurredAt: string;
  reason: string;
}

export interface SupplySupplement {
  type: 'supply_supplement';
  occurredAt: string;
}

/** Needs `context.procedure` to know whether payment pauses the clock. */
export interface RequestPayment {
  type: 'request_payment';
  occurredAt: string;
  amount?: number;
}

export interface RecordPayment {
  type: 'record_payment';
  occurredAt: string;
  online: boolean;
  amount?: number;
}

export interface IssueApology {
  type: 'issue_apology';
  occurredAt: string;
  newPromisedAt: string;
  reason: string;
}

export interface Complete {
  type: 'complete';
  occurredAt: string;
  outcome: Outcome;
  electronicResult: boolean;
}

export interface ReturnResult {
  type: 'return_result';
  occurredAt: string;
}

export interface Withdraw {
  type: 'withdraw';
  occurredAt: string;
  reason?: string;
}

export interface Stop {
  type: 'stop';
  occurredAt: string;
  reason: string;
}

/** Raised by the system's deadline watcher; `now` is its clock, passed in. */
export interface MarkDeadlineMissed {
  type: 'mark_deadline_missed';
  now: string;
}

export type DossierCommand =
  | SubmitOnline
  | Receive
  | Refuse
  | RecordStep
  | RequestSupplement
  | SupplySupplement
  | RequestPayment
  | RecordPayment
  | IssueApology
  | Complete
  | ReturnResult
  | Withdraw
  | Stop
  | MarkDeadlineMissed;

/** The rules of one procedure (thủ tục hành chính), versioned: the version is recorded at receipt. */
export interface ProcedureRules {
  code: string;
  deadline: Deadline;
  /** Local time after which a receipt starts the clock the next working day (e.g. certification: 15:00). */
  cutoffTime?: LocalTime;
  /** Whether waiting for a fee/tax payment pauses the clock for this procedure. */
  paymentPausesClock: boolean;
  version: string;
}

export interface DecideContext {
  calendar: WorkingCalendar;
  procedure?: ProcedureRules;
}
