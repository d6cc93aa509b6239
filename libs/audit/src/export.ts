/**
 * Exports in the formats provincial offices exchange: CSV (UTF-8 with a byte-order mark, so Excel
 * shows Vietnamese correctly) and XLSX. Headers are bilingual ("Vietnamese / English"); instants are
 * shown in Viet Nam local time with the ISO-8601 UTC value alongside, so nothing is lost.
 */
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { SlaRow } from '@motcua/read-models';
import type { DossierHistory } from './history';
import { vnLocal } from './labels';
import type { FigureDifference, SlaReport } from './sla-report';

export interface Column {
  key: string;
  vi: string;
  en: string;
  width?: number;
}

export interface Sheet {
  name: string;
  columns: Column[];
  rows: Array<Record<string, string | number | null | undefined>>;
}

export const HISTORY_COLUMNS: Column[] = [
  { key: 'revision', vi: 'STT', en: 'Revision', width: 8 },
  { key: 'type', vi: 'Loại sự kiện', en: 'Event type', width: 30 },
  { key: 'eventVi', vi: 'Sự kiện', en: 'Event (vi)', width: 30 },
  { key: 'eventEn', vi: 'Sự kiện (tiếng Anh)', en: 'Event', width: 30 },
  { key: 'statusCode', vi: 'Mã trạng thái', en: 'Status code', width: 10 },
  { key: 'statusVi', vi: 'Trạng thái', en: 'Status (vi)', width: 26 },
  { key: 'statusEn', vi: 'Trạng thái (tiếng Anh)', en: 'Status', width: 26 },
  { key: 'occurredLocal', vi: 'Thời điểm xảy ra', en: 'Occurred (local)', width: 18 },
  { key: 'recordedLocal', vi: 'Thời điểm ghi nhận', en: 'Recorded (local)', width: 18 },
  { key: 'occurredAt', vi: 'Xảy ra (UTC)', en: 'Occurred at (UTC)', width: 26 },
  { key: 'recordedAt', vi: 'Ghi nhận (UTC)', en: 'Recorded at (UTC)', width: 26 },
  { key: 'actor', vi: 'Người thực hiện', en: 'Actor', width: 16 },
  { key: 'agencyCode', vi: 'Cơ quan', en: 'Agency', width: 16 },
  { key: 'dueBefore', vi: 'Hạn trước', en: 'Due before (local)', width: 18 },
  { key: 'dueAfter', vi: 'Hạn sau', en: 'Due after (local)', width: 18 },
  { key: 'effect', vi: 'Ảnh hưởng đến hạn', en: 'Due-date effect', width: 16 },
  { key: 'effectVi', vi: 'Diễn giải', en: 'Explanation (vi)', width: 60 },
  { key: 'effectEn', vi: 'Diễn giải (tiếng Anh)', en: 'Explanation', width: 60 },
  { key: 'hash', vi: 'Mã băm', en: 'Hash', width: 20 },
];

export function historySheet(h: DossierHistory): Sheet {
  return {
    name: 'Lịch sử hồ sơ',
    columns: HISTORY_COLUMNS,
    rows: h.entries.map((e) => ({
      revision: e.revision,
      type: e.type,
      eventVi: e.typeLabel.vi,
      eventEn: e.typeLabel.en,
      statusCode: e.statusCode,
      statusVi: e.statusLabel.vi,
      statusEn: e.statusLabel.en,
      occurredLocal: vnLocal(e.occurredAt),
      recordedLocal: vnLocal(e.recordedAt),
      occurredAt: e.occurredAt,
      recordedAt: e.recordedAt,
      actor: e.actor,
      agencyCode: e.agencyCode,
      dueBefore: vnLocal(e.effect.dueBefore),
      dueAfter: vnLocal(e.effect.dueAfter),
      effect: e.effect.kind,
      effectVi: e.invalid ? `Sự kiện không hợp lệ: ${e.invalid}` : e.effect.vi,
      effectEn: e.invalid ? `Invalid event: ${e.invalid}` : e.effect.en,
      hash: e.hash,
    })),
  };
}

export const SLA_COLUMNS: Column[] = [
  { key: 'key', vi: 'Khóa', en: 'Key', width: 16 },
  { key: 'agencyCode', vi: 'Mã cơ quan', en: 'Agency code', width: 16 },
  { key: 'name', vi: 'Tên cơ quan', en: 'Agency name', width: 30 },
  { key: 'level', vi: 'Cấp', en: 'Level', width: 10 },
  { key: 'procedureCode', vi: 'Mã thủ tục', en: 'Procedure code', width: 14 },
  { key: 'received', vi: 'Tiếp nhận', en: 'Received' },
  { key: 'receivedCounter', vi: 'Tiếp nhận trực tiếp', en: 'Received at the counter' },
  { key: 'receivedOnline', vi: 'Tiếp nhận trực tuyến', en: 'Received online' },
  { key: 'receivedPostal', vi: 'Tiếp nhận qua bưu chính', en: 'Received by post' },
  { key: 'completed', vi: 'Đã giải quyết', en: 'Completed' },
  { key: 'early', vi: 'Trước hạn', en: 'Early' },
  { key: 'onTime', vi: 'Đúng hạn', en: 'On time' },
  { key: 'late', vi: 'Trễ hạn', en: 'Late' },
  { key: 'openWithinDeadline', vi: 'Đang giải quyết trong hạn', en: 'Open within deadline' },
  { key: 'openOverdue', vi: 'Đang giải quyết quá hạn', en: 'Open overdue' },
  { key: 'paused', vi: 'Tạm dừng', en: 'Paused' },
  { key: 'withdrawn', vi: 'Rút hồ sơ', en: 'Withdrawn' },
  { key: 'refused', vi: 'Không tiếp nhận', en: 'Refused' },
  { key: 'stopped', vi: 'Dừng xử lý', en: 'Stopped' },
  { key: 'returned', vi: 'Đã trả kết quả', en: 'Returned' },
  { key: 'apologies', vi: 'Văn bản xin lỗi', en: 'Apologies' },
  { key: 'supplementRequests', vi: 'Yêu cầu bổ sung', en: 'Supplement requests' },
  { key: 'lateRate', vi: 'Tỷ lệ trễ hạn', en: 'Late rate' },
  { key: 'onTimeRate', vi: 'Tỷ lệ đúng hạn (766)', en: 'On-time rate (766)' },
  { key: 'onTimeScore', vi: 'Điểm tiến độ (20)', en: 'Progress score (20)' },
  { key: 'onlineRate', vi: 'Tỷ lệ trực tuyến', en: 'Online rate' },
];

export function slaRowValues(r: SlaRow): Sheet['rows'][number] {
  return {
    key: r.key,
    agencyCode: r.agencyCode ?? null,
    name: r.name ?? null,
    level: r.level ?? null,
    procedureCode: r.procedureCode ?? null,
    received: r.received,
    receivedCounter: r.receivedByChannel.counter,
    receivedOnline: r.receivedByChannel.online,
    receivedPostal: r.receivedByChannel.postal,
    completed: r.completed,
    early: r.early,
    onTime: r.onTime,
    late: r.late,
    openWithinDeadline: r.openWithinDeadline,
    openOverdue: r.openOverdue,
    paused: r.paused,
    withdrawn: r.withdrawn,
    refused: r.refused,
    stopped: r.stopped,
    returned: r.returned,
    apologies: r.apologies,
    supplementRequests: r.supplementRequests,
    lateRate: r.lateRate,
    onTimeRate: r.onTimeRate,
    onTimeScore: r.onTimeScore,
    onlineRate: r.onlineRate,
  };
}

const DIFF_COLUMNS: Column[] = [
  { key: 'key', vi: 'Khóa', en: 'Key', width: 16 },
  { key: 'figure', vi: 'Chỉ tiêu', en: 'Figure', width: 24 },
  { key: 'knownAt', vi: 'Theo số liệu tại thời điểm báo cáo', en: 'As known at', width: 16 },
  { key: 'today', vi: 'Theo số liệu hiện nay', en: 'Today', width: 16 },
];

/** Sheets of an SLA report: as known at (when asked), today, and the differences. */
export function slaSheets(r: SlaReport): Sheet[] {
  const sheets: Sheet[] = [];
  if (r.asKnownAt) sheets.push({ name: 'Theo thời điểm báo cáo', columns: SLA_COLUMNS, rows: r.asKnownAt.map(slaRowValues) });
  sheets.push({ name: 'Hiện nay', columns: SLA_COLUMNS, rows: r.today.map(slaRowValues) });
  if (r.differences) {
    sheets.push({ name: 'Chênh lệch', columns: DIFF_COLUMNS, rows: r.differences.map((d: FigureDifference) => ({ ...d })) });
  }
  return sheets;
}

const header = (c: Column) => `${c.vi} / ${c.en}`;

/**
 * A text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a leading tab or carriage
 * return, as OWASP lists them) is prefixed with an apostrophe, which spreadsheets show as text. Agency
 * names, token subjects and reasons come from users: `=HYPERLINK(…)` must reach the auditor as text.
 * Numbers stay numbers.
 */
export function neutralizeCsvCell(v: unknown): unknown {
  return typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** CSV of one sheet; UTF-8 with BOM; formula-like text neutralized (neutralizeCsvCell). */
export function toCsv(sheet: Sheet): Buffer {
  const text = stringify(
    sheet.rows.map((r) => sheet.columns.map((c) => neutralizeCsvCell(r[c.key] ?? ''))),
    { header: true, columns: sheet.columns.map(header) },
  );
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

/** CSV of several sheets: each preceded by a `# name` line. */
export function sheetsToCsv(sheets: Sheet[]): Buffer {
  if (sheets.length === 1) return toCsv(sheets[0]);
  const parts = sheets.map((s) => Buffer.concat([Buffer.from(`# ${s.name}\n`, 'utf8'), toCsv(s).subarray(3)]));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), ...parts.flatMap((p, i) => (i ? [Buffer.from('\n'), p] : [p]))]);
}

/**
 * What XML 1.0, and so an XLSX file, cannot carry: C0 controls other than tab, LF and CR, the noncharacters
 * U+FFFE and U+FFFF, and unpaired surrogates.
 */
// eslint-disable-next-line no-control-regex
const XML_DISALLOWED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text a workbook can hold: each character XML cannot carry becomes U+FFFD. Dossier codes, agency names,
 * reasons and token subjects may hold U+FFFF, and exceljs writes it as it is: the file then does not open
 * (Excel: "We found a problem with some content"; exceljs: "disallowed character").
 */
export function xmlSafe<T>(v: T): T {
  return (typeof v === 'string' ? v.replace(XML_DISALLOWED, '\ufffd') : v) as T;
}

/** XLSX workbook, one worksheet per sheet; bold frozen header row; numbers stay numbers; text made XML-safe (xmlSafe). */
export async function toXlsx(sheets: Sheet[], meta: { title?: string; creator?: string; created?: Date } = {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = xmlSafe(meta.creator ?? 'motcua audit');
  if (meta.title) wb.title = xmlSafe(meta.title);
  // Pinned when given so that an export is reproducible byte for byte apart from the zip timestamps.
  if (meta.created) wb.created = wb.modified = meta.created;
  for (const s of sheets) {
    const ws = wb.addWorksheet(xmlSafe(s.name.slice(0, 31)), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = s.columns.map((c) => ({ header: xmlSafe(header(c)), key: c.key, width: c.width ?? 14 }));
    ws.getRow(1).font = { bold: true };
    for (const r of s.rows) ws.addRow(Object.fromEntries(s.columns.map((c) => [c.key, xmlSafe(r[c.key] ?? null)])));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
