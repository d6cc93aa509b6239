/**
 * The SLA projection's fold: one dossier event applied to the dossier's entry (its state, pauses,
 * timeliness, processing time), and the counters that event adds, by kind. Dossier state comes from the
 * domain's own `evolve` and the timeliness from the domain's `classify` (rules in
 * libs/domain/src/classification.ts), so the read models never re-derive a clock rule. Where the counters
 * go (which day row, which slot) is the counter store's business (day-counters.ts): the fold only says
 * "one more of this kind for this event"; a refold of a dossier's past (replay) counts nothing.
 */
import type { RecordedEvent } from '@motcua/event-store';
import { classify, evolve, instantMs, upcast, type DossierEvent, type DossierState } from '@motcua/domain';
import { createWorkingCalendar, type WorkingCalendar } from '@motcua/calendar';
import { C, HIST_BUCKETS_PER_DAY, HIST_MAX_BUCKET, WORKING_DAY_MS } from './schema';
import { COUNTABLE_FROM_MS, COUNTABLE_UNTIL_MS } from './local-days';
import { describeValue } from '../quarantine/quarantine';

/** A clock pause as kept on the summary row: [start, end | null, dueAt after the resume | null] (epoch ms). */
export type PauseSpan = [number, number | null, number | null];

export interface DossierEntry {
  code: string;
  state: DossierState;
  pauses: PauseSpan[];
  timeliness: string | null;
  processingMs: number | null;
  /** Id of the (agency, procedure) pair the day counters of this dossier go to; -1 until known. */
  ap: number;
  apAgency: string | null;
  apProcedure: string | null;
  /**
   * Set when an event of this dossier was quarantined: the projection applies none of its later events,
   * and its summary row stays as of its last good event, flagged (flush.ts `summaryRow`).
   */
  held: HeldDossier | null;
}

/** A dossier whose history the projection could not follow past one event. */
export interface HeldDossier {
  /** Global position of the quarantined event. */
  position: string;
  /**
   * The instant from which the dossier is left out of the open-dossier figures (epoch ms): the quarantined
   * event's occurredAt when it can be read, else the last instant its good events recorded.
   */
  cutoff: number | null;
}

/**
 * What the projection reads of an event: a `RecordedEvent` has it, and so has the lighter object a
 * bulk rebuild makes from a raw log row (no metadata, no hashes).
 */
export type ProjectedEvent = Pick<RecordedEvent, 'streamId' | 'revision' | 'position' | 'type' | 'data'>;

export function dossierCodeOf(e: ProjectedEvent): string {
  return e.streamId.startsWith('dossier-') ? e.streamId.slice(8) : String((e.data as { dossierCode?: unknown }).dossierCode);
}

/**
 * Working time a completed dossier spent in processing: from clock start to completion, minus the
 * paused working time (which the domain events carry). Needs the dossier's recorded calendar, so it
 * is injected; returning null leaves the dossier out of the processing-time figures.
 */
export type ProcessingTimeFn = (state: DossierState, completedAtMs: number) => number | null;

/**
 * Default processing time: the national default working calendar (hours 07:00-11:30, 13:30-17:00,
 * Mon-Fri, official holidays). Agencies with other hours can inject a per-agency calendar.
 */
export function calendarProcessingTime(calendar: WorkingCalendar = createWorkingCalendar()): ProcessingTimeFn {
  return (s, completedAt) =>
    s.clockStartAt === null ? null : Math.max(0, calendar.workingTimeBetween(instantMs(s.clockStartAt), completedAt) - s.pausedWorkingMs);
}

/** Where the counters of the event being folded go (day-counters.ts implements it). */
export interface EventCounters {
  /** The event about to be counted: it occurred at `t` (epoch ms); its dossier's entry and state after it. */
  begin(t: number, entry: DossierEntry, state: DossierState): void;
  /** Adds `n` to counter `c` (an index of DAILY_COUNTERS) of the event being folded. A bound function: passed around as is. */
  readonly count: (c: number, n?: number) => void;
  /** One completed dossier into processing-time histogram bucket `bucket` of the event being folded. */
  histogram(bucket: number): void;
}

/**
 * An instant the fold keeps (epoch ms), checked: a string the domain's `ms` reads as a finite instant within
 * the days the read models can hold. Anything else throws, so a bad value never reaches the counters or the
 * summary row (where it would fail the whole batch's write).
 */
function instant(iso: unknown, field: string): number {
  if (typeof iso !== 'string') throw new TypeError(`${field} is ${iso === undefined ? 'missing' : `not a string (${describeValue(iso)})`}`);
  const t = instantMs(iso);
  if (!(t >= COUNTABLE_FROM_MS && t < COUNTABLE_UNTIL_MS)) throw new RangeError(`${field} is not an instant the read models can hold (${describeValue(iso)})`);
  return t;
}

/** `instant`, or null for a field the state leaves empty. */
const optionalInstant = (iso: unknown, field: string): number | null => (iso === null ? null : instant(iso, field));

/** A code the summary row and the counters key on. */
function code(v: unknown, field: string): void {
  if (typeof v !== 'string') throw new TypeError(`${field} is ${v === undefined ? 'missing' : `not a string (${describeValue(v)})`}`);
}

/** Codes and instants a receipt (or intake refusal, online submission) brings into the state. */
function checkIntake(s: DossierState, withDeadline: boolean): void {
  code(s.agencyCode, 'agencyCode');
  code(s.procedureCode, 'procedureCode');
  if (s.channel !== null) code(s.channel, 'channel');
  if (!withDeadline) return;
  instant(s.clockStartAt, 'clockStartAt');
  instant(s.dueAt, 'dueAt');
  const unit: unknown = s.deadline?.unit;
  if (unit !== undefined) code(unit, 'deadline.unit');
}

const noCount = (_c: number, _n?: number): void => undefined;

function closePause(pauses: PauseSpan[], end: number, dueAfter: number | null): PauseSpan[] {
  const out = pauses.slice();
  const last = out[out.length - 1];
  if (last && last[1] === null) out[out.length - 1] = [last[0], end, dueAfter];
  return out;
}

export class DossierFold {
  constructor(
    private readonly processingTime: ProcessingTimeFn,
    /** The local date for the domain's classify. */
    private readonly dater: Pick<WorkingCalendar, 'localDate'>,
  ) {}

  /**
   * Applies dossier event `e` to `entry`, counting into `counters` (null: a replay of the dossier's past,
   * nothing is counted). Returns false for a dossier event type this projection version does not know:
   * ignored, never half-applied. Throws for an event it cannot apply (a missing or impossible instant, a
   * code that is not a string, a classification the domain refuses): everything that can throw comes
   * before anything is changed, so the entry and the counters are then as they were, and the projection
   * quarantines the event.
   */
  apply(entry: DossierEntry, e: ProjectedEvent, counters: EventCounters | null): boolean {
    const up = upcast(e.type, e.data) as DossierEvent;
    const before = entry.state;
    let s: DossierState;
    try {
      s = evolve(before, up);
    } catch {
      return false;
    }
    const t = instant((up.data as { occurredAt: unknown }).occurredAt, 'occurredAt');
    // Counters of this event: the local day of its occurredAt, for the dossier's agency x procedure
    // (the slot found on the first count; no allocation per event).
    const count = counters === null ? noCount : counters.count;
    switch (up.type) {
      case 'dossier.submitted-online.v1':
        checkIntake(s, false);
        counters?.begin(t, entry, s);
        count(C.submitted_online);
        break;
      case 'dossier.received.v1':
        checkIntake(s, true);
        counters?.begin(t, entry, s);
        count(s.channel === 'online' ? C.received_online : s.channel === 'postal' ? C.received_postal : C.received_counter);
        break;
      case 'dossier.refused.v1':
        checkIntake(s, false);
        counters?.begin(t, entry, s);
        count(C.refused);
        break;
      case 'dossier.supplement-requested.v1':
        counters?.begin(t, entry, s);
        count(C.supplement_requests);
        entry.pauses = [...entry.pauses, [t, null, null]];
        break;
      case 'dossier.payment-requested.v1':
        if (s.paused) entry.pauses = [...entry.pauses, [t, null, null]];
        break;
      case 'dossier.supplement-supplied.v1':
      case 'dossier.payment-recorded.v1': {
        const due = optionalInstant(s.dueAt, 'dueAt');
        if (!Number.isFinite(s.pausedWorkingMs)) throw new TypeError(`pausedWorkingMs is not a number (${describeValue(up.data.pausedWorkingMs)})`);
        if (before.paused) entry.pauses = closePause(entry.pauses, t, due);
        if (up.type === 'dossier.payment-recorded.v1' && before.paidOnline === null) {
          counters?.begin(t, entry, s);
          count(C.paid);
          if (up.data.online) count(C.paid_online);
        }
        break;
      }
      case 'dossier.apology-issued.v1':
        optionalInstant(s.promisedAt, 'newPromisedAt');
        counters?.begin(t, entry, s);
        count(C.apologies);
        break;
      case 'dossier.completed.v1': {
        // Classified once, at the close event, by the domain.
        const c = classify(s, this.dater);
        const p = this.processingTime(s, t);
        entry.timeliness = c?.timeliness ?? null;
        entry.processingMs = p;
        counters?.begin(t, entry, s);
        count(C.completed);
        if (c) count(c.timeliness === 'early' ? C.early : c.timeliness === 'on_time' ? C.on_time : C.late);
        if (up.data.electronicResult) count(C.electronic_results);
        if (p !== null) {
          count(C.processing_ms, Math.round(p));
          count(C.processing_count);
          if (counters !== null) counters.histogram(Math.min(HIST_MAX_BUCKET, Math.ceil((p / WORKING_DAY_MS) * HIST_BUCKETS_PER_DAY)));
        }
        break;
      }
      case 'dossier.result-returned.v1':
        if (before.status !== 'completed') entry.timeliness = classify(s, this.dater)?.timeliness ?? null;
        counters?.begin(t, entry, s);
        count(C.returned);
        break;
      case 'dossier.withdrawn.v1':
        counters?.begin(t, entry, s);
        count(C.withdrawn);
        if (before.paused) entry.pauses = closePause(entry.pauses, t, null);
        break;
      case 'dossier.stopped.v1':
        entry.timeliness = classify(s, this.dater)?.timeliness ?? null;
        counters?.begin(t, entry, s);
        count(C.stopped);
        if (before.paused) entry.pauses = closePause(entry.pauses, t, null);
        break;
      case 'dossier.deadline-missed.v1':
        counters?.begin(t, entry, s);
        count(C.deadline_missed);
        break;
    }
    entry.state = s;
    return true;
  }
}
