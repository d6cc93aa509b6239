import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { opt } from '../../model/optional';
import { DossierCommandResponse } from '../../model/views';
import { WithdrawDossierCommand } from './withdraw.command';

@CommandHandler(WithdrawDossierCommand)
export class WithdrawDossierHandler implements ICommandHandler<WithdrawDossierCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ code, input, ctx }: WithdrawDossierCommand): Promise<DossierCommandResponse> {
    return this.runner.act(code, ctx, { command: () => ({ type: 'withdraw', occurredAt: input.occurredAt, ...opt('reason', input.reason) }) });
  }
}
