import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { NewEvent } from '@motcua/event-store';
import { checkExpectedRevision, eventMetadata } from '../../../command/command-context';
import { ApiError } from '@motcua/platform';
import { AGENCY_STREAM, AgencyChangedV1, REF_EVENT } from '@motcua/reference-data';
import { agencyResponse, AgencyResponse } from '@motcua/reference-data';
import { ReferenceDataService } from '../../reference-data.service';
import { retryOnStreamRace } from '../retry';
import { checkAgencyRules } from '../validate-agency';
import { ChangeAgencyCommand } from './change-agency.command';

/** Writes only what differs: the same change twice is a no-op (re-imports write nothing). */
@CommandHandler(ChangeAgencyCommand)
export class ChangeAgencyHandler implements ICommandHandler<ChangeAgencyCommand> {
  constructor(private readonly ref: ReferenceDataService) {}

  async execute({ code, input, ctx }: ChangeAgencyCommand): Promise<AgencyResponse> {
    return retryOnStreamRace(
      ctx,
      () => this.ref.refresh(),
      async () => {
        const model = this.ref.ready();
        const done = model.agencyCommand(ctx.commandId);
        if (done) return agencyResponse(model.agencyAtRevision(done.code, done.revision)!);
        const rec = model.agency(code);
        if (!rec) throw ApiError.notFound(`no agency '${code}'`);
        checkExpectedRevision(ctx, rec.revision);
        const effectiveFrom = input.effectiveFrom ?? null;
        checkAgencyRules(model, code, { parentCode: input.parentCode, validTo: input.validTo, effectiveFrom, validFrom: rec.versions[0].effectiveFrom });
        const meta = eventMetadata(ctx, code);
        const events: NewEvent[] = [];
        const wanted = { name: input.name, level: input.level, parentCode: input.parentCode ?? null, workingHours: input.workingHours ?? null };
        const same = rec.versions.find((v) => v.effectiveFrom === effectiveFrom);
        const asOf =
          same ?? (effectiveFrom === null ? undefined : [...rec.versions].reverse().find((v) => v.effectiveFrom === null || v.effectiveFrom <= effectiveFrom));
        const unchanged =
          asOf &&
          asOf.name === wanted.name &&
          asOf.level === wanted.level &&
          asOf.parentCode === wanted.parentCode &&
          asOf.workingHours === wanted.workingHours;
        if (!unchanged) {
          if (effectiveFrom === null && !same)
            throw ApiError.validation([{ field: 'effectiveFrom', message: 'required: the agency has no original version to replace' }]);
          const data: AgencyChangedV1 = { code, effectiveFrom: effectiveFrom as string, ...wanted };
          events.push({ type: REF_EVENT.agencyChanged, data: { ...data }, metadata: meta });
        }
        if (input.validTo !== undefined && input.validTo !== rec.validTo) {
          events.push(
            input.validTo === null
              ? { type: REF_EVENT.agencyReopened, data: { code }, metadata: meta }
              : { type: REF_EVENT.agencyClosed, data: { code, validTo: input.validTo }, metadata: meta },
          );
        }
        if (!events.length) return agencyResponse(rec);
        const res = await this.ref.append(AGENCY_STREAM, events, model.agencyStreamRevision, ctx.commandId);
        return agencyResponse(this.ref.model.agencyAtRevision(code, res.nextExpectedRevision)!);
      },
    );
  }
}
