/**
 * Dossier domain events: `{ type, data }`. Types are stable, versioned strings; data holds only
 * what happened (no actor, no recordedAt: those live in the store envelope, see
 * libs/event-store/src/port.ts). Every data has `occurredAt`, given by the caller. All instants
 * are ISO-8601 UTC strings. Events that move the due date carry the new `dueAt`, so `evolve`
 * never needs a calendar and a replay years later gives the same answer.
 * No personal data: the applicant is an opaque `applicantRef`.
 */
import { DEADLINE_UNITS, type Deadline } from '@motcua/calendar';
import { InvalidDossierEventError } from './errors';
import { isValidDossierCode } from './dossier-code';
import { isIsoUtcInstant } from './time';

export type Channel = 'counter' | 'online' | 'postal';
export const CHANNELS: readonly Channel[] = ['counter', 'online', 'postal'];

export type StepKind = 'transfer' | 'appraisal' | 'approval' | 'signing' | 'other';
export const STEP_KINDS: readonly StepKind[] = ['transfer', 'appraisal', 'approval', 'signing', 'other'];

export type Outcome = 'approved' | 'rejected';
export const OUTCOMES: readonly Outcome[] = ['approved', 'rejected'];

/** Upper bound of `applicantSealed` (the identity fields are bounded by the API; base64 grows them by 4/3). */
export const MAX_SEALED_LENGTH = 16384;

export { DEADLINE_UNITS };

export interface SubmittedOnlineData {
  dossierCode: string;
  agencyCode: string;
  procedureCode: string;
  occurredAt: string;
  applicantRef?: string;
  /** The applicant's identity fields, encrypted under a per-applicant key kept outside the store (opaque here; see libs/personal-data). */
  applicantSealed?: string;
}

export interface ReceivedData {
  dossierCode: string;
  agencyCode: string;
  procedureCode: string;
  channel: Channel;
  occurredAt: string;
  /** When the clock starts: the next working instant, or the next working day after a cut-off. */
  clockStartAt: string;
  dueAt: string;
  deadline: Deadline;
  calendarVersion: string;
  procedureRulesVersion: string;
  scoringRuleVersion: string;
  applicantRef?: string;
  /** See `SubmittedOnlineData.applicantSealed`: ciphertext; erasing the applicant destroys its key, never this event. */
  applicantSealed?: string;
  /** Present when `dueAt` was taken from a legacy system (`legacy`) and differs from `computedDueAt`. */
  dueAtSource?: 'legacy';
  computedDueAt?: string;
}

export interface RefusedData {
  dossierCode: string;
  agencyCode: string;
  procedureCode: string;
  channel: Channel;
  occurredAt: string;
  reason: string;
}

/** One hand-over on the processing control sheet (phiếu kiểm soát quá trình giải quyết hồ sơ). */
export interface StepRecordedData {
  occurredAt: string;
  kind: StepKind;
  fromUnit: string;
  toUnit: string;
  /** Working hours the procedure's internal workflow allots to this step, for per-unit attribution. */
  allottedWorkingHours?: number;
  note?: string;
}

export interface SupplementRequestedData {
  occurredAt: string;
  reason: string;
  /** The statutory due date when the clock paused (unchanged by the request). */
  dueAt: string;
  /** Working time left until `dueAt` at the request; 0 when already overdue. */
  remainingWorkingMs: number;
}

export interface SupplementSuppliedData {
  occurredAt: string;
  previousDueAt: string;
  /** Due date moved out by the paused working time. */
  dueAt: string;
  /** Working time the clock was paused (request to supply). */
  pausedWorkingMs: number;
  calendarVersion: string;
}

export interface PaymentRequestedData {
  occurredAt: string;
  /** Amount in VND, when known. */
  amount?: number;
  /** Whether this procedure's payment pauses the clock (procedure rules at the time of the request). */
  pausesClock: boolean;
  dueAt: string;
  /** Working time left until `dueAt`; meaningful only when `pausesClock`. */
  remainingWorkingMs: number;
}

export interface PaymentRecordedData {
  occurredAt: string;
  online: boolean;
  amount?: number;
  previousDueAt: string;
  /** Unchanged unless the clock was paused, then moved out by the paused working time. */
  dueAt: string;
  pausedWorkingMs: number;
  calendarVersion: string;
}

/** Apology letter with a new promised date (văn bản xin lỗi và hẹn lại ngày trả). Does not move dueAt. */
export interface ApologyIssuedData {
  occurredAt: string;
  previousPromisedAt: string;
  newPromisedAt: string;
  reason: string;
}

export interface CompletedData {
  occurredAt: string;
  outcome: Outcome;
  electronicResult: boolean;
}

export interface ResultReturnedData {
  occurredAt: string;
}

export interface WithdrawnData {
  occurredAt: string;
  reason?: string;
}

export interface StoppedData {
  occurredAt: string;
  reason: string;
}

/**
 * Raised by the system. `occurredAt` is when the dossier became late: local midnight after its due
 * date (completing on the due date is still on time); `detectedAt` is the `now` of the check.
 */
export interface DeadlineMissedData {
  occurredAt: string;
  dueAt: string;
  detectedAt: string;
}

export interface DossierEventDataMap {
  'dossier.submitted-online.v1': SubmittedOnlineData;
  'dossier.received.v1': ReceivedData;
  'dossier.refused.v1': RefusedData;
  'dossier.step-recorded.v1': StepRecordedData;
  'dossier.supplement-requested.v1': SupplementRequestedData;
  'dossier.supplement-supplied.v1': SupplementSuppliedData;
  'dossier.payment-requested.v1': PaymentRequestedData;
  'dossier.payment-recorded.v1': PaymentRecordedData;
  'dossier.apology-issued.v1': ApologyIssuedData;
  'dossier.completed.v1': CompletedData;
  'dossier.result-returned.v1': ResultReturnedData;
  'dossier.withdrawn.v1': WithdrawnData;
  'dossier.stopped.v1': StoppedData;
  'dossier.deadline-missed.v1': DeadlineMissedData;
}

export type DossierEventType = keyof DossierEventDataMap;

export type DossierEvent = {
  [T in DossierEventType]: { type: T; data: DossierEventDataMap[T] };
}[DossierEventType];

export type DossierEventOf<T extends DossierEventType> = Extract<DossierEvent, { type: T }>;

// ---- schema checks (hand-written: the domain takes no validation dependency) ----

type FieldCheck = (v: unknown) => boolean;
type Spec = Record<string, { check: FieldCheck; optional?: boolean; what: string }>;

const nonEmpty: FieldCheck = (v) => typeof v === 'string' && v.trim().length > 0 && v.length <= 2000;
const code: FieldCheck = (v) => isValidDossierCode(v);
const instant: FieldCheck = (v) => isIsoUtcInstant(v);
/** Opaque ciphertext of personal data: printable ASCII without spaces, bounded. */
const sealed: FieldCheck = (v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_SEALED_LENGTH && /^[\x21-\x7e]+$/.test(v);
const bool: FieldCheck = (v) => typeof v === 'boolean';
const nonNegInt: FieldCheck = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const nonNegNumber: FieldCheck = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const oneOf =
  (values: readonly string[]): FieldCheck =>
  (v) =>
    typeof v === 'string' && values.includes(v);
const deadline: FieldCheck = (v) => {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return typeof d.value === 'number' && Number.isFinite(d.value) && d.value >= 0 && oneOf(DEADLINE_UNITS)(d.unit);
};

const req = (check: FieldCheck, what: string) => ({ check, what });
const opt = (check: FieldCheck, what: string) => ({ check, what, optional: true });

const SPECS: Record<DossierEventType, Spec> = {
  'dossier.submitted-online.v1': {
    dossierCode: req(code, 'a dossier code'),
    agencyCode: req(nonEmpty, 'a non-empty string'),
    procedureCode: req(nonEmpty, 'a non-empty string'),
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    applicantRef: opt(nonEmpty, 'a non-empty string'),
    applicantSealed: opt(sealed, `printable ASCII without spaces, at most ${MAX_SEALED_LENGTH} characters`),
  },
  'dossier.received.v1': {
    dossierCode: req(code, 'a dossier code'),
    agencyCode: req(nonEmpty, 'a non-empty string'),
    procedureCode: req(nonEmpty, 'a non-empty string'),
    channel: req(oneOf(CHANNELS), `one of ${CHANNELS.join('|')}`),
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    clockStartAt: req(instant, 'an ISO-8601 UTC instant'),
    dueAt: req(instant, 'an ISO-8601 UTC instant'),
    deadline: req(deadline, 'a {value, unit} deadline'),
    calendarVersion: req(nonEmpty, 'a non-empty string'),
    procedureRulesVersion: req(nonEmpty, 'a non-empty string'),
    scoringRuleVersion: req(nonEmpty, 'a non-empty string'),
    applicantRef: opt(nonEmpty, 'a non-empty string'),
    applicantSealed: opt(sealed, `printable ASCII without spaces, at most ${MAX_SEALED_LENGTH} characters`),
    dueAtSource: opt(oneOf(['legacy'] as const), "'legacy'"),
    computedDueAt: opt(instant, 'an ISO-8601 UTC instant'),
  },
  'dossier.refused.v1': {
    dossierCode: req(code, 'a dossier code'),
    agencyCode: req(nonEmpty, 'a non-empty string'),
    procedureCode: req(nonEmpty, 'a non-empty string'),
    channel: req(oneOf(CHANNELS), `one of ${CHANNELS.join('|')}`),
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    reason: req(nonEmpty, 'a non-empty string'),
  },
  'dossier.step-recorded.v1': {
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    kind: req(oneOf(STEP_KINDS), `one of ${STEP_KINDS.join('|')}`),
    fromUnit: req(nonEmpty, 'a non-empty string'),
    toUnit: req(nonEmpty, 'a non-empty string'),
    allottedWorkingHours: opt(nonNegNumber, 'a non-negative number'),
    note: opt(nonEmpty, 'a non-empty string'),
  },
  'dossier.supplement-requested.v1': {
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    reason: req(nonEmpty, 'a non-empty string'),
    dueAt: req(instant, 'an ISO-8601 UTC instant'),
    remainingWorkingMs: req(nonNegInt, 'a non-negative integer'),
  },
  'dossier.supplement-supplied.v1': {
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    previousDueAt: req(instant, 'an ISO-8601 UTC instant'),
    dueAt: req(instant, 'an ISO-8601 UTC instant'),
    pausedWorkingMs: req(nonNegInt, 'a non-negative integer'),
    calendarVersion: req(nonEmpty, 'a non-empty string'),
  },
  'dossier.payment-requested.v1': {
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    amount: opt(nonNegNumber, 'a non-negative number'),
    pausesClock: req(bool, 'a boolean'),
    dueAt: req(instant, 'an ISO-8601 UTC instant'),
    remainingWorkingMs: req(nonNegInt, 'a non-negative integer'),
  },
  'dossier.payment-recorded.v1': {
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    online: req(bool, 'a boolean'),
    amount: opt(nonNegNumber, 'a non-negative number'),
    previousDueAt: req(instant, 'an ISO-8601 UTC instant'),
    dueAt: req(instant, 'an ISO-8601 UTC instant'),
    pausedWorkingMs: req(nonNegInt, 'a non-negative integer'),
    calendarVersion: req(nonEmpty, 'a non-empty string'),
  },
  'dossier.apology-issued.v1': {
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    previousPromisedAt: req(instant, 'an ISO-8601 UTC instant'),
    newPromisedAt: req(instant, 'an ISO-8601 UTC instant'),
    reason: req(nonEmpty, 'a non-empty string'),
  },
  'dossier.completed.v1': {
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    outcome: req(oneOf(OUTCOMES), `one of ${OUTCOMES.join('|')}`),
    electronicResult: req(bool, 'a boolean'),
  },
  'dossier.result-returned.v1': {
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
  },
  'dossier.withdrawn.v1': {
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    reason: opt(nonEmpty, 'a non-empty string'),
  },
  'dossier.stopped.v1': {
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    reason: req(nonEmpty, 'a non-empty string'),
  },
  'dossier.deadline-missed.v1': {
    occurredAt: req(instant, 'an ISO-8601 UTC instant'),
    dueAt: req(instant, 'an ISO-8601 UTC instant'),
    detectedAt: req(instant, 'an ISO-8601 UTC instant'),
  },
};

function checker(type: DossierEventType) {
  const spec = SPECS[type];
  return (data: unknown): string[] => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return ['data must be an object'];
    const d = data as Record<string, unknown>;
    const problems: string[] = [];
    for (const [field, { check, optional, what }] of Object.entries(spec)) {
      const v = d[field];
      if (v === undefined) {
        if (!optional) problems.push(`${field} is required`);
      } else if (!check(v)) {
        problems.push(`${field} must be ${what}`);
      }
    }
    for (const field of Object.keys(d)) {
      if (!(field in spec)) problems.push(`${field} is not a known field`);
    }
    return problems;
  };
}

export interface DossierEventTypeInfo {
  type: DossierEventType;
  /** Schema version, also the `.vN` suffix of the type string. */
  schemaVersion: number;
  /** Problems with `data`, empty when valid. */
  validate(data: unknown): string[];
}

const TYPES = Object.keys(SPECS) as DossierEventType[];

/** Every dossier event type with its schema version and validator: the store/API reject the rest. */
export const DOSSIER_EVENT_REGISTRY: Readonly<Record<DossierEventType, DossierEventTypeInfo>> = Object.freeze(
  Object.fromEntries(
    TYPES.map((type) => [type, Object.freeze({ type, schemaVersion: Number(/\.v(\d+)$/.exec(type)![1]), validate: checker(type) })]),
  ) as Record<DossierEventType, DossierEventTypeInfo>,
);

export const DOSSIER_EVENT_TYPES: readonly DossierEventType[] = TYPES;

export function isDossierEventType(type: unknown): type is DossierEventType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(SPECS, type);
}

/** Problems with an event (unknown type or bad data); empty when valid. */
export function validateDossierEvent(type: string, data: unknown): string[] {
  if (!isDossierEventType(type)) return [`unknown event type '${type}'`];
  return DOSSIER_EVENT_REGISTRY[type].validate(data);
}

/** Narrowing check that throws `InvalidDossierEventError` with every problem found. */
export function assertDossierEvent(type: string, data: unknown): asserts data is DossierEventDataMap[DossierEventType] {
  const problems = validateDossierEvent(type, data);
  if (problems.length > 0) throw new InvalidDossierEventError(type, problems);
}

/**
 * Upcasting hook: turns a stored (older) event into the current shape before `evolve`. Called on
 * every event read from the store. Identity today: there is only v1 of every type.
 */
export type Upcaster = (type: string, data: unknown) => { type: string; data: unknown };

export const upcast: Upcaster = (type, data) => ({ type, data });

/**
 * A stored event as a typed domain event: upcast, then schema-checked. Throws
 * `InvalidDossierEventError` for unknown types or bad data. Use it on everything read from the store.
 */
export function parseDossierEvent(type: string, data: unknown, upcaster: Upcaster = upcast): DossierEvent {
  const current = upcaster(type, data);
  assertDossierEvent(current.type, current.data);
  return { type: current.type, data: current.data } as DossierEvent;
}
