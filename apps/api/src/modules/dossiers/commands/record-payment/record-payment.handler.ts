import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { opt } from '../../model/optional';
import { DossierCommandResponse } from '../../model/views';
import { RecordPaymentCommand } from './record-payment.command';

@CommandHandler(RecordPaymentCommand)
export class RecordPaymentHandler implements ICommandHandler<RecordPaymentCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ code, input, ctx }: RecordPaymentCommand): Promise<DossierCommandResponse> {
    return this.runner.act(code, ctx, {
      command: () => ({ type: 'record_payment', occurredAt: input.occurredAt, online: input.online, ...opt('amount', input.amount) }),
    });
  }
}
