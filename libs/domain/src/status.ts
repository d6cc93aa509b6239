/**
 * Dossier statuses and their national codes (TrangThaiHoSo, used when syncing with the national portal).
 * See /work/shared/domain/one-stop-shop.md, "Lifecycle and the national status codes".
 */

export const DOSSIER_STATUSES = [
  'submitted_online',
  'received',
  'refused',
  'in_processing',
  'awaiting_supplement',
  'awaiting_payment',
  'withdrawn',
  'stopped',
  'completed',
  'result_returned',
] as const;

export type DossierStatus = (typeof DOSSIER_STATUSES)[number];

/** `none` is the state of a stream with no events yet: it has no national code. */
export type DossierStateName = 'none' | DossierStatus;

export type NationalStatusCode = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

export const NATIONAL_STATUS_CODE: Readonly<Record<DossierStatus, NationalStatusCode>> = {
  submitted_online: 1,
  received: 2,
  refused: 3,
  in_processing: 4,
  awaiting_supplement: 5,
  awaiting_payment: 6,
  withdrawn: 7,
  stopped: 8,
  completed: 9,
  result_returned: 10,
};

export function statusOfNationalCode(code: number): DossierStatus | undefined {
  return DOSSIER_STATUSES.find((s) => NATIONAL_STATUS_CODE[s] === code);
}

export const STATUS_LABELS: Readonly<Record<DossierStatus, { vi: string; en: string }>> = {
  submitted_online: { vi: 'Mới đăng ký', en: 'Submitted online, not yet received' },
  received: { vi: 'Được tiếp nhận', en: 'Received' },
  refused: { vi: 'Không được tiếp nhận', en: 'Refused at intake' },
  in_processing: { vi: 'Đang xử lý', en: 'In processing' },
  awaiting_supplement: { vi: 'Yêu cầu bổ sung giấy tờ', en: 'Awaiting supplementation' },
  awaiting_payment: { vi: 'Yêu cầu thực hiện nghĩa vụ tài chính', en: 'Awaiting payment' },
  withdrawn: { vi: 'Công dân yêu cầu rút hồ sơ', en: 'Withdrawn by the applicant' },
  stopped: { vi: 'Dừng xử lý', en: 'Processing stopped' },
  completed: { vi: 'Đã xử lý xong', en: 'Processing completed' },
  result_returned: { vi: 'Đã trả kết quả', en: 'Result returned' },
};

/** No action is allowed from these: the decider never emits an event from them. */
export const TERMINAL_STATUSES: readonly DossierStatus[] = ['refused', 'withdrawn', 'stopped', 'result_returned'];

export function isTerminal(state: DossierStateName): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(state);
}

/** Every action a command can ask for (the command's `type`). */
export const DOSSIER_ACTIONS = [
  'submit_online',
  'receive',
  'refuse',
  'record_step',
  'request_supplement',
  'supply_supplement',
  'request_payment',
  'record_payment',
  'issue_apology',
  'complete',
  'return_result',
  'withdraw',
  'stop',
  'mark_deadline_missed',
] as const;

export type DossierAction = (typeof DOSSIER_ACTIONS)[number];

/**
 * The transition table: from which states each action is allowed. `mark_deadline_missed` in
 * `awaiting_payment` is further limited to procedures whose payment does not pause the clock.
 */
export const ALLOWED_FROM: Readonly<Record<DossierAction, readonly DossierStateName[]>> = {
  submit_online: ['none'],
  receive: ['none', 'submitted_online'],
  refuse: ['none', 'submitted_online'],
  record_step: ['received', 'in_processing'],
  request_supplement: ['received', 'in_processing'],
  supply_supplement: ['awaiting_supplement'],
  request_payment: ['received', 'in_processing'],
  record_payment: ['awaiting_payment'],
  issue_apology: ['received', 'in_processing', 'awaiting_supplement', 'awaiting_payment'],
  complete: ['received', 'in_processing'],
  return_result: ['completed'],
  withdraw: ['submitted_online', 'received', 'in_processing', 'awaiting_supplement', 'awaiting_payment'],
  stop: ['received', 'in_processing', 'awaiting_supplement', 'awaiting_payment'],
  mark_deadline_missed: ['received', 'in_processing', 'awaiting_payment'],
};

/** Actions the table allows from a state (for UIs: which buttons to show). */
export function allowedActions(state: DossierStateName): DossierAction[] {
  return DOSSIER_ACTIONS.filter((a) => ALLOWED_FROM[a].includes(state));
}
