import { holidayIndexFor } from './holidays';
import { OFFICIAL_BREAKS, OFFICIAL_SCHEDULES, OfficialSchedules } from './official-schedules';
import { createWorkingCalendar } from './working-calendar';

const offDays = (s: OfficialSchedules, year: number) =>
  holidayIndexFor(s)
    .listYear(year)
    .filter((d) => !d.working)
    .map((d) => d.date);

describe('official schedules data', () => {
  it('covers 2022–2026 and cites a source for every entry', () => {
    for (const year of [2022, 2023, 2024, 2025, 2026]) {
      expect(OFFICIAL_BREAKS.some((b) => b.year === year && b.covers.includes('tet'))).toBe(true);
    }
    for (const b of OFFICIAL_BREAKS) {
      expect(b.source.length).toBeGreaterThan(10);
      if (!b.verified) expect(b.note).toBeTruthy();
      for (const r of b.daysOff) expect(r.from <= r.to).toBe(true);
    }
  });

  it('keeps the breaks given in the domain notes', () => {
    const cal = createWorkingCalendar();
    const off = (from: string, to: string) => {
      const out: string[] = [];
      for (let d = from; d <= to; d = nextDate(d)) if (!cal.isWorkingDay(d)) out.push(d);
      return out;
    };
    expect(off('2023-01-19', '2023-01-27')).toEqual(range('2023-01-20', '2023-01-26'));
    expect(off('2024-02-07', '2024-02-15')).toEqual(range('2024-02-08', '2024-02-14'));
    expect(off('2025-01-24', '2025-02-03')).toEqual(range('2025-01-25', '2025-02-02'));
    expect(off('2026-02-13', '2026-02-23')).toEqual(range('2026-02-14', '2026-02-22'));
    expect(off('2024-04-26', '2024-05-06')).toEqual(['2024-04-27', '2024-04-28', '2024-04-29', '2024-04-30', '2024-05-01', '2024-05-05']);
    expect(cal.isWorkingDay('2024-05-04')).toBe(true);
    expect(off('2024-08-30', '2024-09-04')).toEqual(range('2024-08-31', '2024-09-03'));
    expect(off('2025-08-29', '2025-09-03')).toEqual(range('2025-08-30', '2025-09-02'));
  });
});

describe('rule-based default (Labour Code 2019 art. 111, 112)', () => {
  const rulesOnly: OfficialSchedules = { version: 'rules-only', breaks: [] };

  it('gives the statutory days with compensatory days after weekends', () => {
    expect(offDays(rulesOnly, 2027)).toEqual([
      '2027-01-01',
      '2027-02-05', // last day of the lunar year
      '2027-02-06',
      '2027-02-07',
      '2027-02-08',
      '2027-02-09',
      '2027-02-10', // compensatory for Saturday 6 Feb
      '2027-02-11', // compensatory for Sunday 7 Feb
      '2027-04-16', // Hùng Kings
      '2027-04-30',
      '2027-05-01',
      '2027-05-03', // compensatory for Saturday 1 May
      '2027-09-02',
      '2027-09-03', // adjacent day: Friday bridges the weekend
    ]);
  });

  it('chooses the adjacent day of 2 September as in 2022–2025 practice', () => {
    const adjacent = (year: number) => offDays(rulesOnly, year).filter((d) => d.startsWith(`${year}-09`));
    expect(adjacent(2022)).toEqual(['2022-09-01', '2022-09-02']); // Friday → Thursday 1 Sep
    expect(adjacent(2023)).toEqual(['2023-09-01', '2023-09-02', '2023-09-04']); // Saturday → Friday, comp Monday
    expect(adjacent(2024)).toEqual(['2024-09-02', '2024-09-03']); // Monday → Tuesday
    expect(adjacent(2025)).toEqual(['2025-09-01', '2025-09-02']); // Tuesday → Monday
  });

  it('is overridden holiday by holiday by the data, other holidays keep the rule', () => {
    const only2026Tet: OfficialSchedules = {
      version: 't',
      breaks: OFFICIAL_SCHEDULES.breaks.filter((b) => b.year === 2026 && b.covers.includes('tet')),
    };
    const off = offDays(only2026Tet, 2026);
    expect(off).toContain('2026-02-14');
    expect(off).toContain('2026-02-22');
    expect(off).toContain('2026-01-01');
    expect(off).not.toContain('2026-01-02'); // rule: 1 Jan only
    expect(off).toContain('2026-04-27'); // Hùng Kings on Sunday 26 Apr → Monday
  });
});

describe('a year the calendar cannot compute', () => {
  it('throws every time it is asked, not once and then answers without its holidays', () => {
    const calendar = createWorkingCalendar({ schedules: { version: 'rules-only-10000', breaks: [] } });
    const in9999 = Date.parse('9999-12-30T02:00:00Z');
    // The holidays of 9999 need those of 10000 (New Year spills over): its local dates cannot be written.
    expect(() => calendar.workingTimeBetween(in9999, in9999 + 3_600_000)).toThrow(RangeError);
    expect(() => calendar.workingTimeBetween(in9999, in9999 + 3_600_000)).toThrow(RangeError);
  });
});

function nextDate(d: string): string {
  const [y, m, day] = d.split('-').map(Number);
  const dim = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  const [ny, nm, nd] = day < dim ? [y, m, day + 1] : m < 12 ? [y, m + 1, 1] : [y + 1, 1, 1];
  return `${ny}-${String(nm).padStart(2, '0')}-${String(nd).padStart(2, '0')}`;
}

function range(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = nextDate(d)) out.push(d);
  return out;
}
