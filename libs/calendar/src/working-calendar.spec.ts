import fc from 'fast-check';
import { localInstant, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from './civil';
import type { OfficialSchedules } from './official-schedules';
import { OFFICIAL_SCHEDULES } from './official-schedules';
import type { DeadlineRules } from './types';
import { createWorkingCalendar } from './working-calendar';
import { parseWorkingHours } from './working-hours';

const at = (date: string, time: string) => localInstant(date, time, 420);
const days = (value: number): DeadlineRules => ({ deadline: { value, unit: 'working_days' } });
const H = MS_PER_HOUR;

describe('working calendar: acceptance dates (Tết 2025 and the official schedules)', () => {
  const cal = createWorkingCalendar();

  it('a 3-working-day dossier received Friday 24 Jan 2025 10:00 is due after the Tết 2025 break', () => {
    // Fri 24 Jan: 10:00–11:30 + 13:30–17:00 = 5 h; 25 Jan–2 Feb off (letter 8726/VPCP-KGVX);
    // Mon 3 Feb 8 h (13 h), Tue 4 Feb 8 h (21 h), Wed 5 Feb 07:00–10:00 (24 h = 3 × 8 h).
    const due = cal.dueAt(at('2025-01-24', '10:00'), days(3));
    expect(due).toBe(at('2025-02-05', '10:00'));
    expect(cal.localDate(due)).toBe('2025-02-05');
    for (const d of ['2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31']) {
      expect(cal.isWorkingDay(d)).toBe(false);
    }
  });

  it('received Friday 25 Apr 2025, skips 30 Apr–4 May and counts Saturday 26 Apr as a working day', () => {
    expect(cal.isWorkingDay('2025-04-26')).toBe(true);
    expect(cal.describeDay('2025-04-26').holiday?.working).toBe(true);
    for (const d of ['2025-04-30', '2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04']) {
      expect(cal.isWorkingDay(d)).toBe(false);
    }
    // 5 days = 40 h: Fri 25 (5 h), Sat 26 (13), Mon 28 (21), Tue 29 (29), Mon 5 May (37), Tue 6 May 07:00–10:00.
    expect(cal.dueAt(at('2025-04-25', '10:00'), days(5))).toBe(at('2025-05-06', '10:00'));
    // Without the swapped Saturday the same dossier would be due a day later.
    const noSwap: OfficialSchedules = {
      version: 'test-no-swap',
      breaks: OFFICIAL_SCHEDULES.breaks.map((b) => (b.year === 2025 ? { ...b, workingDays: [] } : b)),
    };
    expect(createWorkingCalendar({ schedules: noSwap }).dueAt(at('2025-04-25', '10:00'), days(5))).toBe(at('2025-05-07', '10:00'));
  });

  it('received at 17:30 starts the next working morning', () => {
    const received = at('2025-03-10', '17:30'); // Monday
    expect(cal.clockStart(received)).toBe(at('2025-03-11', '07:00'));
    expect(cal.dueAt(received, days(1))).toBe(at('2025-03-11', '17:00'));
    expect(cal.dueAt(received, { deadline: { value: 2, unit: 'working_hours' } })).toBe(at('2025-03-11', '09:00'));
    // Friday evening: Monday morning.
    expect(cal.clockStart(at('2025-03-14', '17:30'))).toBe(at('2025-03-17', '07:00'));
  });

  it('received in the lunch break starts at the afternoon opening', () => {
    const received = at('2025-03-11', '12:00');
    expect(cal.clockStart(received)).toBe(at('2025-03-11', '13:30'));
    expect(cal.dueAt(received, { deadline: { value: 1, unit: 'working_hours' } })).toBe(at('2025-03-11', '14:30'));
  });

  it('a 5-day supplementation pause over a weekend pushes the due date by the paused working time only', () => {
    const received = at('2025-01-06', '09:00'); // Monday
    const due = cal.dueAt(received, days(10));
    expect(due).toBe(at('2025-01-20', '09:00'));
    // Paused Wed 8 Jan 14:00 → Mon 13 Jan 14:00: 5 calendar days, 3 + 8 + 8 + 5 = 24 working hours.
    const pausedAt = at('2025-01-08', '14:00');
    const resumedAt = at('2025-01-13', '14:00');
    const paused = cal.workingTimeBetween(pausedAt, resumedAt);
    expect(paused).toBe(24 * H);
    const newDue = cal.addWorkingTime(due, paused);
    expect(newDue).toBe(at('2025-01-23', '09:00'));
    expect(cal.extendForPause(due, pausedAt, resumedAt)).toBe(newDue);
  });
});

describe('working calendar: semantics', () => {
  const cal = createWorkingCalendar();

  it('has a stable version naming data and hours', () => {
    expect(cal.version).toBe('vn-2026.1+hours:07:00-11:30,13:30-17:00/1-5');
    expect(createWorkingCalendar({ version: 'custom-1' }).version).toBe('custom-1');
    expect(createWorkingCalendar({ hours: parseWorkingHours('Mon-Sat 07:30-11:30 13:00-17:00') }).version).toBe('vn-2026.1+hours:07:30-11:30,13:00-17:00/1-6');
  });

  it('treats periods as [start, end)', () => {
    expect(cal.isWorkingInstant(at('2025-03-11', '07:00'))).toBe(true);
    expect(cal.isWorkingInstant(at('2025-03-11', '11:30') - 1)).toBe(true);
    expect(cal.isWorkingInstant(at('2025-03-11', '11:30'))).toBe(false);
    expect(cal.isWorkingInstant(at('2025-03-11', '17:00'))).toBe(false);
    expect(cal.isWorkingInstant(at('2025-03-15', '09:00'))).toBe(false); // Saturday
    expect(cal.nextWorkingInstant(at('2025-03-11', '11:30'))).toBe(at('2025-03-11', '13:30'));
    expect(cal.nextWorkingInstant(at('2025-03-11', '09:00'))).toBe(at('2025-03-11', '09:00'));
  });

  it('ends a due instant at the closing time when the working time is used up exactly', () => {
    expect(cal.dueAt(at('2025-03-11', '07:00'), days(1))).toBe(at('2025-03-11', '17:00'));
    expect(cal.dueAt(at('2025-03-11', '07:00'), { deadline: { value: 4.5, unit: 'working_hours' } })).toBe(at('2025-03-11', '11:30'));
  });

  it('skips the holidays of the official schedule and the rule-based ones', () => {
    // Friday 29 Apr 2022 → Sat 30 Apr–Tue 3 May off: 1 working day from 09:00 Fri ends Wed 4 May 09:00.
    expect(cal.dueAt(at('2022-04-29', '09:00'), days(1))).toBe(at('2022-05-04', '09:00'));
    // 2027 has no data: Tết 6 Feb 2027 (Saturday) → 5 Feb + 6–9 Feb + compensatory 10–11 Feb.
    expect(cal.isWorkingDay('2027-02-04')).toBe(true);
    for (const d of ['2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11']) {
      expect(cal.isWorkingDay(d)).toBe(false);
    }
    expect(cal.isWorkingDay('2027-02-12')).toBe(true);
    // New Year 2026: Friday 2 Jan swapped with Saturday 10 Jan.
    expect(cal.isWorkingDay('2026-01-02')).toBe(false);
    expect(cal.isWorkingDay('2026-01-10')).toBe(true);
  });

  it('applies a per-procedure cut-off time', () => {
    // Certification: same day, or next working day if received after 15:00 (calendar days, value 0).
    const certification: DeadlineRules = { deadline: { value: 0, unit: 'calendar_days' }, cutoffTime: '15:00' };
    expect(cal.dueAt(at('2025-03-11', '14:00'), certification)).toBe(at('2025-03-11', '17:00'));
    expect(cal.dueAt(at('2025-03-11', '15:00'), certification)).toBe(at('2025-03-11', '17:00'));
    expect(cal.dueAt(at('2025-03-11', '15:30'), certification)).toBe(at('2025-03-12', '17:00'));
    expect(cal.dueAt(at('2025-03-14', '15:30'), certification)).toBe(at('2025-03-17', '17:00'));
    // Working days: after the cut-off the clock starts at the next opening.
    const oneDay: DeadlineRules = { deadline: { value: 1, unit: 'working_days' }, cutoffTime: '15:00' };
    expect(cal.dueAt(at('2025-03-11', '15:30'), oneDay)).toBe(at('2025-03-12', '17:00'));
    expect(cal.dueAt(at('2025-03-11', '15:30'), days(1))).toBe(at('2025-03-12', '15:30'));
    // A cut-off does not apply on a non-working day: the clock starts Monday morning either way.
    expect(cal.dueAt(at('2025-03-15', '16:00'), oneDay)).toBe(at('2025-03-17', '17:00'));
  });

  it('counts calendar days per the Civil Code 2015 (art. 147, 148)', () => {
    const fifteen: DeadlineRules = { deadline: { value: 15, unit: 'calendar_days' } };
    // Received Wed 9 Apr 2025: the last day is Thu 24 Apr, ending at its closing time.
    expect(cal.dueAt(at('2025-04-09', '10:00'), fifteen)).toBe(at('2025-04-24', '17:00'));
    // Received Tue 15 Apr 2025: the last day is 30 Apr (holiday): end of the next working day, Mon 5 May.
    expect(cal.dueAt(at('2025-04-15', '10:00'), fifteen)).toBe(at('2025-05-05', '17:00'));
  });

  it('uses an agency day length other than 8 h as one working day', () => {
    const short = createWorkingCalendar({ hours: parseWorkingHours('Mon-Fri 07:30-11:30 13:30-16:30') });
    expect(short.workingDayMs).toBe(7 * H);
    expect(short.dueAt(at('2025-03-11', '07:30'), days(2))).toBe(at('2025-03-12', '16:30'));
  });

  it('counts a Saturday-morning group when the agency calendar lists it', () => {
    const sat = createWorkingCalendar({ hours: parseWorkingHours('Mon-Fri 07:00-11:30 13:30-17:00; Sat 07:00-11:30') });
    expect(sat.isWorkingDay('2025-03-15')).toBe(true);
    expect(sat.describeDay('2025-03-15').periods).toEqual([{ start: '07:00', end: '11:30' }]);
    // Fri 14 Mar 16:00 + 8 h: Fri 1 h, Sat 4.5 h, Mon 07:00–09:30.
    expect(sat.dueAt(at('2025-03-14', '16:00'), days(1))).toBe(at('2025-03-17', '09:30'));
    // A holiday Saturday stays off.
    expect(sat.isWorkingDay('2025-05-03')).toBe(false);
  });

  it('rejects negative or non-finite durations', () => {
    expect(() => cal.addWorkingTime(0, -1)).toThrow(RangeError);
    expect(() => cal.dueAt(0, { deadline: { value: Number.NaN, unit: 'working_days' } })).toThrow(RangeError);
  });
});

describe('working calendar: properties', () => {
  const calendars = [
    ['default', createWorkingCalendar()],
    ['Mon-Sat with short Saturday', createWorkingCalendar({ hours: parseWorkingHours('Mon-Fri 07:30-11:30 13:00-17:00; Sat 08:00-11:00') })],
  ] as const;
  const from = localInstant('2021-12-01', '00:00');
  const to = localInstant('2027-06-30', '00:00');
  const instant = fc.integer({ min: from, max: to });
  // Minute-aligned instants hit period boundaries often.
  const minuteInstant = fc.integer({ min: from / MS_PER_MINUTE, max: to / MS_PER_MINUTE }).map((m) => m * MS_PER_MINUTE);
  const anyInstant = fc.oneof(instant, minuteInstant);
  const workingMs = fc.integer({ min: 1, max: 60 * 8 * H });

  describe.each(calendars)('%s', (_name, cal) => {
    it('a due date always falls in (start, end] of a working period', () => {
      fc.assert(
        fc.property(
          anyInstant,
          fc.integer({ min: 1, max: 60 }),
          fc.constantFrom('working_days', 'working_hours', 'calendar_days' as const),
          (t, value, unit) => {
            const due = cal.dueAt(t, { deadline: { value, unit } });
            return due > t && cal.isWorkingInstant(due - 1);
          },
        ),
        { numRuns: 500 },
      );
    });

    it('adding a then b working days equals adding a + b', () => {
      fc.assert(
        fc.property(
          anyInstant,
          fc.integer({ min: 0, max: 40 }),
          fc.integer({ min: 0, max: 40 }),
          (t, a, b) => cal.addWorkingDays(cal.addWorkingDays(t, a), b) === cal.addWorkingDays(t, a + b),
        ),
        { numRuns: 500 },
      );
    });

    it('workingTimeBetween(a, addWorkingTime(a, x)) == x', () => {
      fc.assert(
        fc.property(anyInstant, workingMs, (t, x) => cal.workingTimeBetween(t, cal.addWorkingTime(t, x)) === x),
        { numRuns: 500 },
      );
    });

    it('pausing zero working time changes nothing', () => {
      fc.assert(
        fc.property(anyInstant, anyInstant, (t, p) => {
          const due = cal.dueAt(t, { deadline: { value: 5, unit: 'working_days' } });
          if (cal.extendForPause(due, p, p) !== due) return false;
          // A pause wholly outside working time (e.g. a weekend, a night) is zero working time too.
          const q = cal.nextWorkingInstant(p);
          return cal.extendForPause(due, p, q) === due;
        }),
        { numRuns: 300 },
      );
    });

    it('nextWorkingInstant is working and skips no working time', () => {
      fc.assert(
        fc.property(anyInstant, (t) => {
          const n = cal.nextWorkingInstant(t);
          return n >= t && cal.isWorkingInstant(n) && cal.workingTimeBetween(t, n) === 0;
        }),
        { numRuns: 500 },
      );
    });

    it('workingTimeBetween agrees with a minute-by-minute count', () => {
      fc.assert(
        fc.property(minuteInstant, fc.integer({ min: 0, max: 4 * 24 * 60 }), (t, minutes) => {
          let count = 0;
          for (let m = 0; m < minutes; m++) if (cal.isWorkingInstant(t + m * MS_PER_MINUTE)) count++;
          return cal.workingTimeBetween(t, t + minutes * MS_PER_MINUTE) === count * MS_PER_MINUTE;
        }),
        { numRuns: 100 },
      );
    });

    it('localDate follows the UTC+7 wall clock', () => {
      expect(cal.localDate(localInstant('2025-01-24', '23:59'))).toBe('2025-01-24');
      expect(cal.localDate(localInstant('2025-01-24', '23:59') + MS_PER_DAY)).toBe('2025-01-25');
    });
  });
});
