/**
 * The decider: `decide(command, state, context)` returns the events a command produces, or throws a
 * `DomainError` and produces none. Clock arithmetic happens here (never in `evolve`), with the
 * calendar in the context; its results are written into the events.
 */
import type { DeadlineRules, DeadlineUnit, EpochMs, WorkingCalendar } from '@motcua/calendar';
import type { DecideContext, DossierCommand, ProcedureRules } from './commands';
import type { DossierEvent } from './events';
import { CHANNELS, DEADLINE_UNITS, MAX_SEALED_LENGTH, OUTCOMES, STEP_KINDS } from './events';
import { DeadlineNotPassedError, IllegalTransitionError, InvalidCommandError } from './errors';
import { ALLOWED_FROM, DOSSIER_ACTIONS, type DossierAction } from './status';
import type { DossierState, ClockPause } from './state';
import { isValidDossierCode } from './dossier-code';
import { DEFAULT_SCORING_RULE_VERSION, SCORING_RULES, overdueFrom } from './classification';
import { iso, ms, parseInstant } from './time';

// ---- value checks ----

function text(action: string, field: string, v: unknown, optional = false): string | undefined {
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > 2000) {
    throw new InvalidCommandError(action, field, 'must be a non-empty string (at most 2000 characters)');
  }
  return v;
}

/** Ciphertext travels only with the ref it was sealed under (the ref is its associated data). */
function sealedApplicant(action: string, v: unknown, ref: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_SEALED_LENGTH || !/^[\x21-\x7e]+$/.test(v)) {
    throw new InvalidCommandError(action, 'applicantSealed', `must be printable ASCII without spaces (at most ${MAX_SEALED_LENGTH} characters)`);
  }
  if (ref === undefined) throw new InvalidCommandError(action, 'applicantSealed', 'needs applicantRef in the same command');
  return v;
}

function oneOf<T extends string>(action: string, field: string, v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) {
    throw new InvalidCommandError(action, field, `must be one of ${values.join('|')}`);
  }
  return v as T;
}

function bool(action: string, field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidCommandError(action, field, 'must be a boolean');
  return v;
}

function nonNegNumber(action: string, field: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new InvalidCommandError(action, field, 'must be a non-negative number');
  }
  return v;
}

function dossierCode(action: string, v: unknown): string {
  if (!isValidDossierCode(v)) {
    throw new InvalidCommandError(action, 'dossierCode', 'must be 1-64 printable characters without whitespace');
  }
  return v;
}

function procedureRules(action: string, context: DecideContext, procedureCode: string | null): ProcedureRules {
  const p = context.procedure;
  if (!p) throw new InvalidCommandError(action, 'context.procedure', 'is required');
  if (procedureCode !== null && p.code !== procedureCode) {
    throw new InvalidCommandError(action, 'context.procedure', `is for '${p.code}', the dossier's procedure is '${procedureCode}'`);
  }
  const d = p.deadline;
  if (!d || typeof d.value !== 'number' || !Number.isFinite(d.value) || d.value < 0 || !DEADLINE_UNITS.includes(d.unit)) {
    throw new InvalidCommandError(action, 'context.procedure.deadline', 'must be {value >= 0, unit}');
  }
  text(action, 'context.procedure.version', p.version);
  if (p.cutoffTime !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(p.cutoffTime)) {
    throw new InvalidCommandError(action, 'context.procedure.cutoffTime', 'must be HH:mm');
  }
  return p;
}

/** occurredAt may not precede the instant the dossier entered its current status (or its receipt). */
function notBefore(action: string, field: string, t: EpochMs, floor: string | null, floorName: string): void {
  if (floor !== null && t < ms(floor)) {
    throw new InvalidCommandError(action, field, `must not be before ${floorName} (${floor})`);
  }
}

function occurredAt(action: string, v: unknown, state: DossierState): EpochMs {
  const t = parseInstant(action, 'occurredAt', v);
  notBefore(action, 'occurredAt', t, state.submittedAt, 'the online submission');
  notBefore(action, 'occurredAt', t, state.receivedAt, 'the receipt');
  notBefore(action, 'occurredAt', t, state.paused?.since ?? null, 'the pause');
  if (state.status === 'awaiting_payment') notBefore(action, 'occurredAt', t, state.paymentRequestedAt, 'the payment request');
  notBefore(action, 'occurredAt', t, state.completedAt, 'the completion');
  return t;
}

// ---- clock arithmetic (calendar-backed, results go into events) ----

/** Working time left until the due date when the clock pauses at `t` (0 when already due). */
function remainingAt(calendar: WorkingCalendar, t: EpochMs, dueAt: string): number {
  const due = ms(dueAt);
  return t < due ? Math.max(0, Math.round(calendar.workingTimeBetween(t, due))) : 0;
}

/**
 * Resuming a paused clock: the due date moves out by the paused working time, i.e. the remaining
 * working time counts again from the next working instant after `t` (spec "The clock":
 * supplementation pauses the clock). A dossier already late when it paused keeps its due date: a pause
 * cannot make a late dossier on time. "Late" is the classification's own rule (`overdueFrom`): for a
 * deadline in days, a dossier paused on its due date after the due hour was not late yet, so it gets
 * its standing back (the remaining time, none, counts from the resumption: due on the day it resumes);
 * for a deadline in working hours, late is the first instant past the due instant.
 */
function resume(calendar: WorkingCalendar, pause: ClockPause, t: EpochMs, dueAt: string, unit: DeadlineUnit | undefined) {
  const since = ms(pause.since);
  const pausedWorkingMs = Math.max(0, Math.round(calendar.workingTimeBetween(since, t)));
  const lateWhenPaused = since >= overdueFrom(dueAt, calendar, unit);
  const newDue = lateWhenPaused ? ms(dueAt) : calendar.addWorkingTime(calendar.nextWorkingInstant(t), pause.remainingWorkingMs);
  return { pausedWorkingMs, dueAt: iso(newDue), previousDueAt: dueAt, calendarVersion: calendar.version };
}

// ---- the decider ----

function assertAllowed(state: DossierState, action: DossierAction): void {
  if (!ALLOWED_FROM[action].includes(state.status)) throw new IllegalTransitionError(state.status, action);
}

export function decide(command: DossierCommand, state: DossierState, context: DecideContext): DossierEvent[] {
  if (typeof command !== 'object' || command === null || !DOSSIER_ACTIONS.includes((command as { type: DossierAction }).type)) {
    throw new InvalidCommandError(String((command as { type?: unknown } | null)?.type ?? 'unknown'), 'type', 'is not a known action');
  }
  const action = command.type;
  assertAllowed(state, action);
  const { calendar } = context;

  switch (command.type) {
    case 'submit_online': {
      const t = occurredAt(action, command.occurredAt, state);
      return [
        {
          type: 'dossier.submitted-online.v1',
          data: {
            dossierCode: dossierCode(action, command.dossierCode),
            agencyCode: text(action, 'agencyCode', command.agencyCode)!,
            procedureCode: text(action, 'procedureCode', command.procedureCode)!,
            occurredAt: iso(t),
            ...optional('applicantRef', text(action, 'applicantRef', command.applicantRef, true)),
            ...optional('applicantSealed', sealedApplicant(action, command.applicantSealed, command.applicantRef)),
          },
        },
      ];
    }

    case 'receive': {
      const code = dossierCode(action, command.dossierCode);
      const agencyCode = text(action, 'agencyCode', command.agencyCode)!;
      const procedureCode = text(action, 'procedureCode', command.procedureCode)!;
      const channel = oneOf(action, 'channel', command.channel, CHANNELS);
      const applicantRef = text(action, 'applicantRef', command.applicantRef, true) ?? state.applicantRef ?? undefined;
      const scoringRuleVersion = command.scoringRuleVersion ?? DEFAULT_SCORING_RULE_VERSION;
      if (!Object.prototype.hasOwnProperty.call(SCORING_RULES, scoringRuleVersion)) {
        throw new InvalidCommandError(action, 'scoringRuleVersion', `'${scoringRuleVersion}' is not a known scoring rule`);
      }
      if (state.status === 'submitted_online') {
        if (code !== state.dossierCode) {
          throw new InvalidCommandError(action, 'dossierCode', `must be the submitted dossier's code '${state.dossierCode}'`);
        }
        if (channel !== 'online') throw new InvalidCommandError(action, 'channel', "must be 'online' for an online submission");
      }
      const p = procedureRules(action, context, procedureCode);
      const t = occurredAt(action, command.occurredAt, state);
      const rules: DeadlineRules = { deadline: { ...p.deadline }, ...(p.cutoffTime ? { cutoffTime: p.cutoffTime } : {}) };
      return [
        {
          type: 'dossier.received.v1',
          data: {
            dossierCode: code,
            agencyCode,
            procedureCode,
            channel,
            occurredAt: iso(t),
            clockStartAt: iso(calendar.clockStart(t, p.cutoffTime)),
            ...dueAtOf(action, command.recordedDueAt, t, calendar.dueAt(t, rules)),
            deadline: { value: p.deadline.value, unit: p.deadline.unit },
            calendarVersion: calendar.version,
            procedureRulesVersion: p.version,
            scoringRuleVersion,
            ...optional('applicantRef', applicantRef),
            ...optional('applicantSealed', sealedApplicant(action, command.applicantSealed, command.applicantRef)),
          },
        },
      ];
    }

    case 'refuse': {
      const code = dossierCode(action, command.dossierCode);
      if (state.status === 'submitted_online' && code !== state.dossierCode) {
        throw new InvalidCommandError(action, 'dossierCode', `must be the submitted dossier's code '${state.dossierCode}'`);
      }
      const channel = oneOf(action, 'channel', command.channel, CHANNELS);
      if (state.status === 'submitted_online' && channel !== 'online') {
        throw new InvalidCommandError(action, 'channel', "must be 'online' for an online submission");
      }
      return [
        {
          type: 'dossier.refused.v1',
          data: {
            dossierCode: code,
            agencyCode: text(action, 'agencyCode', command.agencyCode)!,
            procedureCode: text(action, 'procedureCode', command.procedureCode)!,
            channel,
            occurredAt: iso(occurredAt(action, command.occurredAt, state)),
            reason: text(action, 'reason', command.reason)!,
          },
        },
      ];
    }

    case 'record_step':
      return [
        {
          type: 'dossier.step-recorded.v1',
          data: {
            occurredAt: iso(occurredAt(action, command.occurredAt, state)),
            kind: oneOf(action, 'kind', command.kind, STEP_KINDS),
            fromUnit: text(action, 'fromUnit', command.fromUnit)!,
            toUnit: text(action, 'toUnit', command.toUnit)!,
            ...optional('allottedWorkingHours', nonNegNumber(action, 'allottedWorkingHours', command.allottedWorkingHours)),
            ...optional('note', text(action, 'note', command.note, true)),
          },
        },
      ];

    case 'request_supplement': {
      const t = occurredAt(action, command.occurredAt, state);
      const dueAt = state.dueAt!;
      return [
        {
          type: 'dossier.supplement-requested.v1',
          data: {
            occurredAt: iso(t),
            reason: text(action, 'reason', command.reason)!,
            dueAt,
            remainingWorkingMs: remainingAt(calendar, t, dueAt),
          },
        },
      ];
    }

    case 'supply_supplement': {
      const t = occurredAt(action, command.occurredAt, state);
      return [
        { type: 'dossier.supplement-supplied.v1', data: { occurredAt: iso(t), ...resume(calendar, state.paused!, t, state.dueAt!, state.deadline?.unit) } },
      ];
    }

    case 'request_payment': {
      const t = occurredAt(action, command.occurredAt, state);
      const p = procedureRules(action, context, state.procedureCode);
      const pausesClock = bool(action, 'context.procedure.paymentPausesClock', p.paymentPausesClock);
      const dueAt = state.dueAt!;
      return [
        {
          type: 'dossier.payment-requested.v1',
          data: {
            occurredAt: iso(t),
            ...optional('amount', nonNegNumber(action, 'amount', command.amount)),
            pausesClock,
            dueAt,
            remainingWorkingMs: pausesClock ? remainingAt(calendar, t, dueAt) : 0,
          },
        },
      ];
    }

    case 'record_payment': {
      const t = occurredAt(action, command.occurredAt, state);
      const online = bool(action, 'online', command.online);
      const amount = nonNegNumber(action, 'amount', command.amount);
      const clock = state.paused
        ? resume(calendar, state.paused, t, state.dueAt!, state.deadline?.unit)
        : { previousDueAt: state.dueAt!, dueAt: state.dueAt!, pausedWorkingMs: 0, calendarVersion: calendar.version };
      return [{ type: 'dossier.payment-recorded.v1', data: { occurredAt: iso(t), online, ...optional('amount', amount), ...clock } }];
    }

    case 'issue_apology': {
      const t = occurredAt(action, command.occurredAt, state);
      const promised = parseInstant(action, 'newPromisedAt', command.newPromisedAt);
      if (promised <= t) throw new InvalidCommandError(action, 'newPromisedAt', 'must be after the apology is issued');
      return [
        {
          type: 'dossier.apology-issued.v1',
          data: {
            occurredAt: iso(t),
            previousPromisedAt: state.promisedAt!,
            newPromisedAt: iso(promised),
            reason: text(action, 'reason', command.reason)!,
          },
        },
      ];
    }

    case 'complete':
      return [
        {
          type: 'dossier.completed.v1',
          data: {
            occurredAt: iso(occurredAt(action, command.occurredAt, state)),
            outcome: oneOf(action, 'outcome', command.outcome, OUTCOMES),
            electronicResult: bool(action, 'electronicResult', command.electronicResult),
          },
        },
      ];

    case 'return_result':
      return [{ type: 'dossier.result-returned.v1', data: { occurredAt: iso(occurredAt(action, command.occurredAt, state)) } }];

    case 'withdraw':
      return [
        {
          type: 'dossier.withdrawn.v1',
          data: {
            occurredAt: iso(occurredAt(action, command.occurredAt, state)),
            ...optional('reason', text(action, 'reason', command.reason, true)),
          },
        },
      ];

    case 'stop':
      return [
        {
          type: 'dossier.stopped.v1',
          data: { occurredAt: iso(occurredAt(action, command.occurredAt, state)), reason: text(action, 'reason', command.reason)! },
        },
      ];

    case 'mark_deadline_missed': {
      // A paused clock cannot run out (payment pauses only where the procedure says so).
      if (state.paused) throw new IllegalTransitionError(state.status, action, 'the clock is paused');
      const now = parseInstant(action, 'now', command.now);
      const dueAt = state.dueAt!;
      if (state.deadlineMissedFor.includes(dueAt)) return []; // idempotent per dueAt
      const lateFrom = overdueFrom(dueAt, calendar, state.deadline?.unit);
      if (now < lateFrom) throw new DeadlineNotPassedError(dueAt, iso(now));
      return [{ type: 'dossier.deadline-missed.v1', data: { occurredAt: iso(lateFrom), dueAt, detectedAt: iso(now) } }];
    }
  }
}

/**
 * The received event's due date: the computed one, or a legacy system's recorded promise (kept, with the
 * computed date beside it when they differ).
 */
function dueAtOf(action: string, recorded: unknown, receivedAt: EpochMs, computed: EpochMs) {
  if (recorded === undefined) return { dueAt: iso(computed) };
  const kept = parseInstant(action, 'recordedDueAt', recorded);
  if (kept < receivedAt) throw new InvalidCommandError(action, 'recordedDueAt', 'must not be before the receipt');
  if (kept === computed) return { dueAt: iso(computed) };
  return { dueAt: iso(kept), dueAtSource: 'legacy' as const, computedDueAt: iso(computed) };
}

/** `{ [key]: value }` when value is defined, else `{}`: keeps absent optionals out of event data. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
