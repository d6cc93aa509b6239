import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { ApplicantRecords } from '../../../applicants/applicant-records.service';
import { DossierCommandResponse } from '../../model/views';
import { SubmitOnlineCommand } from './submit-online.command';

@CommandHandler(SubmitOnlineCommand)
export class SubmitOnlineHandler implements ICommandHandler<SubmitOnlineCommand> {
  constructor(
    private readonly runner: DossierCommandRunner,
    private readonly applicants: ApplicantRecords,
  ) {}

  async execute({ input, ctx }: SubmitOnlineCommand): Promise<DossierCommandResponse> {
    // Personal data: identity fields encrypted under a per-applicant key (vault); the event gets the ref and ciphertext.
    const applicant = await this.applicants.seal(input.applicant);
    return this.runner.start(ctx, {
      code: input.code,
      agencyCode: input.agencyCode,
      procedureCode: input.procedureCode,
      occurredAt: input.occurredAt,
      procedureMustExist: true,
      command: {
        type: 'submit_online',
        dossierCode: input.code,
        agencyCode: input.agencyCode,
        procedureCode: input.procedureCode,
        occurredAt: input.occurredAt,
        ...applicant,
      },
    });
  }
}
