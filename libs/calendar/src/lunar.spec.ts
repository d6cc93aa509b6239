import { formatLocalDate, parseLocalDate } from './civil';
import { hungKingsDate, lunarToSolar, solarToLunar, tetDate } from './lunar';

// Our own table of Tết (mùng 1 tháng Giêng) in Viet Nam, from published almanacs.
const TET_VIETNAM: Array<[number, string]> = [
  [1968, '1968-01-29'],
  [1985, '1985-01-21'],
  [2000, '2000-02-05'],
  [2001, '2001-01-24'],
  [2002, '2002-02-12'],
  [2003, '2003-02-01'],
  [2004, '2004-01-22'],
  [2005, '2005-02-09'],
  [2006, '2006-01-29'],
  [2007, '2007-02-17'],
  [2008, '2008-02-07'],
  [2009, '2009-01-26'],
  [2010, '2010-02-14'],
  [2011, '2011-02-03'],
  [2012, '2012-01-23'],
  [2013, '2013-02-10'],
  [2014, '2014-01-31'],
  [2015, '2015-02-19'],
  [2016, '2016-02-08'],
  [2017, '2017-01-28'],
  [2018, '2018-02-16'],
  [2019, '2019-02-05'],
  [2020, '2020-01-25'],
  [2021, '2021-02-12'],
  [2022, '2022-02-01'],
  [2023, '2023-01-22'],
  [2024, '2024-02-10'],
  [2025, '2025-01-29'],
  [2026, '2026-02-17'],
  [2027, '2027-02-06'],
  [2028, '2028-01-26'],
];

// Hùng Kings' day, 10th day of the 3rd lunar month.
const HUNG_KINGS: Array<[number, string]> = [
  [2022, '2022-04-10'],
  [2023, '2023-04-29'], // after the leap 2nd month of Quý Mão
  [2024, '2024-04-18'],
  [2025, '2025-04-07'],
  [2026, '2026-04-26'],
];

describe('Vietnamese lunar calendar (UTC+7)', () => {
  it.each(TET_VIETNAM)('Tết %i is %s', (year, date) => {
    expect(tetDate(year)).toBe(date);
  });

  it('differs from the Chinese calendar (UTC+8) on 1985 and 2007, as published', () => {
    expect(tetDate(1985)).toBe('1985-01-21');
    expect(tetDate(1985, 8)).toBe('1985-02-20');
    expect(tetDate(2007)).toBe('2007-02-17');
    expect(tetDate(2007, 8)).toBe('2007-02-18');
    // Mậu Thân 1968: Viet Nam 29 Jan, China 30 Jan.
    expect(tetDate(1968, 8)).toBe('1968-01-30');
    // In ordinary years both agree.
    expect(tetDate(2024, 8)).toBe('2024-02-10');
  });

  it.each(HUNG_KINGS)("Hùng Kings' day %i is %s", (year, date) => {
    expect(hungKingsDate(year)).toBe(date);
  });

  it('knows the leap month and the last day of the year', () => {
    expect(solarToLunar('2023-03-22')).toEqual({ year: 2023, month: 2, day: 1, leap: true });
    expect(solarToLunar('2023-04-20')).toEqual({ year: 2023, month: 3, day: 1, leap: false });
    // Tết 2025 had no 30th of month 12; Tết 2024 had one.
    expect(solarToLunar('2025-01-28')).toEqual({ year: 2024, month: 12, day: 29, leap: false });
    expect(solarToLunar('2024-02-09')).toEqual({ year: 2023, month: 12, day: 30, leap: false });
    expect(() => lunarToSolar({ year: 2024, month: 2, day: 1, leap: true })).toThrow(RangeError);
    expect(lunarToSolar({ year: 2023, month: 2, day: 1, leap: true })).toBe('2023-03-22');
  });

  it('walks every lunar month of 1990–2035 consistently: months of 29 or 30 days, at most one leap month', () => {
    const problems: string[] = [];
    let previousStart = parseLocalDate(lunarToSolar({ year: 1989, month: 12, day: 1, leap: false }));
    for (let year = 1990; year <= 2035; year++) {
      let leaps = 0;
      for (let month = 1; month <= 12; month++) {
        for (const leap of [false, true]) {
          let date: string;
          try {
            date = lunarToSolar({ year, month, day: 1, leap });
          } catch {
            continue; // no such leap month this year
          }
          if (leap) leaps++;
          const start = parseLocalDate(date);
          const length = start - previousStart;
          if (length !== 29 && length !== 30) problems.push(`${date}: previous month has ${length} days`);
          const back = solarToLunar(date);
          if (back.year !== year || back.month !== month || back.day !== 1 || back.leap !== leap) {
            problems.push(`${date}: reads back as ${JSON.stringify(back)}`);
          }
          const eve = solarToLunar(formatLocalDate(start - 1));
          if (eve.day !== length) problems.push(`${date}: eve is day ${eve.day}`);
          previousStart = start;
        }
      }
      if (leaps > 1) problems.push(`${year}: ${leaps} leap months`);
    }
    expect(problems).toEqual([]);
  });
});
