import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { ReceiveDossierDto } from './receive.dto';

export class ReceiveDossierCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly input: Omit<ReceiveDossierDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
