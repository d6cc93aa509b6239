import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { RecordPaymentDto } from './record-payment.dto';

export class RecordPaymentCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly code: string,
    readonly input: Omit<RecordPaymentDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
