// Every label the page shows, Vietnamese first (the monitors' language), English as a switch.
// Status and event-type labels come from the server (GET /api/dashboard/config, from the domain)
// and are merged in at start; the copies below are the fallback if that call fails.

export const DICT = {
  vi: {
    title: 'Theo dõi giải quyết hồ sơ',
    subtitle: 'Bộ phận một cửa',
    from: 'Từ ngày',
    to: 'Đến ngày',
    apply: 'Xem',
    language: 'English',
    logout: 'Đăng xuất',
    login: 'Đăng nhập',
    loginHelp: 'Dán mã truy cập (JWT) do quản trị viên cấp. Mã chỉ được giữ trong phiên làm việc của thẻ trình duyệt này.',
    tokenLabel: 'Mã truy cập',
    tokenInvalid: 'Mã truy cập không hợp lệ hoặc đã hết hạn.',
    signedInAs: 'Đăng nhập:',
    loading: 'Đang tải…',
    error: 'Lỗi',
    retry: 'Thử lại',
    none: 'Không có',
    agencyTree: 'Cây cơ quan, đơn vị',
    agency: 'Cơ quan / đơn vị',
    code: 'Mã',
    received: 'Tiếp nhận',
    onTimeScore: 'Điểm đúng hạn (/20)',
    onTimeRate: 'Tỷ lệ đúng hạn',
    lateRate: 'Tỷ lệ trễ hạn',
    onlineRate: 'Tỷ lệ trực tuyến',
    completed: 'Đã giải quyết',
    withinDeadline: 'Trong hạn',
    overdue: 'Quá hạn',
    paused: 'Tạm dừng',
    backlog: 'Đang giải quyết',
    rollupNote: 'Số liệu gồm cả các đơn vị trực thuộc.',
    freshness: 'Dữ liệu đến vị trí',
    behind: 'chậm',
    events: 'sự kiện',
    province: 'Toàn tỉnh',
    subunits: 'Đơn vị trực thuộc',
    dossierList: 'Danh sách hồ sơ',
    status: 'Trạng thái',
    allStatuses: 'Tất cả trạng thái',
    overdueOnly: 'Chỉ hồ sơ quá hạn',
    procedure: 'Thủ tục',
    channel: 'Kênh',
    receivedAt: 'Ngày tiếp nhận',
    dueAt: 'Hạn giải quyết',
    originalDueAt: 'Hạn ban đầu',
    promisedAt: 'Ngày hẹn trả',
    completedAt: 'Ngày giải quyết xong',
    timeliness: 'Tiến độ',
    more: 'Xem thêm',
    noDossiers: 'Không có hồ sơ.',
    charts: 'Diễn biến theo thời gian',
    chartLate: 'Tỷ lệ trễ hạn (%)',
    chartReceived: 'Số hồ sơ tiếp nhận',
    alerts: 'Cảnh báo',
    live: 'Trực tiếp',
    connecting: 'Đang kết nối…',
    disconnected: 'Mất kết nối, đang thử lại…',
    acknowledge: 'Đã xem',
    acknowledged: 'Đã xác nhận',
    noAlerts: 'Chưa có cảnh báo.',
    alert_due_soon: 'Sắp đến hạn',
    alert_deadline_missed: 'Quá hạn xử lý',
    dossier: 'Hồ sơ',
    history: 'Quá trình giải quyết',
    actor: 'Người thực hiện',
    occurredAt: 'Thời điểm',
    back: 'Quay lại',
    notFound: 'Không tìm thấy',
    notAvailable: 'Chức năng chưa sẵn sàng trên máy chủ',
    ch_counter: 'Trực tiếp tại quầy',
    ch_online: 'Trực tuyến',
    ch_postal: 'Bưu chính công ích',
    t_early: 'Trước hạn',
    t_on_time: 'Đúng hạn',
    t_late: 'Trễ hạn',
    t_within_deadline: 'Trong hạn',
    t_overdue: 'Quá hạn',
    t_paused: 'Tạm dừng',
    openDossier: 'Mở hồ sơ',
    searchDossier: 'Mã hồ sơ…',
  },
  en: {
    title: 'Dossier processing monitor',
    subtitle: 'One-stop shop',
    from: 'From',
    to: 'To',
    apply: 'Show',
    language: 'Tiếng Việt',
    logout: 'Log out',
    login: 'Log in',
    loginHelp: 'Paste the access token (JWT) your administrator gave you. It is kept only for this browser tab’s session.',
    tokenLabel: 'Access token',
    tokenInvalid: 'The token is invalid or has expired.',
    signedInAs: 'Signed in:',
    loading: 'Loading…',
    error: 'Error',
    retry: 'Retry',
    none: 'None',
    agencyTree: 'Agency tree',
    agency: 'Agency',
    code: 'Code',
    received: 'Received',
    onTimeScore: 'On-time score (/20)',
    onTimeRate: 'On-time rate',
    lateRate: 'Late rate',
    onlineRate: 'Online rate',
    completed: 'Completed',
    withinDeadline: 'Within deadline',
    overdue: 'Overdue',
    paused: 'Paused',
    backlog: 'Open dossiers',
    rollupNote: 'Figures include all sub-units.',
    freshness: 'Data up to position',
    behind: 'behind by',
    events: 'events',
    province: 'Province',
    subunits: 'Sub-units',
    dossierList: 'Dossiers',
    status: 'Status',
    allStatuses: 'All statuses',
    overdueOnly: 'Overdue only',
    procedure: 'Procedure',
    channel: 'Channel',
    receivedAt: 'Received',
    dueAt: 'Due',
    originalDueAt: 'Original due date',
    promisedAt: 'Promised return',
    completedAt: 'Completed',
    timeliness: 'Timeliness',
    more: 'More',
    noDossiers: 'No dossiers.',
    charts: 'Over time',
    chartLate: 'Late rate (%)',
    chartReceived: 'Dossiers received',
    alerts: 'Alerts',
    live: 'Live',
    connecting: 'Connecting…',
    disconnected: 'Disconnected, retrying…',
    acknowledge: 'Acknowledge',
    acknowledged: 'Acknowledged',
    noAlerts: 'No alerts yet.',
    alert_due_soon: 'Due soon',
    alert_deadline_missed: 'Deadline missed',
    dossier: 'Dossier',
    history: 'History',
    actor: 'Actor',
    occurredAt: 'When',
    back: 'Back',
    notFound: 'Not found',
    notAvailable: 'Not available on the server yet',
    ch_counter: 'At the counter',
    ch_online: 'Online',
    ch_postal: 'Public postal service',
    t_early: 'Early',
    t_on_time: 'On time',
    t_late: 'Late',
    t_within_deadline: 'Within deadline',
    t_overdue: 'Overdue',
    t_paused: 'Paused',
    openDossier: 'Open dossier',
    searchDossier: 'Dossier code…',
  },
};

/** Status -> { code, vi, en } (national codes, TrangThaiHoSo). Replaced by the server's copy. */
export const STATUSES = {
  submitted_online: { code: 1, vi: 'Mới đăng ký', en: 'Submitted online, not yet received' },
  received: { code: 2, vi: 'Được tiếp nhận', en: 'Received' },
  refused: { code: 3, vi: 'Không được tiếp nhận', en: 'Refused at intake' },
  in_processing: { code: 4, vi: 'Đang xử lý', en: 'In processing' },
  awaiting_supplement: { code: 5, vi: 'Yêu cầu bổ sung giấy tờ', en: 'Awaiting supplementation' },
  awaiting_payment: { code: 6, vi: 'Yêu cầu thực hiện nghĩa vụ tài chính', en: 'Awaiting payment' },
  withdrawn: { code: 7, vi: 'Công dân yêu cầu rút hồ sơ', en: 'Withdrawn by the applicant' },
  stopped: { code: 8, vi: 'Dừng xử lý', en: 'Processing stopped' },
  completed: { code: 9, vi: 'Đã xử lý xong', en: 'Processing completed' },
  result_returned: { code: 10, vi: 'Đã trả kết quả', en: 'Result returned' },
};

/** Event type -> { vi, en }; filled from the server. */
export const EVENT_TYPES = {};

let lang = (typeof localStorage !== 'undefined' && localStorage.getItem('motcua.lang')) || 'vi';
if (!DICT[lang]) lang = 'vi';

export const getLang = () => lang;
export function setLang(l) {
  lang = DICT[l] ? l : 'vi';
  localStorage.setItem('motcua.lang', lang);
  document.documentElement.lang = lang;
}

export function t(key) {
  return DICT[lang][key] ?? DICT.vi[key] ?? key;
}

export function mergeServerLabels(cfg) {
  for (const s of cfg?.statuses ?? []) STATUSES[s.status] = { code: s.code, vi: s.vi, en: s.en };
  Object.assign(EVENT_TYPES, cfg?.eventTypes ?? {});
}

/** `4 · Đang xử lý`: the national code first, as on the national portal. */
export function statusLabel(status, code) {
  const s = STATUSES[status];
  const c = code ?? s?.code;
  const text = s ? s[lang] : (status ?? '');
  return c ? `${c} · ${text}` : text;
}

export function eventLabel(type) {
  const l = EVENT_TYPES[type];
  return l ? l[lang] : type;
}

const locale = () => (lang === 'vi' ? 'vi-VN' : 'en-GB');

/** Integers as counted by the API. */
export function fmtInt(n) {
  return n === null || n === undefined ? '—' : new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 }).format(n);
}

/** A rate in [0, 1] as a percentage with one decimal (`12,5 %` / `12.5 %`); null (0/0) as a dash. */
export function fmtRate(r) {
  if (r === null || r === undefined) return '—';
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(r * 100) + ' %';
}

/** The 766 progress score, out of 20, two decimals. */
export function fmtScore(s) {
  if (s === null || s === undefined) return '—';
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(s);
}

/** An ISO instant in Viet Nam local time (UTC+7, no daylight saving): `26/06/2025 09:00`. */
export function fmtDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), {
    timeZone: 'Asia/Ho_Chi_Minh',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d);
}
