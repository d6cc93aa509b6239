/**
 * Public holidays of Viet Nam for state agencies: the rule-based default (Labour Code 2019) merged with
 * the official yearly schedules (official-schedules.ts), which win for the holidays they cover.
 *
 * Rules (Bộ luật Lao động 2019, Law 45/2019/QH14):
 *  - art. 112(1): paid public holidays
 *      a) Tết Dương lịch: 1 January;
 *      b) Tết Âm lịch: 5 days. The Prime Minister fixes the days each year. DEFAULT here: the last day of
 *         the lunar year (29 or 30 tháng Chạp, i.e. the day before Tết) plus mùng 1–4 of month 1;
 *      c) 30 April; d) 1 May;
 *      đ) Quốc khánh: 2 September plus one day immediately before or after. DEFAULT here (matches
 *         2021–2025 practice): the adjacent day that is a Monday or a Friday (bridging the weekend) if
 *         there is one, else 1 September if it is a weekday, else 3 September;
 *      e) Giỗ Tổ Hùng Vương: 10th day of the 3rd lunar month.
 *  - art. 111(3): when a holiday falls on the weekly rest day, the rest day is taken on the next working
 *    day (nghỉ bù). Weekly rest of state agencies: Saturday and Sunday (40-hour week, Decision
 *    188/1999/QĐ-TTg as amended), whatever an individual counter's opening hours are.
 */
import { daysFromCivil, formatLocalDate, isoWeekday, parseLocalDate } from './civil';
import { hungKingsDate, tetDate } from './lunar';
import type { HolidayKey, OfficialSchedules } from './official-schedules';

export interface DayOverride {
  /** true: a day worked in exchange (làm bù); false: a day off. */
  working: boolean;
  /** Vietnamese label, e.g. "Tết Nguyên đán", "Nghỉ bù". */
  label: string;
  /** Where it comes from: the citation of an official entry, or the Labour Code rule. */
  source: string;
}

const ALL_KEYS: HolidayKey[] = ['new_year', 'tet', 'hung_kings', 'reunification_day', 'labour_day', 'national_day'];
const LABOUR_CODE = 'Labour Code 2019 art. 112(1) (rule-based default)';
const COMPENSATORY = 'Labour Code 2019 art. 111(3) (rule-based default)';

function isWeekend(dayNumber: number): boolean {
  return isoWeekday(dayNumber) >= 6;
}

/** The default adjacent day of 2 September (see the rule in the header). */
function nationalDayAdjacent(year: number): number {
  const sep2 = daysFromCivil(year, 9, 2);
  const before = sep2 - 1;
  const after = sep2 + 1;
  const wdBefore = isoWeekday(before);
  const wdAfter = isoWeekday(after);
  if (wdBefore === 1 || wdBefore === 5) return before;
  if (wdAfter === 1 || wdAfter === 5) return after;
  return wdBefore <= 5 ? before : after;
}

/** Statutory holiday days of `year` for one key, by rule. */
function ruleDays(year: number, key: HolidayKey): Array<[number, string]> {
  switch (key) {
    case 'new_year':
      return [[daysFromCivil(year, 1, 1), 'Tết Dương lịch']];
    case 'tet': {
      const tet = parseLocalDate(tetDate(year));
      return [
        [tet - 1, 'Tết Nguyên đán (cuối năm âm lịch)'],
        [tet, 'Tết Nguyên đán (mùng 1)'],
        [tet + 1, 'Tết Nguyên đán (mùng 2)'],
        [tet + 2, 'Tết Nguyên đán (mùng 3)'],
        [tet + 3, 'Tết Nguyên đán (mùng 4)'],
      ];
    }
    case 'hung_kings':
      return [[parseLocalDate(hungKingsDate(year)), 'Giỗ Tổ Hùng Vương']];
    case 'reunification_day':
      return [[daysFromCivil(year, 4, 30), 'Ngày Giải phóng miền Nam, thống nhất đất nước']];
    case 'labour_day':
      return [[daysFromCivil(year, 5, 1), 'Ngày Quốc tế Lao động']];
    case 'national_day':
      return [
        [daysFromCivil(year, 9, 2), 'Quốc khánh'],
        [nationalDayAdjacent(year), 'Quốc khánh (ngày liền kề)'],
      ];
  }
}

/**
 * Day overrides (holidays and swapped working days) for one set of official schedules, computed
 * lazily per year and memoised: shared by every calendar built on the same schedules object.
 */
export class HolidayIndex {
  private readonly days = new Map<number, DayOverride>();
  private readonly doneYears = new Set<number>();
  private readonly byYear = new Map<number, OfficialSchedules['breaks']>();

  constructor(readonly schedules: OfficialSchedules) {
    for (const b of schedules.breaks) {
      const list = this.byYear.get(b.year) ?? [];
      list.push(b);
      this.byYear.set(b.year, list);
    }
  }

  /** The override of a day number, if any. Years around it are computed on first use. */
  get(dayNumber: number, year: number): DayOverride | undefined {
    // Entries of a holiday year can spill into the neighbour years (31 Dec for New Year).
    if (!this.doneYears.has(year) || !this.doneYears.has(year + 1) || !this.doneYears.has(year - 1)) {
      this.computeYear(year - 1);
      this.computeYear(year);
      this.computeYear(year + 1);
    }
    return this.days.get(dayNumber);
  }

  private computeYear(year: number): void {
    if (this.doneYears.has(year)) return;
    const covered = new Set<HolidayKey>();
    for (const b of this.byYear.get(year) ?? []) {
      b.covers.forEach((k) => covered.add(k));
      for (const range of b.daysOff) {
        const to = parseLocalDate(range.to);
        for (let d = parseLocalDate(range.from); d <= to; d++) {
          this.days.set(d, { working: false, label: b.label, source: b.source });
        }
      }
      for (const w of b.workingDays ?? []) {
        this.days.set(parseLocalDate(w), { working: true, label: `Làm bù (${b.label})`, source: b.source });
      }
    }
    const statutory: Array<[number, string]> = [];
    for (const key of ALL_KEYS) {
      if (!covered.has(key)) statutory.push(...ruleDays(year, key));
    }
    statutory.sort((a, b) => a[0] - b[0]);
    for (const [d, label] of statutory) {
      // Two rules can land on one day (e.g. Hùng Kings on 30 April): it is still one day off.
      if (!this.days.has(d)) this.days.set(d, { working: false, label, source: LABOUR_CODE });
    }
    // art. 111(3): each statutory day on a weekend gives one day off on the next free weekday.
    for (const [d, label] of statutory) {
      if (!isWeekend(d)) continue;
      let c = d + 1;
      while (isWeekend(c) || this.days.has(c)) c++;
      this.days.set(c, { working: false, label: `Nghỉ bù ${label}`, source: COMPENSATORY });
    }
    // Done only once computed: a year that cannot be (past 9999) throws each time it is asked, rather
    // than once and then answering without its holidays.
    this.doneYears.add(year);
  }

  /** All overrides of a Gregorian year, sorted (for UIs and the doc). */
  listYear(year: number): Array<{ date: string } & DayOverride> {
    const first = daysFromCivil(year, 1, 1);
    const last = daysFromCivil(year, 12, 31);
    this.get(first, year);
    const out: Array<{ date: string } & DayOverride> = [];
    for (let d = first; d <= last; d++) {
      const o = this.days.get(d);
      if (o) out.push({ date: formatLocalDate(d), ...o });
    }
    return out;
  }
}

const indexes = new WeakMap<OfficialSchedules, HolidayIndex>();

export function holidayIndexFor(schedules: OfficialSchedules): HolidayIndex {
  let idx = indexes.get(schedules);
  if (!idx) {
    idx = new HolidayIndex(schedules);
    indexes.set(schedules, idx);
  }
  return idx;
}
