/**
 * `{ [key]: value }` when the value is present, else `{}`. JSON null in an optional field means "absent"
 * (class-validator's IsOptional lets it through), and events never carry explicit undefineds.
 */
export function opt<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value === undefined || value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The opaque applicant reference, when one was issued. */
export function ref(applicantRef: string | undefined): { applicantRef?: string } {
  return opt('applicantRef', applicantRef);
}
