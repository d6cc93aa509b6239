import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { DossierCommandResponse } from '../../model/views';
import { RefuseDossierCommand } from './refuse.command';

@CommandHandler(RefuseDossierCommand)
export class RefuseDossierHandler implements ICommandHandler<RefuseDossierCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ input, ctx }: RefuseDossierCommand): Promise<DossierCommandResponse> {
    return this.runner.start(ctx, {
      code: input.code,
      agencyCode: input.agencyCode,
      procedureCode: input.procedureCode,
      occurredAt: input.occurredAt,
      procedureMustExist: false,
      command: {
        type: 'refuse',
        dossierCode: input.code,
        agencyCode: input.agencyCode,
        procedureCode: input.procedureCode,
        channel: input.channel,
        occurredAt: input.occurredAt,
        reason: input.reason,
      },
    });
  }
}
