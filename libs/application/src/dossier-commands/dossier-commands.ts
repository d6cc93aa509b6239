import type { WorkingCalendar } from '@motcua/calendar';
import {
  decide,
  dossierStreamId,
  evolve,
  initialState,
  parseDossierEvent,
  type DossierCommand,
  type DossierEvent,
  type DossierState,
  type ProcedureRules,
} from '@motcua/domain';
import { WrongExpectedRevisionError, type EventMetadata, type EventStore, type NewEvent, type RecordedEvent } from '@motcua/event-store';

/**
 * Who or what causes a command, and how its events are to be traced: written as the metadata of every
 * event the command produces. The causation id is the command id unless the caller names another cause
 * (the event or job that led to the command).
 */
export interface CommandOrigin {
  /** The user id, or `system` / `import` for the processes. */
  actor: string;
  correlationId: string;
  /** Idempotency key of the command: the store writes a command id once, ever. */
  commandId?: string;
  /**
   * `store`: the command id names one dossier in the whole store (a client's idempotency key): appending it
   * to another dossier writes nothing and fails with CommandIdTakenError. Default `stream`.
   */
  commandIdScope?: 'stream' | 'store';
  causationId?: string;
  /** The actor's role, when a person acts. */
  role?: string;
  /** Further metadata (e.g. the import's source line). */
  extra?: Record<string, unknown>;
}

/** What the decider needs besides the command and the state. */
export interface DecisionInputs {
  calendar: WorkingCalendar;
  procedure?: ProcedureRules;
}

/** A dossier as loaded: its stream's events and their fold. */
export interface LoadedDossier {
  code: string;
  streamId: string;
  events: RecordedEvent[];
  state: DossierState;
}

/** The result of a command that was appended (or found already appended under its command id). */
export interface CommandOutcome {
  /** Events decided by this call (empty when `duplicate`). */
  events: DossierEvent[];
  /** The state after the command. For a duplicate: the state as of the first write of this command id. */
  state: DossierState;
  /** Revision of the stream's last event of this command. */
  revision: number;
  /** The command id was already written: nothing was appended by this call. */
  duplicate: boolean;
  /** For a duplicate: the last event of the earlier write of this command id (its metadata says what that command was). */
  duplicateOf?: RecordedEvent;
}

/** One step of `execute`: the command to decide on the loaded state, or a result without writing. */
export type CommandPlan<R> = { command: DossierCommand; inputs: DecisionInputs; agencyCode?: string } | { result: R };

export interface ExecuteOptions<R> {
  origin: CommandOrigin;
  /** How many times to load and decide again when another writer appended meanwhile (default 0: the conflict is thrown). */
  retryOnConflict?: number;
  /** A refusal of the decider, mapped to a result (else it is thrown). */
  onRefused?: (error: unknown, state: DossierState) => R | undefined;
}

/** The fold of recorded dossier events, each validated and upcast by the domain. */
export function foldDossier(events: readonly RecordedEvent[]): DossierState {
  let s = initialState;
  for (const e of events) s = evolve(s, parseDossierEvent(e.type, e.data));
  return s;
}

/** The metadata every event of a command carries (occurred-at is in the event, recorded-at added by the store). */
export function commandMetadata(origin: CommandOrigin, agencyCode: string | undefined): EventMetadata {
  return {
    actor: origin.actor,
    ...(agencyCode ? { agencyCode } : {}),
    correlationId: origin.correlationId,
    ...(origin.commandId ? { commandId: origin.commandId } : {}),
    ...(origin.role ? { role: origin.role } : {}),
    ...(origin.extra ?? {}),
    ...((origin.causationId ?? origin.commandId) ? { causationId: origin.causationId ?? origin.commandId } : {}),
  };
}

/**
 * The one application service for dossier commands: load the stream, decide with the pure decider,
 * append with the expected revision and the command id (so a retried command is written once), with the
 * metadata of its origin; on a conflict, load and decide again when the caller asks for it. The API, the
 * worker's deadline watcher, the importer and the test and benchmark writers all go through it.
 */
export class DossierCommands {
  constructor(private readonly store: EventStore) {}

  async load(code: string, opts: { toRevision?: number } = {}): Promise<LoadedDossier> {
    const streamId = dossierStreamId(code);
    const events = await this.store.readStream(streamId, opts.toRevision === undefined ? undefined : { toRevision: opts.toRevision });
    return { code, streamId, events, state: foldDossier(events) };
  }

  /** Decides `command` on `state` (no I/O); the decider's refusals are thrown as they are. */
  decide(command: DossierCommand, state: DossierState, inputs: DecisionInputs): DossierEvent[] {
    return decide(command, state, inputs.procedure ? { calendar: inputs.calendar, procedure: inputs.procedure } : { calendar: inputs.calendar });
  }

  /**
   * Appends events decided on `state` at `expectedRevision` (default: the state's revision; `no_stream`
   * for a new dossier). A command id already written answers `duplicate` with the state as of that write.
   */
  async append(
    code: string,
    state: DossierState,
    decided: readonly DossierEvent[],
    o: { origin: CommandOrigin; agencyCode?: string; expectedRevision?: number | 'no_stream' },
  ): Promise<CommandOutcome> {
    const streamId = dossierStreamId(code);
    const metadata = commandMetadata(o.origin, o.agencyCode ?? state.agencyCode ?? undefined);
    const events: NewEvent[] = decided.map((e) => ({ type: e.type, data: e.data as unknown as Record<string, unknown>, metadata }));
    const expected = o.expectedRevision ?? (state.revision < 0 ? 'no_stream' : state.revision);
    const res = await this.store.append(streamId, events, {
      expectedRevision: expected === -1 ? 'no_stream' : expected,
      ...(o.origin.commandId ? { commandId: o.origin.commandId, commandIdScope: o.origin.commandIdScope ?? 'stream' } : {}),
    });
    if (res.duplicate) {
      const upTo = await this.load(code, { toRevision: res.nextExpectedRevision });
      return { events: [], state: upTo.state, revision: res.nextExpectedRevision, duplicate: true, duplicateOf: upTo.events[upTo.events.length - 1] };
    }
    let next = state;
    for (const e of decided) next = evolve(next, e);
    return { events: [...decided], state: next, revision: res.nextExpectedRevision, duplicate: false };
  }

  /** Decide on `state`, then append (see `append`). */
  async decideAndAppend(
    code: string,
    state: DossierState,
    command: DossierCommand,
    inputs: DecisionInputs,
    o: { origin: CommandOrigin; agencyCode?: string; expectedRevision?: number | 'no_stream' },
  ): Promise<CommandOutcome> {
    return this.append(code, state, this.decide(command, state, inputs), o);
  }

  /**
   * Load, plan, decide, append; again from the load when another writer appended meanwhile, up to
   * `retryOnConflict` times. `plan` sees the current state and returns the command or a result that
   * needs no write (e.g. the command no longer applies).
   */
  async execute<R>(code: string, plan: (loaded: LoadedDossier) => CommandPlan<R>, o: ExecuteOptions<R>): Promise<CommandOutcome | { result: R }> {
    const attempts = 1 + Math.max(0, o.retryOnConflict ?? 0);
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.load(code);
      const p = plan(loaded);
      if ('result' in p) return p;
      let decided: DossierEvent[];
      try {
        decided = this.decide(p.command, loaded.state, p.inputs);
      } catch (err) {
        const mapped = o.onRefused?.(err, loaded.state);
        if (mapped !== undefined) return { result: mapped };
        throw err;
      }
      // Nothing to record (e.g. already recorded): no write.
      if (decided.length === 0) return { events: [], state: loaded.state, revision: loaded.state.revision, duplicate: false };
      try {
        return await this.append(code, loaded.state, decided, { origin: o.origin, agencyCode: p.agencyCode });
      } catch (err) {
        if (err instanceof WrongExpectedRevisionError && attempt < attempts) continue;
        throw err;
      }
    }
  }
}
