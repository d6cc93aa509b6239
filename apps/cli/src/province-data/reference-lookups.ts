import type { ReferenceLookups, AgencyRef } from '@motcua/province-data';
import { createLookups } from '@motcua/province-data';
import type { ReferenceData } from '@motcua/reference-data';
import { agencyView } from '@motcua/reference-data';

/**
 * Lookups for the dossier import from the reference-data read model (the `agency.*` / `procedure.*`
 * events imported with `import agencies|procedures`): agencies with their validity, procedure rules
 * as of the receipt date, versioned `{code}@{rulesVersion}`.
 */
export function lookupsFromReferenceData(model: ReferenceData): ReferenceLookups {
  const agencies: AgencyRef[] = [];
  for (const rec of model.allAgencies()) {
    const v = agencyView(rec);
    if (!v) continue;
    agencies.push({
      code: v.code,
      level: v.level,
      ...(v.parentCode ? { parentCode: v.parentCode } : {}),
      ...(v.validFrom ? { validFrom: v.validFrom } : {}),
      ...(v.validTo ? { validTo: v.validTo } : {}),
      ...(v.workingHours ? { workingHours: v.workingHours } : {}),
    });
  }
  const base = createLookups(agencies, []);
  return {
    ...base,
    procedure: (code, date) => {
      const rec = model.procedure(code);
      if (!rec) return undefined;
      const v = date ? model.procedureRulesAsOf(code, date) : { code, ...rec.versions[rec.versions.length - 1] };
      if (!v) return undefined;
      return {
        code,
        deadline: { value: v.deadlineValue, unit: v.deadlineUnit },
        ...(v.cutoffTime ? { cutoffTime: v.cutoffTime } : {}),
        paymentPausesClock: v.paymentPausesClock,
        version: `${code}@${v.rulesVersion}`,
      };
    },
    procedures: () => [],
  };
}
