export * from './types';
export {
  daysFromCivil,
  civilFromDays,
  isoWeekday,
  parseLocalDate,
  formatLocalDate,
  parseLocalTime,
  formatLocalTime,
  localInstant,
  MS_PER_MINUTE,
  MS_PER_HOUR,
  MS_PER_DAY,
} from './civil';
export { solarToLunar, lunarToSolar, tetDate, hungKingsDate, VIETNAM_TIME_ZONE_HOURS } from './lunar';
export type { LunarDate } from './lunar';
export { OFFICIAL_SCHEDULES, OFFICIAL_SCHEDULES_VERSION, OFFICIAL_BREAKS } from './official-schedules';
export type { OfficialSchedules, OfficialBreak, HolidayKey, DateRange } from './official-schedules';
export { HolidayIndex, holidayIndexFor } from './holidays';
export type { DayOverride } from './holidays';
export { DEFAULT_WORKING_HOURS, parseWorkingHours, formatWorkingHours, validateWorkingHours } from './working-hours';
export { createWorkingCalendar } from './working-calendar';
export type { CreateWorkingCalendarOptions, VnWorkingCalendar, DayInfo } from './working-calendar';
export { calendarForVersion, calendarForHours, parseCanonicalWorkingHours, UnknownCalendarVersionError } from './calendar-version';
