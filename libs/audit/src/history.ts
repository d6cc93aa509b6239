/**
 * The history of one dossier as an auditor reads it: every stored event with its type, the national
 * status code after it, when it happened and when it was recorded, who did it for which agency, and
 * the due-date effect (why the deadline moved, or why it did not) in Vietnamese and English.
 *
 * Built only from the stored events and the domain's own `evolve`/`classify`: an auditor can redo
 * every line by hand from the event data (the events carry every due date they set).
 */
import {
  classify,
  evolve,
  initialState,
  parseDossierEvent,
  STATUS_LABELS,
  TIMELINESS_LABELS,
  type DossierEvent,
  type DossierState,
  type DossierStatus,
} from '@motcua/domain';
import type { EventStore, RecordedEvent } from '@motcua/event-store';
import { eventTypeLabel, hours, vnLocal, VN_DATER, type Label } from './labels';

export type DueEffectKind =
  'none' | 'clock_not_started' | 'due_set' | 'clock_paused' | 'due_moved' | 'due_unchanged' | 'promise_changed' | 'clock_stopped' | 'deadline_missed';

export interface DueEffect extends Label {
  kind: DueEffectKind;
  /** Statutory due date before and after the event (ISO, UTC). */
  dueBefore: string | null;
  dueAfter: string | null;
  /** Working time the due date moved by (supplied / payment after a pause), in working hours. */
  movedWorkingHours?: number;
  /** Apology: the new promised date. */
  promisedAt?: string | null;
  /** Clock stopped: early / on_time / late, when the dossier is classified. */
  timeliness?: string | null;
}

export interface HistoryEntry {
  revision: number;
  position: string;
  type: string;
  typeLabel: Label;
  occurredAt: string | null;
  recordedAt: string;
  actor: string;
  agencyCode: string | null;
  /** Status and national code after the event. */
  status: string;
  statusCode: number | null;
  statusLabel: Label;
  effect: DueEffect;
  hash: string;
  /** Set when the stored event does not parse as a dossier event (it is shown, not applied). */
  invalid?: string;
}

export interface DossierHistory {
  dossierCode: string;
  streamId: string;
  entries: HistoryEntry[];
  /** State after the last entry. */
  state: DossierState;
}

export const dossierStreamId = (code: string) => `dossier-${code}`;

const NO_STATUS: Label = { vi: 'Chưa có', en: 'None' };

function statusLabel(s: DossierState): Label {
  return s.status === 'none' ? NO_STATUS : STATUS_LABELS[s.status as DossierStatus];
}

const unitLabel: Record<string, Label> = {
  working_days: { vi: 'ngày làm việc', en: 'working days' },
  working_hours: { vi: 'giờ làm việc', en: 'working hours' },
  calendar_days: { vi: 'ngày', en: 'calendar days' },
};

/** Why the due date moved (or did not) at this event. Pure: the event and the states around it. */
export function dueEffect(e: DossierEvent, before: DossierState, after: DossierState): DueEffect {
  const base = { dueBefore: before.dueAt, dueAfter: after.dueAt };
  const mk = (kind: DueEffectKind, vi: string, en: string, extra: Partial<DueEffect> = {}): DueEffect => ({ kind, vi, en, ...base, ...extra });
  switch (e.type) {
    case 'dossier.submitted-online.v1':
      return mk('clock_not_started', 'Chưa tính thời gian: hồ sơ chưa được tiếp nhận', 'Clock not started: not yet received');
    case 'dossier.received.v1': {
      const d = e.data;
      const u = unitLabel[d.deadline.unit] ?? { vi: d.deadline.unit, en: d.deadline.unit };
      return mk(
        'due_set',
        `Bắt đầu tính từ ${vnLocal(d.clockStartAt)}; hạn xử lý ${vnLocal(d.dueAt)} (${d.deadline.value} ${u.vi})`,
        `Clock starts ${vnLocal(d.clockStartAt)}; due date set to ${vnLocal(d.dueAt)} (${d.deadline.value} ${u.en})`,
      );
    }
    case 'dossier.refused.v1':
      return mk('none', 'Không tiếp nhận: không tính thời gian', 'Refused at intake: no clock');
    case 'dossier.step-recorded.v1':
      return mk('none', 'Không đổi hạn xử lý', 'Due date unchanged');
    case 'dossier.supplement-requested.v1':
      return mk(
        'clock_paused',
        `Tạm dừng tính thời gian; còn ${hours(e.data.remainingWorkingMs)} giờ làm việc đến hạn ${vnLocal(e.data.dueAt)}`,
        `Clock paused; ${hours(e.data.remainingWorkingMs)} working hours left until the due date ${vnLocal(e.data.dueAt)}`,
      );
    case 'dossier.payment-requested.v1':
      return e.data.pausesClock
        ? mk(
            'clock_paused',
            `Tạm dừng tính thời gian chờ nộp phí; còn ${hours(e.data.remainingWorkingMs)} giờ làm việc`,
            `Clock paused for the payment; ${hours(e.data.remainingWorkingMs)} working hours left`,
          )
        : mk('due_unchanged', 'Thủ tục không dừng thời gian khi chờ nộp phí: không đổi hạn', 'Payment does not pause this procedure: due date unchanged');
    case 'dossier.supplement-supplied.v1':
    case 'dossier.payment-recorded.v1': {
      const d = e.data;
      if (d.dueAt === d.previousDueAt) return mk('due_unchanged', 'Không đổi hạn xử lý', 'Due date unchanged');
      const h = Number(hours(d.pausedWorkingMs));
      return mk(
        'due_moved',
        `Hạn xử lý lùi từ ${vnLocal(d.previousDueAt)} đến ${vnLocal(d.dueAt)} (${h} giờ làm việc tạm dừng)`,
        `Due date moved from ${vnLocal(d.previousDueAt)} to ${vnLocal(d.dueAt)} by ${h} working hours (paused time)`,
        { movedWorkingHours: h },
      );
    }
    case 'dossier.apology-issued.v1':
      return mk(
        'promise_changed',
        `Hẹn lại ngày trả ${vnLocal(e.data.newPromisedAt)}; hạn xử lý ${vnLocal(after.dueAt)} không đổi (vẫn tính trễ theo hạn này)`,
        `New promised date ${vnLocal(e.data.newPromisedAt)}; the due date ${vnLocal(after.dueAt)} is unchanged (lateness still counts against it)`,
        { promisedAt: e.data.newPromisedAt },
      );
    case 'dossier.completed.v1':
    case 'dossier.stopped.v1':
    case 'dossier.result-returned.v1': {
      if (e.type === 'dossier.result-returned.v1' && before.status === 'completed') {
        return mk('none', 'Trả kết quả: thời gian đã dừng khi xử lý xong', 'Result returned: the clock stopped at completion');
      }
      const c = classify(after, VN_DATER);
      const t = c ? TIMELINESS_LABELS[c.timeliness] : null;
      const why =
        c?.reason === 'too_many_supplement_requests' ? { vi: ' (bổ sung quá 1 lần)', en: ' (more than one supplementation request)' } : { vi: '', en: '' };
      return mk(
        'clock_stopped',
        `Dừng tính thời gian${t ? `: ${t.vi}${why.vi} so với hạn ${vnLocal(after.dueAt)}` : ''}`,
        `Clock stopped${t ? `: ${t.en}${why.en} against the due date ${vnLocal(after.dueAt)}` : ''}`,
        { timeliness: c?.timeliness ?? null },
      );
    }
    case 'dossier.withdrawn.v1':
      return mk('clock_stopped', 'Dừng tính thời gian: công dân rút hồ sơ (không xếp loại)', 'Clock stopped: withdrawn (not classified)', { timeliness: null });
    case 'dossier.deadline-missed.v1':
      return mk('deadline_missed', `Quá hạn xử lý ${vnLocal(e.data.dueAt)}`, `Due date ${vnLocal(e.data.dueAt)} passed before completion`);
  }
}

/** History from the events of one dossier stream, in revision order. */
export function buildHistory(events: readonly RecordedEvent[], dossierCode?: string): DossierHistory {
  let state = initialState;
  const entries: HistoryEntry[] = [];
  for (const r of events) {
    const before = state;
    let effect: DueEffect = { kind: 'none', vi: '', en: '', dueBefore: before.dueAt, dueAfter: before.dueAt };
    let invalid: string | undefined;
    try {
      const e = parseDossierEvent(r.type, r.data);
      state = evolve(before, e);
      effect = dueEffect(e, before, state);
    } catch (err) {
      invalid = (err as Error).message;
    }
    const occurredAt = (r.data as { occurredAt?: unknown }).occurredAt;
    entries.push({
      revision: r.revision,
      position: r.position,
      type: r.type,
      typeLabel: eventTypeLabel(r.type),
      occurredAt: typeof occurredAt === 'string' ? occurredAt : null,
      recordedAt: r.recordedAt,
      actor: String(r.metadata?.actor ?? ''),
      agencyCode: (r.metadata?.agencyCode as string | undefined) ?? state.agencyCode,
      status: state.status,
      statusCode: state.nationalStatusCode,
      statusLabel: statusLabel(state),
      effect,
      hash: r.hash,
      ...(invalid ? { invalid } : {}),
    });
  }
  const streamId = events[0]?.streamId ?? dossierStreamId(dossierCode ?? '');
  return { dossierCode: dossierCode ?? state.dossierCode ?? streamId.replace(/^dossier-/, ''), streamId, entries, state };
}

export class DossierNotFoundError extends Error {
  constructor(readonly dossierCode: string) {
    super(`no dossier ${dossierCode}`);
    this.name = 'DossierNotFoundError';
  }
}

export async function readDossierHistory(store: EventStore, dossierCode: string): Promise<DossierHistory> {
  const events = await store.readStream(dossierStreamId(dossierCode));
  if (events.length === 0) throw new DossierNotFoundError(dossierCode);
  return buildHistory(events, dossierCode);
}
