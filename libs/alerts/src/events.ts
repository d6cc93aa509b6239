/**
 * Alert events: time passing becomes history. A due-soon warning and a monitor's acknowledgement are
 * recorded on the agency's alert stream `alerts-{agencyCode}`; a missed deadline is the dossier's own
 * `dossier.deadline-missed.v1`. Replaying the log reproduces every alert and its acknowledgement.
 */
export const ALERT_DUE_SOON_RAISED = 'alert.due-soon-raised.v1';
export const ALERT_ACKNOWLEDGED = 'alert.acknowledged.v1';
export const DOSSIER_DEADLINE_MISSED = 'dossier.deadline-missed.v1';

export type AlertKind = 'due_soon' | 'deadline_missed';

export interface DueSoonRaisedData {
  alertId: string;
  dossierCode: string;
  agencyCode: string;
  dueAt: string;
  /** First instant the dossier is late (`overdueFrom`). */
  overdueFrom: string;
  /** Working time left at detection (calendar time for calendar-day deadlines). */
  remainingWorkingMs: number;
  /** The instant the warning was due (planned). */
  occurredAt: string;
  /** When the watcher raised it. */
  detectedAt: string;
}

export interface AcknowledgedData {
  alertId: string;
  /** User id (token subject) of the monitor. */
  by: string;
  occurredAt: string;
}

export function alertStreamId(agencyCode: string): string {
  return `alerts-${agencyCode}`;
}

/** Alert ids are derived from what they are about, so a replay or a retry gives the same id. */
export function dueSoonAlertId(dossierCode: string, dueAt: string | number): string {
  return `due-soon-${dossierCode}-${typeof dueAt === 'number' ? dueAt : Date.parse(dueAt)}`;
}

export function deadlineMissedAlertId(dossierCode: string, dueAt: string | number): string {
  return `deadline-missed-${dossierCode}-${typeof dueAt === 'number' ? dueAt : Date.parse(dueAt)}`;
}

/** Command ids used by the watcher: the store's per-stream dedupe makes each raise happen once. */
export const dueSoonCommandId = dueSoonAlertId;
export const deadlineMissedCommandId = deadlineMissedAlertId;
export function acknowledgeCommandId(alertId: string): string {
  return `ack-${alertId}`;
}

/** Dossier codes may hold any printable character; BullMQ job ids must not contain ':'. Injective. */
export function jobKey(code: string): string {
  return code.replace(/[^A-Za-z0-9.-]/g, (c) => '_' + c.codePointAt(0)!.toString(16).padStart(2, '0') + '_');
}

export const DEADLINE_QUEUE = 'deadlines';
export const JOB_DUE_SOON = 'due-soon';
export const JOB_DEADLINE = 'deadline';

export function dueSoonJobId(code: string, dueAtMs: number): string {
  return `due-soon-${jobKey(code)}-${dueAtMs}`;
}
export function deadlineJobId(code: string, dueAtMs: number): string {
  return `deadline-${jobKey(code)}-${dueAtMs}`;
}

export interface DeadlineJobData {
  code: string;
  agencyCode: string;
  dueAt: string;
  dueAtMs: number;
  /** The planned instant (due-soon instant or overdueFrom). */
  at: number;
}
