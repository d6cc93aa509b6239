import { createWorkingCalendar, type WorkingCalendar } from '@motcua/calendar';
import { initialState, type DossierCommand, type DossierState, type ProcedureRules } from '@motcua/domain';
import type { CommandOutcome, DossierCommands } from '@motcua/application';
import type { EventStore } from '@motcua/event-store';
import { dossierCommands } from './service';

export interface DossierWriterOptions {
  /** The rules of each procedure, by code (see `procedureTable`). */
  procedures?: Record<string, ProcedureRules>;
  /** Default: the default working calendar. */
  calendar?: WorkingCalendar;
  /** The actor the events' metadata names (default `test-clerk`). */
  actor?: string;
  /** The correlation id of a command on a dossier (default: the dossier code). */
  correlationId?: (code: string) => string;
}

/**
 * Writes dossiers as the counter API does: each command decided by the real decider on the stream as it
 * is in the store (another writer, e.g. the deadline worker, may have appended meanwhile), appended with
 * the expected revision through `DossierCommands`.
 */
export class DossierWriter {
  private readonly commands: DossierCommands;
  private readonly states = new Map<string, DossierState>();
  readonly calendar: WorkingCalendar;

  constructor(
    store: EventStore,
    private readonly o: DossierWriterOptions = {},
  ) {
    this.commands = dossierCommands(store);
    this.calendar = o.calendar ?? createWorkingCalendar();
  }

  /** The dossier's state after this writer's last command on it. */
  state(code: string): DossierState {
    return this.states.get(code) ?? initialState;
  }

  /**
   * Decides `command` on the dossier's current state and appends the events. The procedure's rules are
   * the table's for the command's (or the dossier's) procedure unless `procedure` is given; the metadata
   * names `agencyCode`, else the dossier's agency.
   */
  async do(code: string, command: DossierCommand, o: { procedure?: ProcedureRules; agencyCode?: string } = {}): Promise<CommandOutcome> {
    const { state } = await this.commands.load(code);
    const procedureCode = 'procedureCode' in command ? command.procedureCode : state.procedureCode;
    const procedure = o.procedure ?? (procedureCode ? this.o.procedures?.[procedureCode] : undefined);
    const outcome = await this.commands.decideAndAppend(
      code,
      state,
      command,
      { calendar: this.calendar, procedure },
      {
        origin: { actor: this.o.actor ?? 'test-clerk', correlationId: this.o.correlationId?.(code) ?? code },
        agencyCode: o.agencyCode ?? state.agencyCode ?? ('agencyCode' in command ? command.agencyCode : undefined),
      },
    );
    this.states.set(code, outcome.state);
    return outcome;
  }
}
