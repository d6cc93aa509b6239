import { Inject, Injectable } from '@nestjs/common';
import { dossierStreamId } from '@motcua/domain';
import { EVENT_STORE, EventStore, RecordedEvent } from '@motcua/event-store';
import type { ApplicantFields, PersonalDataProtector, SealedApplicant } from '@motcua/personal-data';
import { CLOCK, Clock } from '@motcua/platform';
import { AgencyScope } from '@motcua/application';
import { AuthUser } from '@motcua/platform';
import { CommandContext, eventMetadata } from '../../shared/command/command-context';
import { ApiError } from '@motcua/platform';
import { correlationIdOf } from '../../shared/logging/request-context';
import { APPLICANT_ACCESSED, APPLICANT_ERASED, applicantStreamId, ApplicantAccessedData, ApplicantErasedData, ErasureReason } from './applicant-events';
import { PERSONAL_DATA } from './personal-data.providers';

export type DossierApplicantView =
  | { dossierCode: string; applicantRef: string; erased: false; applicant: ApplicantFields }
  | { dossierCode: string; applicantRef: string; erased: true; erasedAt: string };

export interface ErasureView {
  applicantRef: string;
  erased: true;
  erasedAt: string;
  /** `destroyed` now, or `already_erased` by an earlier request. */
  outcome: 'destroyed' | 'already_erased';
}

/**
 * Applicants' identity fields, encrypted per applicant (crypto-shredding, Decree 13/2023/NĐ-CP):
 * - `seal` for the dossier use cases that take an applicant (receive, online submission): the event gets
 *   `applicantRef` + `applicantSealed` (ciphertext), the key goes to the vault;
 * - `readForDossier`: clerks of the dossier's agency subtree and auditors; each read is recorded first;
 * - `erase`: destroys the key, records `applicant.erased.v1`. Events are never edited.
 */
@Injectable()
export class ApplicantRecords {
  constructor(
    @Inject(PERSONAL_DATA) private readonly pd: PersonalDataProtector,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly scope: AgencyScope,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `{ applicantRef, applicantSealed }` to spread into the domain command, or `{}` when nothing was given. */
  async seal(applicant: ApplicantFields | undefined): Promise<SealedApplicant | Record<string, never>> {
    return (await this.pd.seal(applicant)) ?? {};
  }

  async readForDossier(code: string, user: AuthUser): Promise<DossierApplicantView> {
    const events = await this.store.readStream(dossierStreamId(code));
    if (events.length === 0) throw ApiError.notFound(`dossier '${code}' does not exist`);
    const agencyCode = dossierAgency(events);
    if (!agencyCode || !this.scope.canRead(user, agencyCode)) {
      throw ApiError.forbidden(`${user.role} '${user.sub}' may not read applicants of agency '${agencyCode ?? '?'}'`);
    }
    const { ref, sealed } = applicantOf(events);
    if (!ref) throw ApiError.notFound(`dossier '${code}' has no applicant record`);
    const opened = await this.pd.open(ref, sealed);
    if (opened.status === 'unknown') throw ApiError.notFound(`dossier '${code}' has no stored personal data for its applicant`);
    // Recorded before answering: a read of personal data that cannot be recorded is refused (503 from the store).
    const data: ApplicantAccessedData = { occurredAt: this.clock.now().toISOString(), dossierCode: code, outcome: opened.status };
    await this.store.append(applicantStreamId(ref), [{ type: APPLICANT_ACCESSED, data: { ...data }, metadata: meta(user, agencyCode) }]);
    return opened.status === 'available'
      ? { dossierCode: code, applicantRef: ref, erased: false, applicant: opened.applicant }
      : { dossierCode: code, applicantRef: ref, erased: true, erasedAt: opened.erasedAt };
  }

  /**
   * Key first, record second: a crash in between leaves the key destroyed (the safe side) and the retry,
   * seeing `already_erased`, still writes the missing record. One `applicant.erased.v1` per applicant.
   */
  async erase(ref: string, reason: ErasureReason, ctx: CommandContext): Promise<ErasureView> {
    const now = this.clock.now();
    const outcome = await this.pd.erase(ref, now);
    if (outcome === 'unknown') throw ApiError.notFound(`applicant '${ref}' is not known to the key vault`);
    const streamId = applicantStreamId(ref);
    const recorded = (await this.store.readStream(streamId)).find((e) => e.type === APPLICANT_ERASED);
    if (recorded) {
      return { applicantRef: ref, erased: true, erasedAt: (recorded.data as unknown as ApplicantErasedData).occurredAt, outcome: 'already_erased' };
    }
    const opened = await this.pd.open(ref, undefined);
    const erasedAt = opened.status === 'erased' ? opened.erasedAt : now.toISOString();
    const data: ApplicantErasedData = { occurredAt: erasedAt, applicantRef: ref, reason };
    await this.store.append(streamId, [{ type: APPLICANT_ERASED, data: { ...data }, metadata: { ...eventMetadata(ctx), causationId: ctx.commandId } }], {
      expectedRevision: 'any',
      commandId: ctx.commandId,
    });
    return { applicantRef: ref, erased: true, erasedAt, outcome };
  }
}

function meta(user: AuthUser, agencyCode?: string) {
  return { actor: user.sub, role: user.role, correlationId: correlationIdOf(user) ?? 'none', ...(agencyCode ? { agencyCode } : {}) };
}

function dossierAgency(events: RecordedEvent[]): string | undefined {
  for (const e of events) {
    const a = (e.data as { agencyCode?: unknown }).agencyCode;
    if (typeof a === 'string') return a;
  }
  return undefined;
}

/** The dossier's current applicant: the last ref given, with the ciphertext written beside it. */
function applicantOf(events: RecordedEvent[]): { ref?: string; sealed?: string } {
  let ref: string | undefined;
  let sealed: string | undefined;
  for (const e of events) {
    const d = e.data as { applicantRef?: unknown; applicantSealed?: unknown };
    if (typeof d.applicantRef === 'string' && d.applicantRef !== ref) {
      ref = d.applicantRef;
      sealed = undefined;
    }
    if (typeof d.applicantSealed === 'string' && d.applicantRef === ref) sealed = d.applicantSealed;
  }
  return { ref, sealed };
}
