import { AGENCY_STREAM, PROCEDURE_STREAM } from '@motcua/reference-data';
import type { EventStore } from '@motcua/event-store';

/**
 * A reference-data event as the fixtures build it: its type string and its versioned shape, which is
 * also a plain record (what the event store appends and the reference-data fold reads).
 */
export interface ReferenceEventFixture<T extends string = string, D = unknown> {
  type: T;
  data: D & Record<string, unknown>;
}

/** Appends agency events to the one agency stream, as an administrator's change would. */
export async function appendAgencyEvents(store: EventStore, events: ReferenceEventFixture[]): Promise<void> {
  await appendReferenceEvents(store, AGENCY_STREAM, events);
}

/** Appends procedure events to the one procedure stream. */
export async function appendProcedureEvents(store: EventStore, events: ReferenceEventFixture[]): Promise<void> {
  await appendReferenceEvents(store, PROCEDURE_STREAM, events);
}

async function appendReferenceEvents(store: EventStore, stream: string, events: ReferenceEventFixture[]): Promise<void> {
  await store.append(
    stream,
    events.map((e) => ({ type: e.type, data: e.data, metadata: { actor: 'test-admin', correlationId: 'refdata' } })),
  );
}
