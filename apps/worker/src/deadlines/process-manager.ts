/**
 * The deadline process manager: what happens when one scheduled alert falls due. The dossier is re-checked
 * against its current stream (closed, paused or re-dated: nothing to do), then
 * - a deadline raises `deadline-missed` through the application's `DossierCommands.execute`, so that the
 *   domain's decider and clock decide (a clerk writing meanwhile: decided again on the new state; due early
 *   by the domain's clock: handled again at its instant);
 * - a due-soon warning appends its alert event to the agency's alert stream.
 * Every raise carries the `system` actor and a command id derived from the dossier and its due date, so a
 * second watcher, a retried tick or a duplicate job writes nothing twice.
 *
 * A dossier the domain cannot load or plan (an event of its stream the schema refuses, an instant the
 * calendar cannot place) is handed to `quarantine` (the facade sets it aside and drops its deadline row)
 * and the entry is done: retrying it would fail the same way at every tick. Store failures and an unknown
 * calendar version (the build's) are thrown, and the entry stays for the retry, as before.
 *
 * Kept apart from the scheduler: it knows the dossier and the domain, not Redis or BullMQ; the scheduler
 * only learns whether an entry is done, skipped, quarantined, failed or due later.
 */
import { DossierCommands } from '@motcua/application';
import { WrongExpectedRevisionError, type EventStore } from '@motcua/event-store';
import { DeadlineNotPassedError, IllegalTransitionError, isOpen, overdueFrom, type DossierState } from '@motcua/domain';
import {
  ALERT_DUE_SOON_RAISED,
  alertStreamId,
  calendarForVersion,
  isUnreadableDossier,
  deadlineMissedCommandId,
  dueSoonAlertId,
  dueSoonCommandId,
  remainingTime,
  type DueEntry,
  type DueSoonRaisedData,
} from '@motcua/alerts';
import type { DeadlineMetrics } from './metrics';

/** What handling one due entry came to; `later`: not due yet by the domain's clock, due at `at`. */
export type EntryOutcome = { result: 'raised' | 'duplicate' | 'skipped' | 'quarantined'; reason?: string } | { result: 'later'; at: number };

export interface DeadlineProcessManagerOptions {
  store: EventStore;
  metrics: DeadlineMetrics;
  /** Sets aside a dossier whose stream or deadline cannot be read (due: the entry's due instant). */
  quarantine: (code: string, dueAtMs: number, err: unknown) => Promise<void>;
  /** Clock (epoch ms). */
  now: () => number;
}

const iso = (t: number) => new Date(t).toISOString();

export class DeadlineProcessManager {
  private readonly commands: DossierCommands;

  constructor(private readonly o: DeadlineProcessManagerOptions) {
    this.commands = new DossierCommands(o.store);
  }

  /** One due alert, re-checked against the dossier's current stream. */
  async handle(e: DueEntry, correlationId: string): Promise<EntryOutcome> {
    let out: EntryOutcome;
    try {
      out = e.kind === 'deadline' ? await this.deadline(e, correlationId) : await this.dueSoon(e, correlationId);
    } catch (err) {
      if (!isUnreadableDossier(err)) throw err;
      await this.o.quarantine(e.code, e.dueAtMs, err);
      return { result: 'quarantined', reason: (err as Error).message };
    }
    if (out.result === 'skipped') this.o.metrics.counters.skipped++;
    if (out.result === 'raised') this.o.metrics.recordRaise(this.o.now() - e.at);
    return out;
  }

  private async load(code: string): Promise<DossierState> {
    return (await this.commands.load(code)).state;
  }

  /** Why an open-looking entry no longer applies, if it does not. */
  private stale(state: DossierState, dueAtMs: number): string | undefined {
    if (!isOpen(state)) return 'closed';
    if (!state.dueAt || Date.parse(state.dueAt) !== dueAtMs) return 'due date moved';
    if (state.paused) return 'paused';
    return undefined;
  }

  private async deadline(e: DueEntry, correlationId: string): Promise<EntryOutcome> {
    const { code, dueAtMs } = e;
    const commandId = deadlineMissedCommandId(code, dueAtMs);
    const now = iso(this.o.now());
    try {
      const out = await this.commands.execute<EntryOutcome>(
        code,
        ({ state }) => {
          const reason = this.stale(state, dueAtMs);
          if (reason) return { result: { result: 'skipped', reason } };
          return { command: { type: 'mark_deadline_missed', now }, inputs: { calendar: calendarForVersion(state.calendarVersion) } };
        },
        {
          origin: { actor: 'system', correlationId, commandId },
          // A clerk wrote meanwhile: decide again on the new state.
          retryOnConflict: 9,
          onRefused: (err, state) => {
            // Due early (clock skew between hosts): handled again at the domain's instant.
            if (err instanceof DeadlineNotPassedError)
              return { result: 'later', at: overdueFrom(state.dueAt!, calendarForVersion(state.calendarVersion), state.deadline?.unit) };
            if (err instanceof IllegalTransitionError) return { result: 'skipped', reason: err.message };
            return undefined;
          },
        },
      );
      if ('result' in out) return out.result;
      if (!out.duplicate && out.events.length === 0) return { result: 'skipped', reason: 'already marked' };
      if (!out.duplicate) this.o.metrics.counters.raisedMissed++;
      return { result: out.duplicate ? 'duplicate' : 'raised' };
    } catch (err) {
      if (err instanceof WrongExpectedRevisionError) throw new Error(`deadline of ${code}: too many concurrent writes`, { cause: err });
      throw err;
    }
  }

  private async dueSoon(e: DueEntry, correlationId: string): Promise<EntryOutcome> {
    const { code, dueAtMs, at } = e;
    const state = await this.load(code);
    const reason = this.stale(state, dueAtMs);
    if (reason) return { result: 'skipped', reason };
    const now = this.o.now();
    if (now >= dueAtMs) return { result: 'skipped', reason: 'already due' };
    const agencyCode = state.agencyCode!;
    const dueAt = state.dueAt!;
    const facts = { dueAtMs, unit: state.deadline?.unit ?? null, calendarVersion: state.calendarVersion };
    const data: DueSoonRaisedData = {
      alertId: dueSoonAlertId(code, dueAtMs),
      dossierCode: code,
      agencyCode,
      dueAt,
      overdueFrom: iso(overdueFrom(dueAt, calendarForVersion(state.calendarVersion), state.deadline?.unit)),
      remainingWorkingMs: remainingTime(facts, now),
      occurredAt: iso(Math.min(at, now)),
      detectedAt: iso(now),
    };
    const commandId = dueSoonCommandId(code, dueAtMs);
    const res = await this.o.store.append(
      alertStreamId(agencyCode),
      [{ type: ALERT_DUE_SOON_RAISED, data: data as unknown as Record<string, unknown>, metadata: { actor: 'system', agencyCode, correlationId, commandId } }],
      { expectedRevision: 'any', commandId },
    );
    if (!res.duplicate) this.o.metrics.counters.raisedDueSoon++;
    return { result: res.duplicate ? 'duplicate' : 'raised' };
  }
}
