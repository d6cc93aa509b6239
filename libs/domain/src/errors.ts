/**
 * Typed domain errors. The API maps `code` to an HTTP status; the message is for logs and humans.
 * A decision that throws never produces events.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The attempted action is not allowed from the dossier's current state (e.g. `complete` from `none`). */
export class IllegalTransitionError extends DomainError {
  readonly code = 'ILLEGAL_TRANSITION' as const;
  constructor(
    readonly state: string,
    readonly action: string,
    detail?: string,
  ) {
    super(`action '${action}' is not allowed in state '${state}'${detail ? `: ${detail}` : ''}`);
  }
}

/** A command value is malformed or inconsistent (bad instant, occurredAt before receipt, missing rules...). */
export class InvalidCommandError extends DomainError {
  readonly code = 'INVALID_COMMAND' as const;
  constructor(
    readonly action: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`invalid '${action}' command: ${field} ${reason}`);
  }
}

/** `mark_deadline_missed` before the dossier is late by the domain's clock (the day after its due date). */
export class DeadlineNotPassedError extends DomainError {
  readonly code = 'DEADLINE_NOT_PASSED' as const;
  constructor(
    readonly dueAt: string,
    readonly now: string,
  ) {
    super(`deadline ${dueAt} has not passed at ${now}`);
  }
}

/** An event that is not in the registry, or whose data fails its schema check. */
export class InvalidDossierEventError extends DomainError {
  readonly code = 'INVALID_EVENT' as const;
  constructor(
    readonly type: string,
    readonly problems: string[],
  ) {
    super(`invalid event '${type}': ${problems.join('; ')}`);
  }
}

/** A scoring rule version this code does not know: classification cannot be reproduced. */
export class UnknownScoringRuleError extends DomainError {
  readonly code = 'UNKNOWN_SCORING_RULE' as const;
  constructor(readonly version: string) {
    super(`unknown scoring rule version '${version}'`);
  }
}
