import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { ref } from '../../model/optional';
import { DossierCommandResponse } from '../../model/views';
import { SubmitOnlineCommand } from './submit-online.command';

@CommandHandler(SubmitOnlineCommand)
export class SubmitOnlineHandler implements ICommandHandler<SubmitOnlineCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ input, ctx }: SubmitOnlineCommand): Promise<DossierCommandResponse> {
    return this.runner.start(ctx, { code: input.code, agencyCode: input.agencyCode, procedureCode: input.procedureCode, occurredAt: input.occurredAt, procedureMustExist: true, command: { type: 'submit_online', dossierCode: input.code, agencyCode: input.agencyCode, procedureCode: input.procedureCode, occurredAt: input.occurredAt, ...ref(this.runner.newApplicantRef(input.applicant)) } });
  }
}
