/**
 * Early / on time / late. Rules from /work/shared/domain/one-stop-shop.md ("The clock"):
 * - measured at completion (status 9), else the return (10), else the stop; withdrawn dossiers
 *   and dossiers refused at intake (never received: no due date) are not classified;
 * - compared by LOCAL DATE with the statutory `dueAt` (never the apology's `promisedAt`):
 *   before the due date = early (trước hạn), on it = on time (đúng hạn), after = late (trễ hạn);
 *   except for deadlines counted in working hours, which are late from the first instant past
 *   `dueAt` (the date rule would give a 4-working-hour procedure up to a whole extra day);
 * - stopped while the clock was paused: measured to the pause (spec: "if the applicant never comes
 *   back, the clock is measured to the request"; applied to payment pauses alike, as the clock was
 *   not running either);
 * - national scoring rule (versioned, recorded at receipt): more than one supplementation request
 *   counts the dossier as late (spec marks this rule "unverified, reverse-engineered formula").
 */
import type { DeadlineUnit, EpochMs, WorkingCalendar } from '@motcua/calendar';
import type { DossierState } from './state';
import { UnknownScoringRuleError } from './errors';
import { ms, iso, startOfNextLocalDay } from './time';

export type Timeliness = 'early' | 'on_time' | 'late';
export type OpenTimeliness = 'within_deadline' | 'overdue' | 'paused';

export const TIMELINESS_LABELS: Readonly<Record<Timeliness | OpenTimeliness, { vi: string; en: string }>> = {
  early: { vi: 'Trước hạn', en: 'Early' },
  on_time: { vi: 'Đúng hạn', en: 'On time' },
  late: { vi: 'Trễ hạn', en: 'Late' },
  within_deadline: { vi: 'Trong hạn', en: 'Within deadline' },
  overdue: { vi: 'Quá hạn', en: 'Overdue' },
  paused: { vi: 'Tạm dừng tính thời gian', en: 'Clock paused' },
};

export interface ScoringRule {
  version: string;
  /** More supplementation requests than this make the dossier late whatever its clock says. */
  maxSupplementRequests: number;
  source: string;
}

export const DEFAULT_SCORING_RULE_VERSION = 'vn-766-2022.1';

export const SCORING_RULES: Readonly<Record<string, ScoringRule>> = Object.freeze({
  'vn-766-2022.1': {
    version: 'vn-766-2022.1',
    maxSupplementRequests: 1,
    source: 'Decision 766/QĐ-TTg (2022) service index, progress group; supplement rule unverified',
  },
});

export function scoringRule(version: string): ScoringRule {
  const rule = Object.prototype.hasOwnProperty.call(SCORING_RULES, version) ? SCORING_RULES[version] : undefined;
  if (!rule) throw new UnknownScoringRuleError(version);
  return rule;
}

type LocalDater = Pick<WorkingCalendar, 'localDate'>;

function toMs(t: EpochMs | string): EpochMs {
  return typeof t === 'number' ? t : ms(t);
}

/** Compares the local date of `at` with the local date of `dueAt`. */
export function compareToDueDate(at: EpochMs | string, dueAt: EpochMs | string, calendar: LocalDater): Timeliness {
  const a = calendar.localDate(toMs(at));
  const d = calendar.localDate(toMs(dueAt));
  return a < d ? 'early' : a === d ? 'on_time' : 'late';
}

/**
 * Timeliness of finishing at `at` against `dueAt` under the deadline's unit: by local date, except
 * working-hour deadlines, which are late past the due instant (see the header).
 */
export function timelinessAt(at: EpochMs | string, dueAt: EpochMs | string, unit: DeadlineUnit | undefined, calendar: LocalDater): Timeliness {
  const byDate = compareToDueDate(at, dueAt, calendar);
  if (unit === 'working_hours' && byDate === 'on_time' && toMs(at) > toMs(dueAt)) return 'late';
  return byDate;
}

export type ClassificationBasis = 'completed' | 'returned' | 'stopped' | 'stopped_while_paused';

export interface Classification {
  /** The instant measured against the due date. */
  measuredAt: string;
  basis: ClassificationBasis;
  dueAt: string;
  /** What the clock alone says. */
  clockTimeliness: Timeliness;
  /** Final answer after the scoring rule. */
  timeliness: Timeliness;
  reason: 'clock' | 'too_many_supplement_requests';
  /** National scoring only separates (early + on time) from late. */
  onTime: boolean;
  scoringRuleVersion: string;
}

/** The classification of a closed dossier, or null when it is open or never classified. */
export function classify(state: DossierState, calendar: LocalDater): Classification | null {
  if (state.dueAt === null || state.receivedAt === null) return null; // never received (incl. refused)
  let measuredAt: string | null;
  let basis: ClassificationBasis;
  switch (state.status) {
    case 'completed':
      measuredAt = state.completedAt;
      basis = 'completed';
      break;
    case 'result_returned':
      measuredAt = state.completedAt ?? state.returnedAt;
      basis = state.completedAt ? 'completed' : 'returned';
      break;
    case 'stopped':
      measuredAt = state.closedWhilePaused?.since ?? state.stoppedAt;
      basis = state.closedWhilePaused ? 'stopped_while_paused' : 'stopped';
      break;
    default:
      return null; // open, withdrawn
  }
  if (measuredAt === null) return null;
  const version = state.scoringRuleVersion ?? DEFAULT_SCORING_RULE_VERSION;
  const rule = scoringRule(version);
  const clockTimeliness = timelinessAt(measuredAt, state.dueAt, state.deadline?.unit, calendar);
  const tooMany = state.supplementRequestCount > rule.maxSupplementRequests;
  const timeliness: Timeliness = tooMany ? 'late' : clockTimeliness;
  return {
    measuredAt,
    basis,
    dueAt: state.dueAt,
    clockTimeliness,
    timeliness,
    reason: tooMany && clockTimeliness !== 'late' ? 'too_many_supplement_requests' : 'clock',
    onTime: timeliness !== 'late',
    scoringRuleVersion: version,
  };
}

/** True while the dossier's clock matters: received and not yet completed, stopped or withdrawn. */
export function isOpen(state: DossierState): boolean {
  return state.status === 'received' || state.status === 'in_processing' || state.status === 'awaiting_supplement' || state.status === 'awaiting_payment';
}

/**
 * The instant an unpaused dossier with this due date becomes overdue: local midnight after the due
 * date, since finishing any time on the due date is still on time; for deadlines counted in working
 * hours, the first millisecond past `dueAt`. The deadline watcher schedules on it.
 */
export function overdueFrom(dueAt: EpochMs | string, calendar: Pick<WorkingCalendar, 'hours'>, unit?: DeadlineUnit): EpochMs {
  if (unit === 'working_hours') return toMs(dueAt) + 1;
  return startOfNextLocalDay(toMs(dueAt), calendar.hours.utcOffsetMinutes);
}

/**
 * State of an open dossier at instant `at` (the state must be as of `at`): `paused` while the clock is
 * paused (but `overdue` if it was already overdue when it paused: a pause cannot undo lateness),
 * `overdue` after the due date, else `within_deadline`. Null when the dossier is not open.
 */
export function openTimeliness(state: DossierState, at: EpochMs | string, calendar: Pick<WorkingCalendar, 'localDate'>): OpenTimeliness | null {
  if (!isOpen(state) || state.dueAt === null) return null;
  const unit = state.deadline?.unit;
  if (state.paused) {
    return timelinessAt(state.paused.since, state.dueAt, unit, calendar) === 'late' ? 'overdue' : 'paused';
  }
  return timelinessAt(at, state.dueAt, unit, calendar) === 'late' ? 'overdue' : 'within_deadline';
}

/** ISO form of `overdueFrom`, for event data. */
export function overdueFromIso(dueAt: string, calendar: Pick<WorkingCalendar, 'hours'>, unit?: DeadlineUnit): string {
  return iso(overdueFrom(dueAt, calendar, unit));
}
