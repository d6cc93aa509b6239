import { calendarForHours, calendarForVersion, parseCanonicalWorkingHours, UnknownCalendarVersionError } from './calendar-version';
import { OFFICIAL_SCHEDULES } from './official-schedules';
import { createWorkingCalendar } from './working-calendar';
import { formatWorkingHours, parseWorkingHours } from './working-hours';

describe('calendarForVersion', () => {
  it.each([
    'Mon-Fri 07:00-11:30 13:30-17:00',
    'Mon-Fri 07:30-11:30 13:00-17:00; Sat 07:30-11:30',
    'Mon,Wed,Fri 08:00-12:00',
    'Tue-Sat 07:00-11:00 13:00-16:30; Sun 08:00-10:00',
  ])('rebuilds the calendar of %s: same version, same arithmetic', (text) => {
    const original = createWorkingCalendar({ hours: parseWorkingHours(text) });
    const rebuilt = calendarForVersion(original.version);
    expect(rebuilt.version).toBe(original.version);
    expect(rebuilt.hours).toEqual(original.hours);
    const from = Date.parse('2025-01-24T09:15:00+07:00'); // Friday before Tết 2025
    expect(rebuilt.dueAt(from, { deadline: { value: 5, unit: 'working_days' } })).toBe(original.dueAt(from, { deadline: { value: 5, unit: 'working_days' } }));
  });

  it('keeps a non-default UTC offset', () => {
    const original = createWorkingCalendar({ hours: parseWorkingHours('Mon-Fri 08:00-17:00', 480) });
    expect(original.version).toContain('@+08:00');
    expect(calendarForVersion(original.version).hours.utcOffsetMinutes).toBe(480);
  });

  it('caches: the same version gives the same instance, shared with calendarForHours', () => {
    const a = calendarForHours(null);
    expect(a.version).toBe(createWorkingCalendar().version);
    expect(calendarForVersion(a.version)).toBe(a);
    expect(calendarForHours(parseWorkingHours('Mon-Fri 07:00-11:30 13:30-17:00'))).toBe(a);
  });

  it('throws a clear error for unknown schedules or malformed versions', () => {
    expect(() => calendarForVersion('vn-1999.9+hours:07:00-11:30,13:30-17:00/1-5')).toThrow(UnknownCalendarVersionError);
    expect(() => calendarForVersion('vn-1999.9+hours:07:00-11:30,13:30-17:00/1-5')).toThrow(/schedules version '1999.9' is unknown/);
    expect(() => calendarForVersion('custom-calendar')).toThrow(UnknownCalendarVersionError);
    expect(() => calendarForVersion(`vn-${OFFICIAL_SCHEDULES.version}+hours:7:00-11:30/1-5`)).toThrow(UnknownCalendarVersionError);
    expect(() => calendarForVersion(`vn-${OFFICIAL_SCHEDULES.version}+hours:07:00-11:30/1-9`)).toThrow(UnknownCalendarVersionError);
  });

  it('parseCanonicalWorkingHours is the inverse of formatWorkingHours', () => {
    const h = parseWorkingHours('Mon-Fri 07:00-11:30 13:30-17:00; Sat 07:00-11:30');
    expect(parseCanonicalWorkingHours(formatWorkingHours(h))).toEqual(h);
  });
});
