import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { DossierCommandResponse } from '../../model/views';
import { ReturnResultCommand } from './return-result.command';

@CommandHandler(ReturnResultCommand)
export class ReturnResultHandler implements ICommandHandler<ReturnResultCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ code, input, ctx }: ReturnResultCommand): Promise<DossierCommandResponse> {
    return this.runner.act(code, ctx, { command: () => ({ type: 'return_result', occurredAt: input.occurredAt }) });
  }
}
