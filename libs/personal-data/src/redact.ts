/**
 * pino redaction paths for applicants' personal data. The API never logs bodies; these paths are the second
 * line: should a body, a DTO or an applicant object reach a log call anyway, its identity fields are censored.
 * Field names are the API's (`applicant.name`, `idNumber`, `phone`, `address`), at the depths log objects use.
 */
const FIELDS = ['idNumber', 'phone', 'address'];
export const PERSONAL_DATA_REDACT_PATHS: string[] = [
  'applicant',
  '*.applicant',
  '*.*.applicant',
  'body',
  '*.body',
  'req.body',
  'request.body',
  ...FIELDS,
  ...FIELDS.map((f) => `*.${f}`),
  ...FIELDS.map((f) => `*.*.${f}`),
  'applicantName',
  '*.applicantName',
];
