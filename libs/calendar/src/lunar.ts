/**
 * The Vietnamese lunisolar calendar (âm lịch), computed astronomically at UTC+7.
 *
 * Why our own code and not an npm package: the calendar lib must stay dependency-free (the
 * architecture rule in .dependency-cruiser.js forbids node_modules imports from libs/calendar), and
 * libraries built on Chinese tables (UTC+8) are wrong on the years where the new moon falls between
 * 16:00 and 17:00 UTC (e.g. Tết 1985 and 2007). The method is the standard one, as published by
 * Hồ Ngọc Đức ("Thuật toán tính âm lịch"):
 *   - a month starts on the local day of a new moon (mean lunation + periodic terms, J. Meeus,
 *     "Astronomical Algorithms", ch. 49, low-precision series);
 *   - month 11 is the month that contains the winter solstice (sun longitude 270°);
 *   - in a year with 13 months (13 new moons between two months 11), the leap month is the first month
 *     after month 11 that contains no major solar term (sun longitude a multiple of 30°);
 *   - everything is evaluated at the time-zone offset given (7 h for Viet Nam, 8 h gives the Chinese
 *     calendar, which the tests use to show the difference).
 * Valid roughly for 1800–2199, far wider than any dossier.
 */
import { civilFromDays, daysFromCivil, formatLocalDate, JDN_UNIX_EPOCH, parseLocalDate } from './civil';
import type { LocalDate } from './types';

export const VIETNAM_TIME_ZONE_HOURS = 7;

const RAD = Math.PI / 180;
const SYNODIC_MONTH = 29.530588853;
/** JD of the new moon of 1900-01-01 (lunation k = 0 in the series below). */
const NEW_MOON_EPOCH_JD = 2415021.076998695;

export interface LunarDate {
  year: number;
  month: number;
  day: number;
  /** True for the intercalary (nhuận) month. */
  leap: boolean;
}

/** Julian day (fractional, UT) of the k-th new moon after 1900-01-01. */
function newMoonJd(k: number): number {
  const T = k / 1236.85;
  const T2 = T * T;
  const T3 = T2 * T;
  let jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * RAD);
  const M = (359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3) * RAD; // sun's anomaly
  const Mp = (306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3) * RAD; // moon's anomaly
  const F = (21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3) * RAD; // moon's argument of latitude
  const correction =
    (0.1734 - 0.000393 * T) * Math.sin(M) +
    0.0021 * Math.sin(2 * M) -
    0.4068 * Math.sin(Mp) +
    0.0161 * Math.sin(2 * Mp) -
    0.0004 * Math.sin(3 * Mp) +
    0.0104 * Math.sin(2 * F) -
    0.0051 * Math.sin(M + Mp) -
    0.0074 * Math.sin(M - Mp) +
    0.0004 * Math.sin(2 * F + M) -
    0.0004 * Math.sin(2 * F - M) -
    0.0006 * Math.sin(2 * F + Mp) +
    0.001 * Math.sin(2 * F - Mp) +
    0.0005 * Math.sin(2 * Mp + M);
  // ΔT (TT − UT) in days, polynomial fits before/after 1900-ish.
  const deltaT = T < -11 ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3 : -0.000278 + 0.000265 * T + 0.000262 * T2;
  return jd + correction - deltaT;
}

/** JDN of the local day on which the k-th new moon falls. */
function newMoonDay(k: number, tz: number): number {
  return Math.floor(newMoonJd(k) + 0.5 + tz / 24);
}

/** Apparent sun longitude (radians, 0..2π) at Julian day `jd` (UT). */
function sunLongitude(jd: number): number {
  const T = (jd - 2451545.0) / 36525;
  const T2 = T * T;
  const M = (357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2) * RAD;
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2;
  const C = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(M) + (0.019993 - 0.000101 * T) * Math.sin(2 * M) + 0.00029 * Math.sin(3 * M);
  const L = (L0 + C) * RAD;
  return L - 2 * Math.PI * Math.floor(L / (2 * Math.PI));
}

/** Index 0..11 of the 30° sector the sun is in at the start of local day `jdn`. */
function sunSector(jdn: number, tz: number): number {
  return Math.floor((sunLongitude(jdn - 0.5 - tz / 24) / Math.PI) * 6);
}

/** JDN of the first day of lunar month 11 (the one containing the winter solstice) of Gregorian `year`. */
function month11Start(year: number, tz: number): number {
  const dec31 = daysFromCivil(year, 12, 31) + JDN_UNIX_EPOCH;
  const k = Math.floor((dec31 - 2415021) / SYNODIC_MONTH);
  const nm = newMoonDay(k, tz);
  // If the sun is already past 270° at that new moon, the solstice fell in the previous lunation.
  return sunSector(nm, tz) >= 9 ? newMoonDay(k - 1, tz) : nm;
}

/** Offset (in months after month 11 starting at `a11`) of the leap month, for a 13-month year. */
function leapMonthOffset(a11: number, tz: number): number {
  const k = Math.floor((a11 - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH + 0.5);
  let i = 1;
  let sector = sunSector(newMoonDay(k + i, tz), tz);
  let previous: number;
  do {
    previous = sector;
    i++;
    sector = sunSector(newMoonDay(k + i, tz), tz);
  } while (sector !== previous && i < 14);
  return i - 1;
}

/** Gregorian local date → lunar date. */
export function solarToLunar(date: LocalDate, tz = VIETNAM_TIME_ZONE_HOURS): LunarDate {
  const jdn = parseLocalDate(date) + JDN_UNIX_EPOCH;
  const [gYear] = civilFromDays(jdn - JDN_UNIX_EPOCH);
  const k = Math.floor((jdn - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH);
  let monthStart = newMoonDay(k + 1, tz);
  if (monthStart > jdn) monthStart = newMoonDay(k, tz);
  let a11 = month11Start(gYear, tz);
  let b11 = a11;
  let lunarYear: number;
  if (a11 >= monthStart) {
    lunarYear = gYear;
    a11 = month11Start(gYear - 1, tz);
  } else {
    lunarYear = gYear + 1;
    b11 = month11Start(gYear + 1, tz);
  }
  const day = jdn - monthStart + 1;
  const diff = Math.floor((monthStart - a11) / 29);
  let leap = false;
  let month = diff + 11;
  if (b11 - a11 > 365) {
    const leapOff = leapMonthOffset(a11, tz);
    if (diff >= leapOff) {
      month = diff + 10;
      leap = diff === leapOff;
    }
  }
  if (month > 12) month -= 12;
  if (month >= 11 && diff < 4) lunarYear -= 1;
  return { year: lunarYear, month, day, leap };
}

/** Lunar date → Gregorian local date. Throws when the lunar date does not exist (e.g. a wrong leap month). */
export function lunarToSolar(lunar: LunarDate, tz = VIETNAM_TIME_ZONE_HOURS): LocalDate {
  const { year, month, day, leap } = lunar;
  let a11: number;
  let b11: number;
  if (month < 11) {
    a11 = month11Start(year - 1, tz);
    b11 = month11Start(year, tz);
  } else {
    a11 = month11Start(year, tz);
    b11 = month11Start(year + 1, tz);
  }
  const k = Math.floor(0.5 + (a11 - NEW_MOON_EPOCH_JD) / SYNODIC_MONTH);
  let off = month - 11;
  if (off < 0) off += 12;
  if (b11 - a11 > 365) {
    const leapOff = leapMonthOffset(a11, tz);
    let leapMonth = leapOff - 2;
    if (leapMonth < 0) leapMonth += 12;
    if (leap && month !== leapMonth) throw new RangeError(`Lunar year ${year} has no leap month ${month}`);
    if (leap || off >= leapOff) off += 1;
  } else if (leap) {
    throw new RangeError(`Lunar year ${year} has no leap month`);
  }
  const monthStart = newMoonDay(k + off, tz);
  return formatLocalDate(monthStart + day - 1 - JDN_UNIX_EPOCH);
}

/** Tết Nguyên Đán: day 1 of month 1 of the lunar year that starts in Gregorian `year`. */
export function tetDate(year: number, tz = VIETNAM_TIME_ZONE_HOURS): LocalDate {
  return lunarToSolar({ year, month: 1, day: 1, leap: false }, tz);
}

/** Giỗ Tổ Hùng Vương: 10th day of the 3rd (non-leap) lunar month. */
export function hungKingsDate(year: number, tz = VIETNAM_TIME_ZONE_HOURS): LocalDate {
  return lunarToSolar({ year, month: 3, day: 10, leap: false }, tz);
}
