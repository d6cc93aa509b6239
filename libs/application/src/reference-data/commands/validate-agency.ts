import { ApiError } from '@motcua/platform';
import { isLocalDate } from '@motcua/reference-data';
import { ReferenceData } from '@motcua/reference-data';

/** Checks the domain cannot express in a DTO: real dates, known parent, no cycle, ordered validity. */
export function checkAgencyRules(
  model: ReferenceData,
  code: string,
  v: { parentCode?: string | null; validFrom?: string | null; validTo?: string | null; effectiveFrom?: string | null },
): void {
  const details: { field: string; message: string }[] = [];
  for (const f of ['validFrom', 'validTo', 'effectiveFrom'] as const) {
    const d = v[f];
    if (d !== undefined && d !== null && !isLocalDate(d)) details.push({ field: f, message: `${f} is not a calendar date` });
  }
  if (v.validFrom && v.validTo && v.validTo < v.validFrom) details.push({ field: 'validTo', message: 'validTo is before validFrom' });
  if (v.parentCode) {
    if (v.parentCode === code) details.push({ field: 'parentCode', message: 'an agency cannot be its own parent' });
    else if (!model.agency(v.parentCode)) details.push({ field: 'parentCode', message: `unknown agency '${v.parentCode}'` });
    else {
      const date = v.effectiveFrom ?? v.validFrom ?? '9999-12-31';
      if (model.parentChain(v.parentCode, date).some((a) => a.code === code)) {
        details.push({ field: 'parentCode', message: `'${v.parentCode}' is under '${code}': that would make a cycle` });
      }
    }
  }
  if (details.length) throw new ApiError(422, 'INVALID_COMMAND', 'the agency change breaks a reference-data rule', details);
}
