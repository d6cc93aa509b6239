import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { DossierCommandResponse } from '../../model/views';
import { StopDossierCommand } from './stop.command';

@CommandHandler(StopDossierCommand)
export class StopDossierHandler implements ICommandHandler<StopDossierCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ code, input, ctx }: StopDossierCommand): Promise<DossierCommandResponse> {
    return this.runner.act(code, ctx, { command: () => ({ type: 'stop', occurredAt: input.occurredAt, reason: input.reason }) });
  }
}
