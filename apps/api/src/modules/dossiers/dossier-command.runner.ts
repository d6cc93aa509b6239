import { Inject, Injectable } from '@nestjs/common';
import { calendarForHours, type WorkingCalendar } from '@motcua/calendar';
import {
  ALLOWED_FROM,
  decide,
  dossierStreamId,
  DossierState,
  IllegalTransitionError,
  InvalidCommandError,
  type DossierCommand,
  type ProcedureRules,
} from '@motcua/domain';
import { DossierCommands, type CommandOrigin } from '@motcua/application';
import { CommandIdTakenError, EVENT_STORE, EventStore, RecordedEvent, WrongExpectedRevisionError } from '@motcua/event-store';
import { APP_CONFIG, CLOCK, Clock, vnDate, type AppConfig } from '@motcua/platform';
import { AgencyScope } from '@motcua/application';
import { checkExpectedRevision, CommandContext } from '../../shared/command/command-context';
import { ApiError } from '@motcua/platform';
import { ReferenceDataService } from '@motcua/application';
import type { ReferenceData } from '@motcua/reference-data';
import { agencyCalendar, agencyOn, dossierCalendar, procedureOn, procedureRulesOf, recordedProcedureRules } from './model/dossier-reference';
import { commandResponse, DossierCommandResponse, foldRecorded } from './model/views';

/** Domain field names that the wire calls otherwise. */
const WIRE_FIELD: Record<string, string> = { dossierCode: 'code' };

/** Refusals that depend on reference data (the agency tree for scope, agencies and procedures by date). */
const REFERENCE_MISSES: ReadonlySet<string> = new Set(['FORBIDDEN', 'UNKNOWN_AGENCY', 'UNKNOWN_PROCEDURE']);

/** What a handler of an action on an existing dossier provides. */
export interface ActionSpec {
  /** The domain command, built from the DTO (and the state, where it needs it). */
  command: (state: DossierState) => DossierCommand;
  /** request_payment: needs the procedure rules recorded at receipt. */
  needsProcedure?: boolean;
}

/** What a handler of a command that may start a dossier (receive, submit online, refuse) provides. */
export interface StartSpec {
  code: string;
  agencyCode: string;
  procedureCode: string;
  occurredAt: string;
  command: DossierCommand;
  /** Refusal at intake may name a procedure that is not (or no longer) in force: that can be the reason. */
  procedureMustExist: boolean;
}

/**
 * The one path every dossier command of the API takes: load the stream, fold, check scope, answer retries
 * from the stream, check If-Match, decide with the calendar and rules recorded at receipt, append with the
 * expected revision and the command id (through the application's DossierCommands, as every writer of
 * dossier events). Handlers only translate their DTO into a domain command.
 */
@Injectable()
export class DossierCommandRunner {
  private readonly commands: DossierCommands;
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly scope: AgencyScope,
    private readonly ref: ReferenceDataService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.commands = new DossierCommands(store);
  }

  /**
   * A command records what happened: its `occurredAt` may not lie more than OCCURRED_AT_MAX_FUTURE_SECONDS
   * past the server's clock (the domain has no clock; the application has).
   */
  private assertNotInFuture(command: DossierCommand): void {
    const at = (command as { occurredAt?: unknown }).occurredAt;
    if (typeof at !== 'string') return;
    const t = Date.parse(at);
    const limit = this.clock.now().getTime() + this.config.occurredAtMaxFutureSeconds * 1000;
    if (Number.isFinite(t) && t > limit) {
      const message = `is in the future (more than ${this.config.occurredAtMaxFutureSeconds} s after the server's clock)`;
      throw new ApiError(422, 'INVALID_COMMAND', `occurredAt ${message}`, [{ field: 'occurredAt', message }], undefined, {
        action: command.type,
        field: 'occurredAt',
      });
    }
  }

  /** An action on an existing dossier: 404 when unknown, 403 outside the clerk's agency subtree. */
  act(code: string, ctx: CommandContext, spec: ActionSpec): Promise<DossierCommandResponse> {
    return this.withFreshReference(() => this.actOnce(code, ctx, spec));
  }

  /** Receive / submit online / refuse: the stream may not exist yet. An existing code is 409 DUPLICATE. */
  start(ctx: CommandContext, spec: StartSpec): Promise<DossierCommandResponse> {
    return this.withFreshReference(() => this.startOnce(ctx, spec));
  }

  /**
   * Reference data is read after this instance's own writes and polled for the others' (REFERENCE_POLL_MS):
   * an agency or procedure registered a moment ago through another API process, another instance or the CLI
   * may not be here yet. Before answering that it is unknown, or that the clerk's subtree does not hold it,
   * read the reference streams once more and decide again. Nothing was written before these refusals.
   */
  private async withFreshReference<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof ApiError) || !REFERENCE_MISSES.has(err.code)) throw err;
      await this.ref.refresh();
      return run();
    }
  }

  private async actOnce(code: string, ctx: CommandContext, spec: ActionSpec): Promise<DossierCommandResponse> {
    const streamId = dossierStreamId(code);
    const events = await this.store.readStream(streamId);
    if (events.length === 0) throw ApiError.notFound(`dossier '${code}' does not exist`);
    const state = foldRecorded(events);
    this.assertCanWrite(ctx, state.agencyCode!);
    const replay = this.answerRetry(code, events, ctx);
    if (replay) return replay;
    const expected = checkExpectedRevision(ctx, state.revision);
    const command = spec.command(state);
    this.assertNotInFuture(command);
    // Before any reference lookup: a refused dossier has no receipt to take rules from, and the answer
    // to an action the state does not allow is 422 ILLEGAL_TRANSITION whatever the reference data says.
    if (!ALLOWED_FROM[command.type].includes(state.status)) throw new IllegalTransitionError(state.status, command.type);
    const model = this.ref.ready();
    const calendar = dossierCalendar(state) ?? this.calendarOf(model, state.agencyCode!, (command as { occurredAt: string }).occurredAt);
    const procedure = spec.needsProcedure ? recordedProcedureRules(model, state, calendar.localDate(Date.parse(state.receivedAt!))) : undefined;
    return this.decideAndAppend(code, state, expected, command, calendar, procedure, ctx);
  }

  private async startOnce(ctx: CommandContext, spec: StartSpec): Promise<DossierCommandResponse> {
    this.assertNotInFuture(spec.command);
    if (ctx.expectedRevision === undefined) {
      const created = await this.tryStartNew(ctx, spec);
      if (created) return created;
    }
    return this.startChecked(ctx, spec);
  }

  /**
   * The common case, a new code, without reading its stream first: decide on the empty stream and append with
   * `no_stream` and the command id, which the store checks in the same transaction. Only a clean first write is
   * answered here. Anything else (the stream exists, a retry of a command already written, any refusal) wrote
   * nothing and goes through `startChecked`, which reads the stream and answers exactly as if this attempt had
   * not been made: the same checks in the same order, the same errors.
   */
  private async tryStartNew(ctx: CommandContext, spec: StartSpec): Promise<DossierCommandResponse | undefined> {
    if (!this.scope.canWrite(ctx.actor, spec.agencyCode)) return undefined;
    const model = this.ref.ready();
    const date = vnDate(new Date(spec.occurredAt));
    const agency = model.agencyAsOf(spec.agencyCode, date);
    if (!agency) return undefined;
    let procedure: ProcedureRules | undefined;
    if (spec.procedureMustExist) {
      const rules = model.procedureRulesAsOf(spec.procedureCode, date);
      if (!rules) return undefined;
      procedure = procedureRulesOf(rules);
    }
    const state = foldRecorded([]);
    let decided;
    try {
      decided = decide(spec.command, state, { calendar: agencyCalendar(agency), ...(procedure ? { procedure } : {}) });
    } catch {
      return undefined;
    }
    let res;
    try {
      res = await this.commands.append(spec.code, state, decided, {
        origin: originOf(ctx),
        agencyCode: this.agencyOf(state, spec.command, ctx),
        expectedRevision: 'no_stream',
      });
    } catch (err) {
      // The key already names another dossier: startChecked refuses it after the checks that come first.
      if (err instanceof WrongExpectedRevisionError || err instanceof CommandIdTakenError) return undefined;
      throw err;
    }
    if (res.duplicate) return undefined;
    return commandResponse(spec.code, res.state, res.revision);
  }

  private async startChecked(ctx: CommandContext, spec: StartSpec): Promise<DossierCommandResponse> {
    this.assertCanWrite(ctx, spec.agencyCode);
    const streamId = dossierStreamId(spec.code);
    const events = await this.store.readStream(streamId);
    const state = foldRecorded(events);
    if (events.length > 0) {
      this.assertCanWrite(ctx, state.agencyCode!);
      const replay = this.answerRetry(spec.code, events, ctx);
      if (replay) return replay;
      if (!ALLOWED_FROM[spec.command.type].includes(state.status)) {
        throw new ApiError(409, 'DUPLICATE', `dossier '${spec.code}' already exists (state '${state.status}')`, undefined, undefined, {
          state: state.status,
          action: spec.command.type,
        });
      }
      if (state.agencyCode !== spec.agencyCode) {
        const message = `must be the agency of the online submission ('${state.agencyCode}')`;
        throw new ApiError(422, 'INVALID_COMMAND', `agencyCode ${message}`, [{ field: 'agencyCode', message }], undefined, {
          action: spec.command.type,
          field: 'agencyCode',
        });
      }
    }
    const expected = checkExpectedRevision(ctx, state.revision);
    const model = this.ref.ready();
    const date = vnDate(new Date(spec.occurredAt));
    const calendar = agencyCalendar(agencyOn(model, spec.agencyCode, date));
    let procedure: ProcedureRules | undefined;
    if (spec.procedureMustExist) procedure = procedureOn(model, spec.procedureCode, date);
    try {
      return await this.decideAndAppend(spec.code, state, expected, spec.command, calendar, procedure, ctx);
    } catch (err) {
      // Two counters receiving the same code at once: the loser sees the stream created under it.
      if (err instanceof WrongExpectedRevisionError && expected === -1) {
        const now = await this.store.readStream(streamId);
        const replay = this.answerRetry(spec.code, now, ctx);
        if (replay) return replay;
        throw new ApiError(409, 'DUPLICATE', `dossier '${spec.code}' was just created by another request`, undefined, undefined, { action: spec.command.type });
      }
      throw err;
    }
  }

  private calendarOf(model: ReferenceData, agencyCode: string, occurredAt: string | undefined): WorkingCalendar {
    const at = occurredAt && Number.isFinite(Date.parse(occurredAt)) ? new Date(occurredAt) : this.clock.now();
    const agency = model.agencyAsOf(agencyCode, vnDate(at));
    return agency ? agencyCalendar(agency) : calendarForHours(null);
  }

  private assertCanWrite(ctx: CommandContext, agencyCode: string): void {
    if (!this.scope.canWrite(ctx.actor, agencyCode)) {
      throw ApiError.forbidden(`${ctx.actor.role} '${ctx.actor.sub}' may not write for agency '${agencyCode}'`);
    }
  }

  /**
   * A command already applied (same command id): the same answer as the first time, from the stream. A command
   * an earlier release wrote under the unscoped id `<sub>:<key>` is recognised as well, within the idempotency
   * TTL of its writing (what that release promised, for as long as it promised it).
   */
  private answerRetry(code: string, events: RecordedEvent[], ctx: CommandContext): DossierCommandResponse | undefined {
    const legacySince = ctx.legacyCommandId ? this.clock.now().getTime() - this.config.idempotencyTtlSeconds * 1000 : undefined;
    for (let i = events.length - 1; i >= 0; i--) {
      const id = events[i].metadata.commandId;
      if (id === ctx.commandId || (legacySince !== undefined && id === ctx.legacyCommandId && Date.parse(events[i].recordedAt) >= legacySince)) {
        assertSameCommand(events[i], ctx);
        return commandResponse(code, foldRecorded(events.slice(0, i + 1)), events[i].revision);
      }
    }
    return undefined;
  }

  /** The agency the events are recorded for: the dossier's, the command's, else the actor's. */
  private agencyOf(state: DossierState, command: DossierCommand, ctx: CommandContext): string | undefined {
    return state.agencyCode ?? (command as { agencyCode?: string }).agencyCode ?? ctx.actor.agency;
  }

  private async decideAndAppend(
    code: string,
    state: DossierState,
    expected: number,
    command: DossierCommand,
    calendar: WorkingCalendar,
    procedure: ProcedureRules | undefined,
    ctx: CommandContext,
  ): Promise<DossierCommandResponse> {
    let decided;
    try {
      decided = decide(command, state, { calendar, ...(procedure ? { procedure } : {}) });
    } catch (err) {
      if (err instanceof InvalidCommandError) {
        const field = WIRE_FIELD[err.field] ?? err.field;
        throw new ApiError(422, 'INVALID_COMMAND', `${field} ${err.reason}`, [{ field, message: err.reason }], undefined, { action: err.action, field });
      }
      throw err; // IllegalTransitionError etc.: mapped by code (422 with state and action)
    }
    // A duplicate is a concurrent retry of this very command that got there first: the answer is what it wrote.
    let res;
    try {
      res = await this.commands.append(code, state, decided, {
        origin: originOf(ctx),
        agencyCode: this.agencyOf(state, command, ctx),
        expectedRevision: expected < 0 ? 'no_stream' : expected,
      });
    } catch (err) {
      if (err instanceof CommandIdTakenError) throw keyReused('this idempotency key was already used for a command on another dossier');
      throw err;
    }
    if (res.duplicateOf) assertSameCommand(res.duplicateOf, ctx);
    return commandResponse(code, res.state, res.revision);
  }
}

/**
 * An idempotency key names one command: the events an earlier write of this command id left carry that
 * command's fingerprint, and a different command under the same key is refused, whether or not the
 * idempotency cache still remembers the key (events written before fingerprints were recorded carry none).
 */
function assertSameCommand(earlier: RecordedEvent, ctx: CommandContext): void {
  const recorded = earlier.metadata.commandFingerprint;
  if (typeof recorded === 'string' && ctx.fingerprint !== undefined && recorded !== ctx.fingerprint) {
    throw keyReused('this idempotency key was already used for a different command');
  }
}

function keyReused(message: string): ApiError {
  return new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', message);
}

/** The origin of a command sent over HTTP: the token's subject and role, the request's correlation id, the command id. */
function originOf(ctx: CommandContext): CommandOrigin {
  return {
    actor: ctx.actor.sub,
    correlationId: ctx.correlationId,
    commandId: ctx.commandId,
    role: ctx.actor.role,
    // A client's key names one dossier in the whole store, with or without the idempotency cache.
    ...(ctx.idempotencyKey ? { commandIdScope: 'store' as const } : {}),
    ...(ctx.fingerprint ? { extra: { commandFingerprint: ctx.fingerprint } } : {}),
  };
}
