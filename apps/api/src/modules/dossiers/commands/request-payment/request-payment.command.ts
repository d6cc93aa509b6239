import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { RequestPaymentDto } from './request-payment.dto';

export class RequestPaymentCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly code: string,
    readonly input: Omit<RequestPaymentDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
