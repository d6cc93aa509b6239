import { DEFAULT_WORKING_HOURS, formatWorkingHours, parseWorkingHours } from './working-hours';

describe('working hours', () => {
  it('parses the agencies.csv format', () => {
    expect(parseWorkingHours('Mon-Fri 07:00-11:30 13:30-17:00')).toEqual(DEFAULT_WORKING_HOURS);
    expect(parseWorkingHours('Mon-Sat 7:30-11:30 13:00-17:00')).toEqual({
      weekdays: [1, 2, 3, 4, 5, 6],
      periods: [
        { start: '07:30', end: '11:30' },
        { start: '13:00', end: '17:00' },
      ],
      utcOffsetMinutes: 420,
    });
  });

  it('parses further day groups separated by ";"', () => {
    const h = parseWorkingHours('Mon-Fri 07:00-11:30 13:30-17:00; Sat 07:00-11:30');
    expect(h.weekdays).toEqual([1, 2, 3, 4, 5]);
    expect(h.additionalDays).toEqual([{ weekdays: [6], periods: [{ start: '07:00', end: '11:30' }] }]);
    expect(formatWorkingHours(h)).toBe('07:00-11:30,13:30-17:00/1-5;07:00-11:30/6');
    expect(parseWorkingHours('Mon,Wed,Fri 08:00-12:00').weekdays).toEqual([1, 3, 5]);
  });

  it('formats the offset when it is not UTC+7', () => {
    expect(formatWorkingHours(parseWorkingHours('Mon-Fri 08:00-12:00', 480))).toBe('08:00-12:00/1-5@+08:00');
  });

  it('rejects malformed or overlapping hours', () => {
    expect(() => parseWorkingHours('')).toThrow(RangeError);
    expect(() => parseWorkingHours('Mon-Fri')).toThrow(RangeError);
    expect(() => parseWorkingHours('Xyz 07:00-11:00')).toThrow(RangeError);
    expect(() => parseWorkingHours('Mon-Fri 11:00-07:00')).toThrow(RangeError);
    expect(() => parseWorkingHours('Mon-Fri 07:00-12:00 11:00-17:00')).toThrow(RangeError);
    expect(() => parseWorkingHours('Mon-Fri 07:00-12:00; Fri 13:00-17:00')).toThrow(RangeError);
  });
});
