import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { DossierCommandResponse } from '../../model/views';
import { CompleteDossierCommand } from './complete.command';

@CommandHandler(CompleteDossierCommand)
export class CompleteDossierHandler implements ICommandHandler<CompleteDossierCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ code, input, ctx }: CompleteDossierCommand): Promise<DossierCommandResponse> {
    return this.runner.act(code, ctx, {
      command: () => ({ type: 'complete', occurredAt: input.occurredAt, outcome: input.outcome, electronicResult: input.electronicResult ?? false }),
    });
  }
}
