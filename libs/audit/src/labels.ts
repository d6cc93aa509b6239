/**
 * Vietnamese and English labels of what auditors read: event types and due-date effects.
 * Status labels come from the domain (STATUS_LABELS); these complete them for the history view.
 */
import type { DossierEventType } from '@motcua/domain';

export interface Label {
  vi: string;
  en: string;
}

export const EVENT_TYPE_LABELS: Readonly<Record<DossierEventType, Label>> = {
  'dossier.submitted-online.v1': { vi: 'Nộp hồ sơ trực tuyến', en: 'Submitted online' },
  'dossier.received.v1': { vi: 'Tiếp nhận hồ sơ', en: 'Received' },
  'dossier.refused.v1': { vi: 'Từ chối tiếp nhận', en: 'Refused at intake' },
  'dossier.step-recorded.v1': { vi: 'Chuyển bước xử lý', en: 'Processing step (hand-over)' },
  'dossier.supplement-requested.v1': { vi: 'Yêu cầu bổ sung giấy tờ', en: 'Supplementation requested' },
  'dossier.supplement-supplied.v1': { vi: 'Công dân bổ sung giấy tờ', en: 'Supplement supplied' },
  'dossier.payment-requested.v1': { vi: 'Yêu cầu thực hiện nghĩa vụ tài chính', en: 'Payment requested' },
  'dossier.payment-recorded.v1': { vi: 'Đã thực hiện nghĩa vụ tài chính', en: 'Payment recorded' },
  'dossier.apology-issued.v1': { vi: 'Văn bản xin lỗi và hẹn lại ngày trả', en: 'Apology letter with a new promised date' },
  'dossier.completed.v1': { vi: 'Đã xử lý xong', en: 'Processing completed' },
  'dossier.result-returned.v1': { vi: 'Đã trả kết quả', en: 'Result returned' },
  'dossier.withdrawn.v1': { vi: 'Công dân rút hồ sơ', en: 'Withdrawn by the applicant' },
  'dossier.stopped.v1': { vi: 'Dừng xử lý', en: 'Processing stopped' },
  'dossier.deadline-missed.v1': { vi: 'Quá hạn xử lý', en: 'Deadline missed' },
};

export function eventTypeLabel(type: string): Label {
  return (EVENT_TYPE_LABELS as Record<string, Label>)[type] ?? { vi: type, en: type };
}

/** Viet Nam: UTC+7 without daylight saving since 1975. */
export const VN_OFFSET_MS = 7 * 3_600_000;

/** `2025-06-26 09:00` in Viet Nam local time, the way a clerk reads a receipt. */
export function vnLocal(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t + VN_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** Local (+07) calendar date of an instant. */
export function vnDate(t: number): string {
  return new Date(t + VN_OFFSET_MS).toISOString().slice(0, 10);
}

export const VN_DATER = { localDate: vnDate };

/** Working hours, trimmed: 8, 2.5, 0.25. */
export function hours(ms: number): string {
  return String(Math.round((ms / 3_600_000) * 100) / 100);
}
