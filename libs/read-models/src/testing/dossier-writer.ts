/**
 * Test and benchmark helper: drives the REAL domain decider and appends its events to a REAL event
 * store, one append per command with the expected revision, as the API would.
 */
import { createWorkingCalendar, type WorkingCalendar } from '@motcua/calendar';
import { decide, fold, initialState, type DossierCommand, type DossierState, type ProcedureRules } from '@motcua/domain';
import type { EventStore, NewEvent } from '@motcua/event-store';

/** Local (+07) wall-clock `YYYY-MM-DD HH:mm` to an ISO instant with offset, as a clerk would enter it. */
export const vn = (local: string) => `${local.replace(' ', 'T')}:00+07:00`;

export class DossierWriter {
  private readonly states = new Map<string, DossierState>();
  readonly calendar: WorkingCalendar;

  constructor(
    private readonly store: EventStore,
    private readonly procedures: Record<string, ProcedureRules>,
    calendar?: WorkingCalendar,
  ) {
    this.calendar = calendar ?? createWorkingCalendar();
  }

  state(code: string): DossierState {
    return this.states.get(code) ?? initialState;
  }

  /** Decides the command on the dossier's current state and appends the resulting events. */
  async do(code: string, command: DossierCommand): Promise<void> {
    const s = this.state(code);
    const procCode = 'procedureCode' in command ? command.procedureCode : s.procedureCode;
    const procedure = procCode ? this.procedures[procCode] : undefined;
    const events = decide(command, s, { calendar: this.calendar, procedure });
    const batch: NewEvent[] = events.map((e) => ({
      type: e.type,
      data: e.data as unknown as Record<string, unknown>,
      metadata: { actor: 'test-clerk', correlationId: code },
    }));
    await this.store.append(`dossier-${code}`, batch, { expectedRevision: s.revision === -1 ? 'no_stream' : s.revision });
    this.states.set(code, fold(events, s));
  }
}

/** Appends reference-data events (shapes of apps/api/src/modules/reference-data/model/events.ts). */
export async function appendAgencyEvents(store: EventStore, events: Array<{ type: string; data: Record<string, unknown> }>): Promise<void> {
  await store.append(
    'refdata-agencies',
    events.map((e) => ({ ...e, metadata: { actor: 'test-admin', correlationId: 'refdata' } })),
  );
}
