import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { eventMetadata } from '../../../command/command-context';
import { ApiError } from '@motcua/platform';
import { AGENCY_STREAM, AgencyRegisteredV1, REF_EVENT } from '@motcua/reference-data';
import { agencyResponse, AgencyResponse } from '@motcua/reference-data';
import { ReferenceDataService } from '../../reference-data.service';
import { retryOnStreamRace } from '../retry';
import { checkAgencyRules } from '../validate-agency';
import { RegisterAgencyCommand } from './register-agency.command';

@CommandHandler(RegisterAgencyCommand)
export class RegisterAgencyHandler implements ICommandHandler<RegisterAgencyCommand> {
  constructor(private readonly ref: ReferenceDataService) {}

  async execute({ input, ctx }: RegisterAgencyCommand): Promise<AgencyResponse> {
    return retryOnStreamRace(
      ctx,
      () => this.ref.refresh(),
      async () => {
        const model = this.ref.ready();
        // A retry of a command that already wrote: answer as the first time (state right after it).
        const done = model.agencyCommand(ctx.commandId);
        if (done) return agencyResponse(model.agencyAtRevision(done.code, done.revision)!);
        if (model.agency(input.code)) throw ApiError.duplicate(`agency '${input.code}' is already registered`);
        if (ctx.expectedRevision !== undefined && ctx.expectedRevision !== 'no_stream' && ctx.expectedRevision !== 'any') {
          throw ApiError.conflict(`agency '${input.code}' does not exist yet`, { expectedRevision: ctx.expectedRevision, actualRevision: -1 });
        }
        checkAgencyRules(model, input.code, input);
        const data: AgencyRegisteredV1 = {
          code: input.code,
          name: input.name,
          level: input.level,
          parentCode: input.parentCode ?? null,
          workingHours: input.workingHours ?? null,
          validFrom: input.validFrom ?? null,
          validTo: input.validTo ?? null,
        };
        const res = await this.ref.append(
          AGENCY_STREAM,
          [{ type: REF_EVENT.agencyRegistered, data: { ...data }, metadata: eventMetadata(ctx, input.code) }],
          model.agencyStreamRevision,
          ctx.commandId,
        );
        return agencyResponse(this.ref.model.agencyAtRevision(input.code, res.nextExpectedRevision)!);
      },
    );
  }
}
