/**
 * The working calendar a dossier was received under: `calendarForVersion` of @motcua/calendar rebuilds it
 * from the `calendarVersion` recorded at receipt (same calendar the counter decided with). A dossier
 * without one (never received) has no deadline; the default hours are returned for completeness.
 * Unknown versions throw `UnknownCalendarVersionError`: the job fails and is retried with back-off, and
 * stays visible in the failed count (a build without that year's schedules must be fixed, not guessed).
 */
import { calendarForHours, calendarForVersion as fromCalendarLib, type VnWorkingCalendar } from '@motcua/calendar';

export function calendarForVersion(version: string | null | undefined): VnWorkingCalendar {
  return version ? fromCalendarLib(version) : calendarForHours(null);
}
