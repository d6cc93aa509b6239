/**
 * Procedures (thủ tục hành chính) for tests, in each shape the code takes them: the rules the decider
 * uses, the reference-data events that register and change them, and the bodies of the API's
 * procedure routes. One description, sensible defaults (3 working days, the clock runs while a fee is
 * awaited), so a test states only what matters to it.
 */
import type { Deadline } from '@motcua/calendar';
import type { ProcedureRules } from '@motcua/domain';
import { REF_EVENT, type ProcedureChangedV1, type ProcedureRegisteredV1 } from '@motcua/reference-data';
import type { ReferenceEventFixture } from './reference-events';

export const workingDays = (value: number): Deadline => ({ value, unit: 'working_days' });
export const workingHours = (value: number): Deadline => ({ value, unit: 'working_hours' });

export interface ProcedureFixture {
  code: string;
  /** Default `Thủ tục <code>`. */
  name?: string;
  /** Default 3 working days. */
  deadline?: Deadline;
  /** Local `HH:mm` after which a receipt starts the clock the next working day; default none. */
  cutoffTime?: string;
  /** Default false. */
  paymentPausesClock?: boolean;
  /** The rules version the decider records at receipt; default `<code>@test`. */
  version?: string;
}

const DEFAULT_DEADLINE = workingDays(3);

/** The rules the decider takes (`DecideContext.procedure`). */
export function procedureRules(p: ProcedureFixture): ProcedureRules {
  return {
    code: p.code,
    deadline: p.deadline ?? DEFAULT_DEADLINE,
    ...(p.cutoffTime !== undefined ? { cutoffTime: p.cutoffTime } : {}),
    paymentPausesClock: p.paymentPausesClock ?? false,
    version: p.version ?? `${p.code}@test`,
  };
}

/** Rules keyed by procedure code, as the dossier writers look them up. */
export function procedureTable(...procedures: ProcedureFixture[]): Record<string, ProcedureRules> {
  return Object.fromEntries(procedures.map((p) => [p.code, procedureRules(p)]));
}

/** The attributes of the reference-data events and of the API's bodies (a cut-off is sent only when set). */
function attributes(p: ProcedureFixture) {
  const deadline = p.deadline ?? DEFAULT_DEADLINE;
  return {
    name: p.name ?? `Thủ tục ${p.code}`,
    deadlineValue: deadline.value,
    deadlineUnit: deadline.unit,
    ...(p.cutoffTime !== undefined ? { cutoffTime: p.cutoffTime } : {}),
    paymentPausesClock: p.paymentPausesClock ?? false,
  };
}

/** The body of `POST /api/procedures`. */
export function registerProcedureBody(p: ProcedureFixture) {
  return { code: p.code, ...attributes(p) };
}

/** The body of `PUT /api/procedures/:code`: new rules from a date. */
export function changeProcedureBody(p: ProcedureFixture, effectiveFrom: string) {
  return { ...attributes(p), effectiveFrom };
}

/** `procedure.registered.v1`, open from `effectiveFrom` (default: since always), rules version 1 unless told. */
export function procedureRegistered(
  p: ProcedureFixture,
  o: { effectiveFrom?: string | null; rulesVersion?: number } = {},
): ReferenceEventFixture<typeof REF_EVENT.procedureRegistered, ProcedureRegisteredV1> {
  const data = { code: p.code, cutoffTime: null, ...attributes(p), effectiveFrom: o.effectiveFrom ?? null, rulesVersion: o.rulesVersion ?? 1 };
  return { type: REF_EVENT.procedureRegistered, data };
}

/** `procedure.changed.v1`: the full new rules from `effectiveFrom`. */
export function procedureChanged(
  p: ProcedureFixture,
  o: { effectiveFrom: string; rulesVersion: number },
): ReferenceEventFixture<typeof REF_EVENT.procedureChanged, ProcedureChangedV1> {
  const data = { code: p.code, cutoffTime: null, ...attributes(p), effectiveFrom: o.effectiveFrom, rulesVersion: o.rulesVersion };
  return { type: REF_EVENT.procedureChanged, data };
}
