/**
 * Rebuilding a calendar from the version string a dossier recorded at receipt. A dossier keeps the
 * rules of its receipt for life (domain notes, "Rule versions recorded at receipt"), so later commands
 * must compute with the calendar of that version, not with the agency's current hours.
 *
 * The version (`vn-<schedules version>+hours:<canonical hours>`, see working-calendar.ts) embeds the
 * working hours in the canonical form of `formatWorkingHours`; the schedules must be one of the data
 * sets this build knows (a version from a newer build fails loudly rather than computing wrongly).
 */
import { formatLocalTime, parseLocalTime } from './civil';
import { OFFICIAL_SCHEDULES, OfficialSchedules } from './official-schedules';
import type { WorkingDayGroup, WorkingHours, WorkingPeriod } from './types';
import { createWorkingCalendar, VnWorkingCalendar } from './working-calendar';
import { DEFAULT_WORKING_HOURS, formatWorkingHours, validateWorkingHours } from './working-hours';

export class UnknownCalendarVersionError extends Error {
  readonly code = 'UNKNOWN_CALENDAR_VERSION' as const;
  constructor(
    readonly version: string,
    reason: string,
  ) {
    super(`cannot rebuild calendar '${version}': ${reason}`);
    this.name = 'UnknownCalendarVersionError';
  }
}

const VERSION_RE = /^vn-([^+]+)\+hours:(.+)$/;
/** Calendars are immutable; a handful of versions exist in practice. The bound only guards memory. */
const MAX_CACHED = 1000;
const cache = new Map<string, VnWorkingCalendar>();

function parseDaysCanonical(spec: string): number[] {
  const range = /^([1-7])-([1-7])$/.exec(spec);
  if (range) {
    const a = Number(range[1]);
    const b = Number(range[2]);
    if (a > b) throw new RangeError(`bad weekday range '${spec}'`);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  return spec.split(',').map((d) => {
    if (!/^[1-7]$/.test(d)) throw new RangeError(`bad weekday '${d}'`);
    return Number(d);
  });
}

function parseGroupCanonical(text: string): WorkingDayGroup {
  const slash = text.lastIndexOf('/');
  if (slash < 0) throw new RangeError(`no '/' in group '${text}'`);
  const periods: WorkingPeriod[] = text
    .slice(0, slash)
    .split(',')
    .map((p) => {
      const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(p);
      if (!m) throw new RangeError(`bad period '${p}'`);
      return { start: formatLocalTime(parseLocalTime(m[1])), end: formatLocalTime(parseLocalTime(m[2])) };
    });
  return { weekdays: parseDaysCanonical(text.slice(slash + 1)), periods };
}

/** Inverse of `formatWorkingHours`: `07:00-11:30,13:30-17:00/1-5;07:00-11:30/6@+08:00`. */
export function parseCanonicalWorkingHours(text: string): WorkingHours {
  let body = text;
  let utcOffsetMinutes = 420;
  const at = text.indexOf('@');
  if (at >= 0) {
    const m = /^([+-])(\d{2}):(\d{2})$/.exec(text.slice(at + 1));
    if (!m) throw new RangeError(`bad offset in '${text}'`);
    utcOffsetMinutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    body = text.slice(0, at);
  }
  const [first, ...rest] = body.split(';').map(parseGroupCanonical);
  const hours: WorkingHours = { weekdays: first.weekdays, periods: first.periods, utcOffsetMinutes };
  if (rest.length) hours.additionalDays = rest;
  validateWorkingHours(hours);
  // Only the canonical text is accepted: then version -> calendar -> version is the identity.
  if (formatWorkingHours(hours) !== text) throw new RangeError(`'${text}' is not in canonical form (${formatWorkingHours(hours)})`);
  return hours;
}

/**
 * The calendar a version string was computed with (cached: same version, same instance).
 * Throws `UnknownCalendarVersionError` for a malformed version or schedules this build does not hold.
 */
export function calendarForVersion(version: string, knownSchedules: readonly OfficialSchedules[] = [OFFICIAL_SCHEDULES]): VnWorkingCalendar {
  const hit = cache.get(version);
  if (hit && knownSchedules.includes(hit.schedules)) return hit;
  const m = VERSION_RE.exec(version);
  if (!m) throw new UnknownCalendarVersionError(version, "expected 'vn-<schedules>+hours:<hours>'");
  const schedules = knownSchedules.find((s) => s.version === m[1]);
  if (!schedules) {
    throw new UnknownCalendarVersionError(
      version,
      `official schedules version '${m[1]}' is unknown (known: ${knownSchedules.map((s) => s.version).join(', ')})`,
    );
  }
  let hours: WorkingHours;
  try {
    hours = parseCanonicalWorkingHours(m[2]);
  } catch (err) {
    throw new UnknownCalendarVersionError(version, (err as Error).message);
  }
  const calendar = createWorkingCalendar({ hours, schedules });
  if (calendar.version !== version) throw new UnknownCalendarVersionError(version, `rebuilt as '${calendar.version}'`);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(version, calendar);
  return calendar;
}

/**
 * The calendar of an agency with these working hours (null/undefined = the default hours) under the
 * current official schedules; shares the cache of `calendarForVersion`.
 */
export function calendarForHours(hours?: WorkingHours | null, schedules: OfficialSchedules = OFFICIAL_SCHEDULES): VnWorkingCalendar {
  const h = hours ?? DEFAULT_WORKING_HOURS;
  const version = `vn-${schedules.version}+hours:${formatWorkingHours(h)}`;
  const hit = cache.get(version);
  if (hit && hit.schedules === schedules) return hit;
  const calendar = createWorkingCalendar({ hours: h, schedules });
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(version, calendar);
  return calendar;
}
