import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { opt } from '../../model/optional';
import { DossierCommandResponse } from '../../model/views';
import { RequestPaymentCommand } from './request-payment.command';

@CommandHandler(RequestPaymentCommand)
export class RequestPaymentHandler implements ICommandHandler<RequestPaymentCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ code, input, ctx }: RequestPaymentCommand): Promise<DossierCommandResponse> {
    return this.runner.act(code, ctx, {
      command: () => ({ type: 'request_payment', occurredAt: input.occurredAt, ...opt('amount', input.amount) }),
      needsProcedure: true,
    });
  }
}
