import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { DossierCommandResponse } from '../../model/views';
import { RequestSupplementCommand } from './request-supplement.command';

@CommandHandler(RequestSupplementCommand)
export class RequestSupplementHandler implements ICommandHandler<RequestSupplementCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ code, input, ctx }: RequestSupplementCommand): Promise<DossierCommandResponse> {
    return this.runner.act(code, ctx, { command: () => ({ type: 'request_supplement', occurredAt: input.occurredAt, reason: input.reason }) });
  }
}
