/**
 * What the store records about applicants' personal data, without any personal data: the stream
 * `applicant-{ref}` (the ref is random and names nothing) holds who read the identity fields and when the key
 * was destroyed. Projections ignore these types (they only apply `dossier.*`).
 */
export const APPLICANT_ACCESSED = 'applicant.accessed.v1';
export const APPLICANT_ERASED = 'applicant.erased.v1';

export const ERASURE_REASONS = ['data_subject_request', 'retention_expired', 'legal_order', 'other'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

export const applicantStreamId = (ref: string) => `applicant-${ref}`;

export interface ApplicantAccessedData {
  occurredAt: string;
  dossierCode: string;
  /** What the reader got: the fields, or the fact that they were erased. */
  outcome: 'available' | 'erased';
}

export interface ApplicantErasedData {
  occurredAt: string;
  applicantRef: string;
  reason: ErasureReason;
}
