/**
 * A deterministic generator of a province's one-stop-shop data: the agency tree (with the 1 July 2025
 * reform), procedures with deadlines, and a stream of dossiers whose channel mix, late rates,
 * supplementations, withdrawals, apologies and online payments look like a real provincial report
 * (/work/shared/domain/one-stop-shop.md, "Scale"). Pure: no I/O, no clock; the same options give the same
 * rows, byte for byte. Dossiers are yielded one at a time (a province-year never sits in memory).
 */
import { createWorkingCalendar, type DeadlineRules, type WorkingCalendar } from '@motcua/calendar';
import type { AgencyLevel, AgencyRow, Channel, DeadlineUnit, DossierRow, ProcedureRow, ReportLevel } from './csv-format';
import { addDays, formatLocal, localMidnight } from './local-time';
import { createRng, type Rng } from './prng';

const HOUR = 3_600_000;
const WORKING_DAY = 8 * HOUR;

/** 1 July 2025: districts abolished, communes merged and placed directly under the province. */
export const REFORM_DATE = '2025-07-01';

export interface ProvinceOptions {
  seed: string | number;
  /** First local date of the period, `YYYY-MM-DD` (inclusive). */
  from: string;
  /** End of the period, `YYYY-MM-DD` (exclusive): later events are not in the files (dossiers still open). */
  to: string;
  /** Approximate number of dossiers over the period (Poisson noise per agency-day). */
  dossiers: number;
  /** Province letter code of the national list, e.g. `H30`. */
  provinceCode?: string;
  provinceName?: string;
  departments?: number;
  districts?: number;
  communesPerDistrict?: number;
  /** Old communes merged into one new commune at the reform. */
  communesPerMergedCommune?: number;
  /** Number of procedures per level (province covers the departments). */
  proceduresPerLevel?: Partial<Record<ReportLevel, number>>;
  /** Late rate per level (share of completed dossiers finished after their due date). */
  lateRates?: Partial<Record<ReportLevel, number>>;
  /**
   * The working calendar used for due dates and working-hour timestamps (every generated agency has the
   * default hours). Default: `createWorkingCalendar()`, the one the domain decides with, so due_at in the
   * file equals the due date the domain computes at import.
   */
  calendar?: WorkingCalendar;
}

/** Online share per level: counts of the provincial report of Nov 2022 (never a rounded rate). */
export const ONLINE_SHARE: Readonly<Record<ReportLevel, number>> = {
  province: 2_591 / 47_566,
  district: 47_318 / 236_389,
  commune: 109_347 / 362_307,
};
/** Volume share per level, from the same report. */
export const VOLUME_SHARE: Readonly<Record<ReportLevel, number>> = {
  province: 47_566 / 646_262,
  district: 236_389 / 646_262,
  commune: 362_307 / 646_262,
};
const DEFAULT_LATE: Record<ReportLevel, number> = { province: 0.025, district: 0.05, commune: 0.035 };
const POSTAL_SHARE = 0.015;

export interface GeneratedProcedure extends ProcedureRow {
  level: ReportLevel;
  rules: DeadlineRules;
  pausesOnPayment: boolean;
  hasFee: boolean;
}

export interface GeneratedAgency extends AgencyRow {
  level: AgencyLevel;
}

export interface GeneratedProvince {
  options: Required<Omit<ProvinceOptions, 'calendar' | 'proceduresPerLevel' | 'lateRates'>> & {
    proceduresPerLevel: Record<ReportLevel, number>;
    lateRates: Record<ReportLevel, number>;
  };
  agencies: GeneratedAgency[];
  procedures: GeneratedProcedure[];
  /** A fresh iterator over the dossiers each call (same rows every time). */
  dossiers(): Generator<DossierRow>;
}

// ---- names ----
const SYLLABLES = [
  'An',
  'Bình',
  'Cát',
  'Đông',
  'Hà',
  'Hòa',
  'Hưng',
  'Khánh',
  'Lạc',
  'Long',
  'Minh',
  'Mỹ',
  'Nam',
  'Ninh',
  'Phú',
  'Phước',
  'Quang',
  'Sơn',
  'Tân',
  'Thạnh',
  'Thành',
  'Thuận',
  'Tiên',
  'Trung',
  'Vĩnh',
  'Xuân',
  'Yên',
  'Lộc',
  'Hải',
  'Gia',
];
const DEPARTMENTS = [
  'Sở Tư pháp',
  'Sở Kế hoạch và Đầu tư',
  'Sở Tài nguyên và Môi trường',
  'Sở Xây dựng',
  'Sở Giao thông vận tải',
  'Sở Y tế',
  'Sở Giáo dục và Đào tạo',
  'Sở Lao động - Thương binh và Xã hội',
  'Sở Công Thương',
  'Sở Nông nghiệp và Phát triển nông thôn',
  'Sở Nội vụ',
  'Sở Tài chính',
  'Sở Văn hóa, Thể thao và Du lịch',
  'Sở Thông tin và Truyền thông',
  'Sở Khoa học và Công nghệ',
  'Ban Quản lý các Khu công nghiệp',
];
const PROCEDURE_NAMES: Record<ReportLevel, string[]> = {
  province: [
    'Cấp giấy chứng nhận đăng ký doanh nghiệp',
    'Cấp giấy phép xây dựng',
    'Cấp phiếu lý lịch tư pháp',
    'Cấp giấy phép lái xe',
    'Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh',
    'Cấp giấy phép lao động cho người nước ngoài',
    'Thẩm định báo cáo đánh giá tác động môi trường',
    'Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm',
    'Công nhận trường đạt chuẩn quốc gia',
    'Cấp giấy phép kinh doanh vận tải bằng xe ô tô',
  ],
  district: [
    'Cấp giấy chứng nhận quyền sử dụng đất lần đầu',
    'Đăng ký hộ kinh doanh',
    'Cấp giấy phép xây dựng nhà ở riêng lẻ',
    'Chứng thực bản sao từ bản chính',
    'Đăng ký kết hôn có yếu tố nước ngoài',
    'Thay đổi nội dung đăng ký hộ kinh doanh',
    'Giải quyết trợ cấp xã hội hằng tháng',
    'Cấp giấy phép bán lẻ sản phẩm thuốc lá',
  ],
  commune: [
    'Đăng ký khai sinh',
    'Đăng ký khai tử',
    'Đăng ký kết hôn',
    'Chứng thực chữ ký',
    'Chứng thực hợp đồng, giao dịch',
    'Xác nhận tình trạng hôn nhân',
    'Đăng ký thường trú',
    'Đăng ký giám hộ',
    'Trích lục hộ tịch',
  ],
};

function placeName(rng: Rng): string {
  const a = rng.pick(SYLLABLES);
  let b = rng.pick(SYLLABLES);
  while (b === a) b = rng.pick(SYLLABLES);
  return `${a} ${b}`;
}

// ---- agencies ----
const WORKING_HOURS = 'Mon-Fri 07:00-11:30 13:30-17:00';

function buildAgencies(o: GeneratedProvince['options'], rng: Rng): GeneratedAgency[] {
  const p = o.provinceCode;
  const validFrom = o.from < '2020-01-01' ? o.from : '2020-01-01';
  const beforeReform = addDays(REFORM_DATE, -1);
  const rows: GeneratedAgency[] = [];
  const provinceAgency = `000.00.00.${p}`;
  rows.push({
    code: provinceAgency,
    name: `Trung tâm Phục vụ hành chính công ${o.provinceName}`,
    level: 'province',
    parent_code: '',
    valid_from: validFrom,
    valid_to: '',
    working_hours: WORKING_HOURS,
  });
  for (let i = 0; i < o.departments; i++) {
    rows.push({
      code: `${p}.${i + 1}`,
      name: `${DEPARTMENTS[i % DEPARTMENTS.length]}${i >= DEPARTMENTS.length ? ` ${Math.floor(i / DEPARTMENTS.length) + 1}` : ''} ${o.provinceName}`,
      level: 'department',
      parent_code: provinceAgency,
      valid_from: validFrom,
      valid_to: '',
      working_hours: WORKING_HOURS,
    });
  }
  let merged = 0;
  for (let d = 0; d < o.districts; d++) {
    const districtCode = `${p}.${31 + d}`;
    rows.push({
      code: districtCode,
      name: `UBND huyện ${placeName(rng)}`,
      level: 'district',
      parent_code: provinceAgency,
      valid_from: validFrom,
      valid_to: beforeReform,
      working_hours: WORKING_HOURS,
    });
    // Old communes under the district until the reform; then merged groups under the province.
    for (let c = 0; c < o.communesPerDistrict; c++) {
      rows.push({
        code: `${districtCode}.${c + 1}`,
        name: `UBND xã ${placeName(rng)}`,
        level: 'commune',
        parent_code: districtCode,
        valid_from: validFrom,
        valid_to: beforeReform,
        working_hours: WORKING_HOURS,
      });
    }
    const newCommunes = Math.max(1, Math.ceil(o.communesPerDistrict / o.communesPerMergedCommune));
    for (let k = 0; k < newCommunes; k++) {
      merged++;
      rows.push({
        code: `${p}.${100 + merged}`,
        name: `UBND xã ${placeName(rng)}`,
        level: 'commune',
        parent_code: provinceAgency,
        valid_from: REFORM_DATE,
        valid_to: '',
        working_hours: WORKING_HOURS,
      });
    }
  }
  return rows;
}

// ---- procedures ----
function buildProcedures(o: GeneratedProvince['options'], rng: Rng): GeneratedProcedure[] {
  const rows: GeneratedProcedure[] = [];
  const used = new Set<string>();
  for (const level of ['province', 'district', 'commune'] as ReportLevel[]) {
    const names = PROCEDURE_NAMES[level];
    for (let i = 0; i < o.proceduresPerLevel[level]; i++) {
      let national: string;
      do {
        national = `${rng.chance(0.6) ? 1 : 2}.00${String(rng.int(0, 9999)).padStart(4, '0')}`;
      } while (used.has(national));
      used.add(national);
      // Some provinces publish local variants of a national procedure: `1.000948.H38`.
      const code = rng.chance(0.12) ? `${national}.${o.provinceCode}` : national;
      const unit = rng.weighted<DeadlineUnit>([
        ['working_days', 0.78],
        ['working_hours', 0.12],
        ['calendar_days', 0.1],
      ]);
      let value: number;
      if (unit === 'working_days') {
        value =
          level === 'commune'
            ? rng.weighted([
                [1, 4],
                [2, 2],
                [3, 3],
                [5, 3],
                [7, 1],
                [10, 1],
              ] as const)
            : rng.weighted([
                [1, 1],
                [3, 2],
                [5, 3],
                [7, 2],
                [10, 3],
                [12, 1],
                [15, 2],
                [20, 2],
              ] as const);
      } else if (unit === 'working_hours') {
        value = rng.pick([4, 8, 16] as const);
      } else {
        value = rng.pick([15, 30] as const);
      }
      // Cut-off: certification-like procedures (same day, next day after 15:00).
      const cutoff = unit !== 'calendar_days' && value <= 8 && rng.chance(0.35) ? '15:00' : '';
      const hasFee = rng.chance(0.45);
      const pausesOnPayment = hasFee && rng.chance(0.5);
      const base = names[i % names.length];
      rows.push({
        code,
        name: i < names.length ? base : `${base} (trường hợp ${Math.floor(i / names.length) + 1})`,
        deadline_value: String(value),
        deadline_unit: unit,
        cutoff_time: cutoff,
        payment_pauses_clock: String(pausesOnPayment),
        level,
        rules: { deadline: { value, unit }, ...(cutoff ? { cutoffTime: cutoff } : {}) },
        pausesOnPayment,
        hasFee,
      });
    }
  }
  return rows;
}

function resolveOptions(options: ProvinceOptions): GeneratedProvince['options'] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.from) || !/^\d{4}-\d{2}-\d{2}$/.test(options.to) || options.to <= options.from) {
    throw new Error(`generateProvince: from/to must be YYYY-MM-DD with from < to, got ${options.from}..${options.to}`);
  }
  if (!(options.dossiers >= 0)) throw new Error('generateProvince: dossiers must be >= 0');
  return {
    seed: options.seed,
    from: options.from,
    to: options.to,
    dossiers: options.dossiers,
    provinceCode: options.provinceCode ?? 'H30',
    provinceName: options.provinceName ?? 'tỉnh Hải Dương',
    departments: options.departments ?? 16,
    districts: options.districts ?? 10,
    communesPerDistrict: options.communesPerDistrict ?? 14,
    communesPerMergedCommune: options.communesPerMergedCommune ?? 3,
    proceduresPerLevel: { province: 60, district: 30, commune: 25, ...options.proceduresPerLevel },
    lateRates: { ...DEFAULT_LATE, ...options.lateRates },
  };
}

export function generateProvince(options: ProvinceOptions): GeneratedProvince {
  const o = resolveOptions(options);
  const calendar = options.calendar ?? createWorkingCalendar();
  const root = createRng(o.seed);
  const agencies = buildAgencies(o, root.fork('agencies'));
  const procedures = buildProcedures(o, root.fork('procedures'));
  return { options: o, agencies, procedures, dossiers: () => dossierRows(o, agencies, procedures, calendar, root.fork('dossiers')) };
}

interface ActiveAgency {
  code: string;
  level: ReportLevel;
  validFrom: string;
  validTo: string;
  weight: number;
  procedures: GeneratedProcedure[];
}

function* dossierRows(
  o: GeneratedProvince['options'],
  agencies: GeneratedAgency[],
  procedures: GeneratedProcedure[],
  cal: WorkingCalendar,
  rng: Rng,
): Generator<DossierRow> {
  const byLevel: Record<ReportLevel, GeneratedProcedure[]> = { province: [], district: [], commune: [] };
  for (const p of procedures) byLevel[p.level].push(p);
  const weightRng = rng.fork('weights');
  const active: ActiveAgency[] = agencies.map((a) => {
    const level: ReportLevel = a.level === 'department' ? 'province' : a.level;
    // Each agency handles a subset of its level's procedures; the province centre handles them all.
    const own = a.level === 'province' ? byLevel.province : byLevel[level].filter(() => weightRng.chance(0.6));
    return {
      code: a.code,
      level,
      validFrom: a.valid_from,
      validTo: a.valid_to || '9999-12-31',
      // Skewed volumes: a few busy agencies, many quiet ones.
      weight: Math.exp(weightRng.next() * 1.6),
      procedures: own.length > 0 ? own : byLevel[level],
    };
  });

  // Working days of the period, for the daily mean.
  const days: string[] = [];
  for (let d = o.from; d < o.to; d = addDays(d, 1)) if (cal.isWorkingDay(d)) days.push(d);
  if (days.length === 0) return;
  const periodEnd = localMidnight(o.to);
  // Before the reform the three levels share the volume; after it the district share moves to the communes.
  const perLevelPerDay = (level: ReportLevel, reformDone: boolean): number => {
    const share = reformDone
      ? level === 'district'
        ? 0
        : level === 'commune'
          ? VOLUME_SHARE.commune + VOLUME_SHARE.district
          : VOLUME_SHARE.province
      : VOLUME_SHARE[level];
    return (o.dossiers * share) / days.length;
  };
  const weightCache = new Map<string, Record<ReportLevel, number>>();

  for (const day of days) {
    const reformDone = day >= REFORM_DATE;
    const todays = active.filter((a) => a.validFrom <= day && day <= a.validTo);
    let sums = weightCache.get(`${reformDone}|${todays.length}`);
    if (!sums) {
      sums = { province: 0, district: 0, commune: 0 };
      for (const a of todays) sums[a.level] += a.weight;
      weightCache.set(`${reformDone}|${todays.length}`, sums);
    }
    const dayStart = localMidnight(day);
    const yymmdd = day.slice(2, 4) + day.slice(5, 7) + day.slice(8, 10);
    const open = cal.nextWorkingInstant(dayStart);
    const workingToday = cal.workingTimeBetween(dayStart, dayStart + 86_400_000);
    for (const a of todays) {
      const mean = (perLevelPerDay(a.level, reformDone) * a.weight) / sums[a.level];
      const n = rng.poisson(mean);
      if (n === 0) continue;
      const offsets: number[] = [];
      for (let i = 0; i < n; i++) offsets.push(Math.floor((rng.next() * workingToday) / 1000) * 1000);
      offsets.sort((x, y) => x - y);
      for (let i = 0; i < n; i++) {
        const receivedAt = cal.addWorkingTime(open, offsets[i]);
        yield dossier(`${a.code}-${yymmdd}-${String(i + 1).padStart(4, '0')}`, a, receivedAt, periodEnd, o, cal, rng);
      }
    }
  }
}

function dossier(
  code: string,
  agency: ActiveAgency,
  receivedAt: number,
  periodEnd: number,
  o: GeneratedProvince['options'],
  cal: WorkingCalendar,
  rng: Rng,
): DossierRow {
  const proc = rng.pick(agency.procedures);
  const online = ONLINE_SHARE[agency.level];
  const channel: Channel = rng.weighted<Channel>([
    ['online', online],
    ['postal', POSTAL_SHARE],
    ['counter', 1 - online - POSTAL_SHARE],
  ]);
  const dueAt = cal.dueAt(receivedAt, proc.rules);
  const clockStart = cal.nextWorkingInstant(receivedAt);
  const allowed = Math.max(HOUR, cal.workingTimeBetween(clockStart, dueAt));

  // Supplementations: each request inside the remaining time, each supply 1-5 working days later;
  // the due date moves out by the paused working time (spec "The clock").
  const supplementRoll = rng.next();
  const supplements = supplementRoll < 0.008 ? 2 : supplementRoll < 0.07 ? 1 : 0;
  const requested: number[] = [];
  const supplied: number[] = [];
  let effectiveDue = dueAt;
  let cursor = clockStart;
  for (let s = 0; s < supplements; s++) {
    const left = Math.max(HOUR, cal.workingTimeBetween(cursor, effectiveDue));
    const req = cal.addWorkingTime(cursor, Math.floor((left * (0.1 + 0.4 * rng.next())) / 60000) * 60000);
    const sup = cal.addWorkingTime(req, rng.int(1, 5) * WORKING_DAY - rng.int(0, 240) * 60000);
    // Resuming: the working time left at the request counts again from the supply (a request made
    // after the due date cannot move it).
    if (req < effectiveDue) effectiveDue = cal.addWorkingTime(cal.nextWorkingInstant(sup), cal.workingTimeBetween(req, effectiveDue));
    requested.push(req);
    supplied.push(sup);
    cursor = sup;
  }

  const withdrawn = supplements === 0 && rng.chance(0.006);
  const late = rng.chance(o.lateRates[agency.level]);
  let completedAt: number | undefined;
  let withdrawnAt: number | undefined;
  let apologyAt: number | undefined;
  if (withdrawn) {
    withdrawnAt = cal.addWorkingTime(cursor, Math.floor((allowed * rng.next() * 0.8) / 60000) * 60000 + 60000);
  } else if (late) {
    completedAt = cal.addWorkingTime(effectiveDue, WORKING_DAY + rng.int(0, 4 * 8 * 60) * 60000);
    // Most late dossiers get an apology letter before their due date (the circular's form).
    if (rng.chance(0.6)) {
      const left = cal.workingTimeBetween(cursor, effectiveDue);
      apologyAt = cal.addWorkingTime(cursor, Math.floor((left * (0.5 + 0.45 * rng.next())) / 60000) * 60000);
    }
  } else {
    const left = Math.max(60000, cal.workingTimeBetween(cursor, effectiveDue));
    // Skewed towards the deadline, as real processing is: a quarter lands on the due date itself.
    const f = rng.chance(0.25) ? 0.9 + 0.1 * rng.next() : 0.15 + 0.75 * rng.next();
    completedAt = cal.addWorkingTime(cursor, Math.max(60000, Math.floor((left * f) / 60000) * 60000));
  }
  let returnedAt: number | undefined;
  if (completedAt !== undefined && rng.chance(0.96)) {
    returnedAt = cal.addWorkingTime(completedAt, rng.int(0, 3 * 8 * 60) * 60000);
  }
  const paidOnline = proc.hasFee && channel === 'online' && rng.chance(0.55);
  const outcome = rng.chance(0.97) ? 'approved' : 'rejected';

  // Cut at the period end: what happened later is not yet known (still-open dossiers).
  const known = (t: number | undefined): t is number => t !== undefined && t < periodEnd;
  const reqCells: string[] = [];
  const supCells: string[] = [];
  let openPause = false;
  for (let s = 0; s < requested.length && !openPause; s++) {
    if (!known(requested[s])) break;
    reqCells.push(formatLocal(requested[s]));
    if (known(supplied[s])) supCells.push(formatLocal(supplied[s]));
    else openPause = true;
  }
  const completedKnown = !openPause && known(completedAt);
  return {
    dossier_code: code,
    agency_code: agency.code,
    procedure_code: proc.code,
    channel,
    received_at: formatLocal(receivedAt),
    due_at: formatLocal(dueAt),
    completed_at: completedKnown ? formatLocal(completedAt!) : '',
    outcome: completedKnown ? outcome : '',
    returned_at: completedKnown && known(returnedAt) ? formatLocal(returnedAt) : '',
    withdrawn_at: known(withdrawnAt) ? formatLocal(withdrawnAt) : '',
    supplement_requested_at: reqCells.join('|'),
    supplement_supplied_at: supCells.join('|'),
    apology_at: !openPause && known(apologyAt) && (!completedKnown || apologyAt < completedAt!) ? formatLocal(apologyAt) : '',
    paid_online: String(paidOnline),
  };
}
