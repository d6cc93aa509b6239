/**
 * A dossier's state at a point in time, on either time axis (bitemporal):
 * - `knownAt` (transaction time): only events RECORDED at or before the instant: what the system
 *   knew then, what a report run at that instant saw;
 * - `asOf` (valid time): only events that OCCURRED at or before the instant, whenever they were
 *   keyed in: what really happened by then, as we know it today (late-keyed paper included);
 * - `revision`: the events up to and including that stream revision.
 * They combine: `asOf` t + `knownAt` k = what, at k, we believed had happened by t.
 */
import { classify, evolve, initialState, openTimeliness, parseDossierEvent, type DossierState } from '@motcua/domain';
import type { EventStore, RecordedEvent } from '@motcua/event-store';
import { DossierNotFoundError, dossierStreamId } from './history';
import { VN_DATER } from './labels';

export interface PointInTime {
  knownAt?: string;
  asOf?: string;
  revision?: number;
}

export interface DossierStateAt {
  dossierCode: string;
  at: PointInTime;
  state: DossierState;
  /** Stream revisions folded into `state`. */
  revisions: number[];
  /** Events of the stream left out by the point in time. */
  excluded: number;
  /** Early / on time / late once closed; within_deadline / overdue / paused while open (evaluated at `asOf` or `knownAt`). */
  timeliness: string | null;
}

export class InvalidPointInTimeError extends Error {}

function instant(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidPointInTimeError(`${name} is not an ISO-8601 instant: ${v}`);
  return t;
}

/** Which of a stream's events (revision order) belong to the point in time. Pure. */
export function selectEvents(events: readonly RecordedEvent[], at: PointInTime): RecordedEvent[] {
  const known = instant('knownAt', at.knownAt);
  const asOf = instant('asOf', at.asOf);
  if (at.revision !== undefined && (!Number.isInteger(at.revision) || at.revision < 0)) {
    throw new InvalidPointInTimeError('revision must be a non-negative integer');
  }
  return events.filter((e) => {
    if (at.revision !== undefined && e.revision > at.revision) return false;
    if (known !== undefined && Date.parse(e.recordedAt) > known) return false;
    if (asOf !== undefined) {
      const occurred = Date.parse(String((e.data as { occurredAt?: unknown }).occurredAt));
      if (!(occurred <= asOf)) return false;
    }
    return true;
  });
}

/** Folds the selected events with the domain's evolve. Pure. */
export function stateAt(events: readonly RecordedEvent[], at: PointInTime, dossierCode = ''): DossierStateAt {
  const chosen = selectEvents(events, at);
  let state = initialState;
  for (const r of chosen) state = evolve(state, parseDossierEvent(r.type, r.data));
  const evalAt = instant('asOf', at.asOf) ?? instant('knownAt', at.knownAt) ?? (chosen.length ? Date.parse(chosen[chosen.length - 1].recordedAt) : 0);
  const closed = classify(state, VN_DATER);
  return {
    dossierCode: dossierCode || state.dossierCode || '',
    at,
    state,
    revisions: chosen.map((e) => e.revision),
    excluded: events.length - chosen.length,
    timeliness: closed?.timeliness ?? openTimeliness(state, evalAt, VN_DATER),
  };
}

export async function dossierStateAt(store: EventStore, dossierCode: string, at: PointInTime): Promise<DossierStateAt> {
  selectEvents([], at); // validates the point in time before touching the store
  // knownAt and revision are pushed down to the store; asOf needs the event data, so it is filtered here.
  const events = await store.readStream(dossierStreamId(dossierCode), {
    ...(at.knownAt !== undefined ? { recordedAtOrBefore: at.knownAt } : {}),
    ...(at.revision !== undefined ? { toRevision: at.revision } : {}),
  });
  if (events.length === 0 && (await store.streamRevision(dossierStreamId(dossierCode))) < 0) throw new DossierNotFoundError(dossierCode);
  return stateAt(events, at, dossierCode);
}
