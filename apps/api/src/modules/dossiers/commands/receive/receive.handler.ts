import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { ref } from '../../model/optional';
import { DossierCommandResponse } from '../../model/views';
import { ReceiveDossierCommand } from './receive.command';

@CommandHandler(ReceiveDossierCommand)
export class ReceiveDossierHandler implements ICommandHandler<ReceiveDossierCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ input, ctx }: ReceiveDossierCommand): Promise<DossierCommandResponse> {
    return this.runner.start(ctx, { code: input.code, agencyCode: input.agencyCode, procedureCode: input.procedureCode, occurredAt: input.occurredAt, procedureMustExist: true, command: { type: 'receive', dossierCode: input.code, agencyCode: input.agencyCode, procedureCode: input.procedureCode, channel: input.channel, occurredAt: input.occurredAt, ...ref(this.runner.newApplicantRef(input.applicant)) } });
  }
}
