/**
 * What the dossier commands need from reference data: the agency's calendar (official schedules + its
 * working hours) and the procedure rules, both as of the dossier's receipt. Rules are versioned
 * `{procedureCode}@{rulesVersion}` (the same form the CLI's dossier import records).
 */
import { calendarForHours, calendarForVersion, parseWorkingHours, type VnWorkingCalendar } from '@motcua/calendar';
import type { DossierState, ProcedureRules } from '@motcua/domain';
import { ApiError } from '@motcua/platform';
import type { ReferenceData, AgencyView, ProcedureView } from '@motcua/reference-data';

export function procedureRulesOf(v: ProcedureView): ProcedureRules {
  return {
    code: v.code,
    deadline: { value: v.deadlineValue, unit: v.deadlineUnit },
    ...(v.cutoffTime ? { cutoffTime: v.cutoffTime } : {}),
    paymentPausesClock: v.paymentPausesClock,
    version: `${v.code}@${v.rulesVersion}`,
  };
}

function unknown(code: string, field: string, message: string): ApiError {
  return new ApiError(422, code, message, [{ field, message }]);
}

/** The agency on the (Viet Nam local) date, or 422 UNKNOWN_AGENCY. */
export function agencyOn(model: ReferenceData, agencyCode: string, date: string): AgencyView {
  const a = model.agencyAsOf(agencyCode, date);
  if (!a) throw unknown('UNKNOWN_AGENCY', 'agencyCode', `agency '${agencyCode}' does not exist on ${date}`);
  return a;
}

/** The procedure rules in force on the date, or 422 UNKNOWN_PROCEDURE. */
export function procedureOn(model: ReferenceData, procedureCode: string, date: string): ProcedureRules {
  const v = model.procedureRulesAsOf(procedureCode, date);
  if (!v) throw unknown('UNKNOWN_PROCEDURE', 'procedureCode', `procedure '${procedureCode}' is not in force on ${date}`);
  return procedureRulesOf(v);
}

/** Calendars by working-hours text: parsing and formatting the hours cost more than the rest of a receipt's decide. */
const byHoursText = new Map<string, VnWorkingCalendar>();
const MAX_CACHED_HOURS = 1000;

/** The calendar of an agency as it is today in reference data (for receipts). */
export function agencyCalendar(agency: AgencyView): VnWorkingCalendar {
  if (!agency.workingHours) return calendarForHours(null);
  let calendar = byHoursText.get(agency.workingHours);
  if (!calendar) {
    calendar = calendarForHours(parseWorkingHours(agency.workingHours));
    if (byHoursText.size >= MAX_CACHED_HOURS) byHoursText.clear();
    byHoursText.set(agency.workingHours, calendar);
  }
  return calendar;
}

/** The calendar recorded at receipt: a dossier keeps the rules of its receipt for life. */
export function dossierCalendar(state: DossierState): VnWorkingCalendar | null {
  return state.calendarVersion ? calendarForVersion(state.calendarVersion) : null;
}

/**
 * The procedure rules recorded at receipt (`procedureRulesVersion`); for older versions without the
 * `code@n` form, the rules in force on the receipt date.
 */
export function recordedProcedureRules(model: ReferenceData, state: DossierState, receiptDate: string): ProcedureRules {
  const code = state.procedureCode!;
  const m = /^(.*)@(\d+)$/.exec(state.procedureRulesVersion ?? '');
  if (m && m[1] === code) {
    const v = model.procedure(code)?.versions.find((x) => x.rulesVersion === Number(m[2]));
    if (v) return procedureRulesOf({ code, ...v });
  }
  return procedureOn(model, code, receiptDate);
}
