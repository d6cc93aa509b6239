/**
 * The working calendar a dossier was received under, rebuilt from the `calendarVersion` recorded on its
 * receipt (`vn-<data version>+hours:<canonical hours>`, see createWorkingCalendar / formatWorkingHours).
 * libs/calendar has no `calendarForVersion` yet: this parses the canonical hours back and builds the
 * calendar with today's official schedules. When the holiday data version in the string differs from
 * the current one, the current data is used (holiday data only ever gains years; published years do not
 * change), which is the best the deadline watcher can do without a versioned archive of schedules.
 */
import { createWorkingCalendar, type VnWorkingCalendar, type WorkingDayGroup, type WorkingHours, type WorkingPeriod } from '@motcua/calendar';

const cache = new Map<string, VnWorkingCalendar>();

function parseDays(spec: string): number[] {
  const days: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^(\d)(?:-(\d))?$/.exec(part);
    if (!m) throw new RangeError(`invalid weekday list '${spec}'`);
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    for (let d = a; d <= b; d++) days.push(d);
  }
  return days;
}

function parseGroup(g: string): WorkingDayGroup {
  const [periods, days] = g.split('/');
  if (!periods || !days) throw new RangeError(`invalid working-hours group '${g}'`);
  return {
    weekdays: parseDays(days),
    periods: periods.split(',').map((p): WorkingPeriod => {
      const [start, end] = p.split('-');
      return { start, end };
    }),
  };
}

/** Parses the canonical text of `formatWorkingHours` (`07:00-11:30,13:30-17:00/1-5;…@+08:00`). */
export function parseCanonicalWorkingHours(text: string): WorkingHours {
  const [body, offset] = text.split('@');
  let utcOffsetMinutes = 420;
  if (offset) {
    const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
    if (!m) throw new RangeError(`invalid offset '${offset}'`);
    utcOffsetMinutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  }
  const groups = body.split(';').map(parseGroup);
  const hours: WorkingHours = { weekdays: groups[0].weekdays, periods: groups[0].periods, utcOffsetMinutes };
  if (groups.length > 1) hours.additionalDays = groups.slice(1);
  return hours;
}

/** The calendar of a recorded `calendarVersion`; default hours when the version carries none. */
export function calendarForVersion(version: string | null | undefined): VnWorkingCalendar {
  const key = version ?? '';
  let cal = cache.get(key);
  if (!cal) {
    const i = key.indexOf('+hours:');
    cal = i >= 0 ? createWorkingCalendar({ hours: parseCanonicalWorkingHours(key.slice(i + '+hours:'.length)), version: key }) : createWorkingCalendar();
    cache.set(key, cal);
  }
  return cal;
}
