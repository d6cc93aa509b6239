/**
 * Official yearly schedules of public holidays for state agencies (cán bộ, công chức, viên chức), as
 * announced each year by the Government / MOLISA (since March 2025: the Ministry of Home Affairs).
 *
 * Each entry replaces the rule-based default (holidays.ts) for the holidays it `covers` in its year;
 * holidays of a year not covered by any entry keep the rule-based default. `daysOff` are the announced
 * break days (weekends included as announced, harmless); `workingDays` are Saturdays/Sundays worked in
 * exchange for a swapped weekday (làm bù).
 *
 * `verified: false` marks entries whose days follow from the rule and press coverage but whose source
 * document was not checked here: re-check them before relying on them in a dispute.
 *
 * To add a year: append entries, bump OFFICIAL_SCHEDULES_VERSION (dossiers record it at receipt, so a
 * change never rewrites the deadline of a dossier already received under the old version), and add a test.
 */
import type { LocalDate } from './types';

export type HolidayKey = 'new_year' | 'tet' | 'hung_kings' | 'reunification_day' | 'labour_day' | 'national_day';

export interface DateRange {
  from: LocalDate;
  /** Inclusive. */
  to: LocalDate;
}

export interface OfficialBreak {
  /** The Gregorian year the holiday belongs to (Tết: the year of its first lunar day). */
  year: number;
  /** The statutory holidays this announcement sets for `year`: they no longer use the default rule. */
  covers: HolidayKey[];
  /** Vietnamese label, for UIs. */
  label: string;
  daysOff: DateRange[];
  /** Days worked in exchange for a swapped weekday off (normally Saturdays). */
  workingDays?: LocalDate[];
  source: string;
  verified: boolean;
  note?: string;
}

export interface OfficialSchedules {
  /** Identifies this data set; part of every calendar version string. */
  version: string;
  breaks: OfficialBreak[];
}

export const OFFICIAL_SCHEDULES_VERSION = '2026.1';

const RULE_ONLY = 'Follows the Labour Code 2019 art. 111(3)/112 rule (compensatory day when a holiday falls on a weekend)';

export const OFFICIAL_BREAKS: OfficialBreak[] = [
  // ---------------------------------------------------------------- 2022
  {
    year: 2022,
    covers: ['new_year'],
    label: 'Tết Dương lịch 2022',
    daysOff: [{ from: '2022-01-01', to: '2022-01-03' }],
    source: 'Labour Code 2019 art. 111(3), 112; 1 Jan 2022 was a Saturday, compensatory day Monday 3 Jan',
    verified: false,
    note: RULE_ONLY + '; announcement document not recorded.',
  },
  {
    year: 2022,
    covers: ['tet'],
    label: 'Tết Nguyên đán Nhâm Dần 2022',
    daysOff: [{ from: '2022-01-29', to: '2022-02-06' }],
    source: 'Office of Government letter 245/VPCP-KGVX (11 Jan 2022): 5 Tết days plus the weekends before and after',
    verified: true,
    note: 'Statutory days 31 Jan (29 tháng Chạp, the last day of the year) to 4 Feb (mùng 4).',
  },
  {
    year: 2022,
    covers: ['hung_kings'],
    label: 'Giỗ Tổ Hùng Vương 2022',
    daysOff: [{ from: '2022-04-10', to: '2022-04-11' }],
    source: 'Labour Code 2019 art. 111(3), 112; 10/3 lunar = Sunday 10 Apr 2022, compensatory Monday 11 Apr',
    verified: false,
    note: RULE_ONLY + '; announcement document not recorded.',
  },
  {
    year: 2022,
    covers: ['reunification_day', 'labour_day'],
    label: 'Ngày Giải phóng miền Nam và Quốc tế Lao động 2022',
    daysOff: [{ from: '2022-04-30', to: '2022-05-03' }],
    source: 'Labour Code 2019 art. 111(3), 112; 30 Apr and 1 May 2022 were Saturday and Sunday, compensatory 2–3 May',
    verified: false,
    note: RULE_ONLY + '; announcement document not recorded.',
  },
  {
    year: 2022,
    covers: ['national_day'],
    label: 'Quốc khánh 2022',
    daysOff: [{ from: '2022-09-01', to: '2022-09-04' }],
    source: 'Government announcement of the 2022 National Day break (1 and 2 Sep, Thursday–Friday, plus the weekend)',
    verified: false,
    note: 'Adjacent day 1 Sep; document number not recorded.',
  },
  // ---------------------------------------------------------------- 2023
  {
    year: 2023,
    covers: ['new_year'],
    label: 'Tết Dương lịch 2023',
    daysOff: [{ from: '2022-12-31', to: '2023-01-02' }],
    source: 'Labour Code 2019 art. 111(3), 112; 1 Jan 2023 was a Sunday, compensatory Monday 2 Jan',
    verified: false,
    note: RULE_ONLY + '; announcement document not recorded.',
  },
  {
    year: 2023,
    covers: ['tet'],
    label: 'Tết Nguyên đán Quý Mão 2023',
    daysOff: [{ from: '2023-01-20', to: '2023-01-26' }],
    source: 'Government announcement for Tết 2023 (domain notes, one-stop-shop.md): 20–26 Jan',
    verified: false,
    note: 'Dates from the project domain notes; document number not recorded. Tết = Sunday 22 Jan 2023.',
  },
  {
    year: 2023,
    covers: ['hung_kings', 'reunification_day', 'labour_day'],
    label: 'Giỗ Tổ Hùng Vương, 30/4 và 1/5 2023',
    daysOff: [{ from: '2023-04-29', to: '2023-05-03' }],
    source: 'Labour Code 2019 art. 111(3), 112; 10/3 lunar = Saturday 29 Apr 2023, 30 Apr Sunday, 1 May Monday: compensatory 2–3 May',
    verified: false,
    note: RULE_ONLY + '; announcement document not recorded. Lunar year Quý Mão has a leap 2nd month.',
  },
  {
    year: 2023,
    covers: ['national_day'],
    label: 'Quốc khánh 2023',
    daysOff: [{ from: '2023-09-01', to: '2023-09-04' }],
    source: 'Government announcement of the 2023 National Day break: 1 Sep (adjacent day) and 2 Sep (Saturday, compensatory Monday 4 Sep)',
    verified: false,
    note: 'Document number not recorded.',
  },
  // ---------------------------------------------------------------- 2024
  {
    year: 2024,
    covers: ['new_year'],
    label: 'Tết Dương lịch 2024',
    daysOff: [{ from: '2024-01-01', to: '2024-01-01' }],
    source: 'Labour Code 2019 art. 112(1)(a); Monday 1 Jan 2024',
    verified: false,
    note: RULE_ONLY + '.',
  },
  {
    year: 2024,
    covers: ['tet'],
    label: 'Tết Nguyên đán Giáp Thìn 2024',
    daysOff: [{ from: '2024-02-08', to: '2024-02-14' }],
    source: 'Government announcement for Tết 2024 (domain notes, one-stop-shop.md): 8–14 Feb',
    verified: false,
    note: 'Dates from the project domain notes; document number not recorded. Tết = Saturday 10 Feb 2024.',
  },
  {
    year: 2024,
    covers: ['hung_kings'],
    label: 'Giỗ Tổ Hùng Vương 2024',
    daysOff: [{ from: '2024-04-18', to: '2024-04-18' }],
    source: 'Labour Code 2019 art. 112(1)(c); 10/3 lunar = Thursday 18 Apr 2024',
    verified: false,
    note: RULE_ONLY + '.',
  },
  {
    year: 2024,
    covers: ['reunification_day', 'labour_day'],
    label: 'Ngày Giải phóng miền Nam và Quốc tế Lao động 2024',
    daysOff: [{ from: '2024-04-27', to: '2024-05-01' }],
    workingDays: ['2024-05-04'],
    source: 'Government announcement (domain notes, one-stop-shop.md): 27 Apr–1 May off, Monday 29 Apr swapped, Saturday 4 May worked',
    verified: false,
    note: 'Dates from the project domain notes; document number not recorded.',
  },
  {
    year: 2024,
    covers: ['national_day'],
    label: 'Quốc khánh 2024',
    daysOff: [{ from: '2024-08-31', to: '2024-09-03' }],
    source: 'Government announcement (domain notes, one-stop-shop.md): 31 Aug–3 Sep; adjacent day Tuesday 3 Sep',
    verified: false,
    note: 'Dates from the project domain notes; document number not recorded.',
  },
  // ---------------------------------------------------------------- 2025
  {
    year: 2025,
    covers: ['new_year'],
    label: 'Tết Dương lịch 2025',
    daysOff: [{ from: '2025-01-01', to: '2025-01-01' }],
    source: 'Labour Code 2019 art. 112(1)(a); Wednesday 1 Jan 2025',
    verified: false,
    note: RULE_ONLY + '.',
  },
  {
    year: 2025,
    covers: ['tet'],
    label: 'Tết Nguyên đán Ất Tỵ 2025',
    daysOff: [{ from: '2025-01-25', to: '2025-02-02' }],
    source: 'Office of Government letter 8726/VPCP-KGVX (26 Nov 2024): 25 Jan–2 Feb 2025',
    verified: true,
    note:
      'No 30 tháng Chạp this year (28 Jan = 29th, the last day). Some press coverage mentioned a make-up ' +
      'Saturday (8 Feb 2025); not confirmed, so not recorded as a working day.',
  },
  {
    year: 2025,
    covers: ['hung_kings'],
    label: 'Giỗ Tổ Hùng Vương 2025',
    daysOff: [{ from: '2025-04-07', to: '2025-04-07' }],
    source: 'Labour Code 2019 art. 112(1)(c); 10/3 lunar = Monday 7 Apr 2025',
    verified: false,
    note: RULE_ONLY + '.',
  },
  {
    year: 2025,
    covers: ['reunification_day', 'labour_day'],
    label: 'Ngày Giải phóng miền Nam và Quốc tế Lao động 2025',
    daysOff: [{ from: '2025-04-30', to: '2025-05-04' }],
    workingDays: ['2025-04-26'],
    source: 'Government announcement (domain notes, one-stop-shop.md): 30 Apr–4 May off, Friday 2 May swapped with Saturday 26 Apr (worked)',
    verified: false,
    note: 'Dates from the project domain notes; document number not recorded.',
  },
  {
    year: 2025,
    covers: ['national_day'],
    label: 'Quốc khánh 2025',
    daysOff: [{ from: '2025-08-30', to: '2025-09-02' }],
    source: 'Official letter on the 2025 National Day break: 30 Aug–2 Sep; adjacent day Monday 1 Sep',
    verified: false,
    note: 'Document number not recorded.',
  },
  // ---------------------------------------------------------------- 2026
  {
    year: 2026,
    covers: ['new_year'],
    label: 'Tết Dương lịch 2026',
    daysOff: [{ from: '2026-01-01', to: '2026-01-04' }],
    workingDays: ['2026-01-10'],
    source: 'Government approval of 25 Dec 2025, announced by the Ministry of Home Affairs: Friday 2 Jan swapped with Saturday 10 Jan',
    verified: true,
    note: 'Reported by the press on 26 Dec 2025 (24h.com.vn); document number not recorded.',
  },
  {
    year: 2026,
    covers: ['tet'],
    label: 'Tết Nguyên đán Bính Ngọ 2026',
    daysOff: [{ from: '2026-02-14', to: '2026-02-22' }],
    source: 'Prime Minister approval of the Ministry of Home Affairs proposal (domain notes; congan.com.vn): 14–22 Feb 2026',
    verified: true,
    note: 'Statutory days 16 Feb (29 tháng Chạp) to 20 Feb (mùng 4). Document number not recorded.',
  },
  // 2026 Hùng Kings (Sunday 26 Apr → Monday 27 Apr), 30 Apr–1 May and 2 Sep: rule-based default until the
  // announcements are recorded here.
];

export const OFFICIAL_SCHEDULES: OfficialSchedules = {
  version: OFFICIAL_SCHEDULES_VERSION,
  breaks: OFFICIAL_BREAKS,
};
