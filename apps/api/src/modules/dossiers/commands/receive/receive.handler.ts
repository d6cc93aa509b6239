import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { ApplicantRecords } from '../../../applicants/applicant-records.service';
import { DossierCommandResponse } from '../../model/views';
import { ReceiveDossierCommand } from './receive.command';

@CommandHandler(ReceiveDossierCommand)
export class ReceiveDossierHandler implements ICommandHandler<ReceiveDossierCommand> {
  constructor(
    private readonly runner: DossierCommandRunner,
    private readonly applicants: ApplicantRecords,
  ) {}

  async execute({ input, ctx }: ReceiveDossierCommand): Promise<DossierCommandResponse> {
    // Personal data: identity fields encrypted under a per-applicant key (vault); the event gets the ref and ciphertext.
    const applicant = await this.applicants.seal(input.applicant);
    return this.runner.start(ctx, {
      code: input.code,
      agencyCode: input.agencyCode,
      procedureCode: input.procedureCode,
      occurredAt: input.occurredAt,
      procedureMustExist: true,
      command: {
        type: 'receive',
        dossierCode: input.code,
        agencyCode: input.agencyCode,
        procedureCode: input.procedureCode,
        channel: input.channel,
        occurredAt: input.occurredAt,
        ...applicant,
      },
    });
  }
}
