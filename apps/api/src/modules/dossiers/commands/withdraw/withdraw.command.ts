import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { WithdrawDossierDto } from './withdraw.dto';

export class WithdrawDossierCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly code: string,
    readonly input: Omit<WithdrawDossierDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
