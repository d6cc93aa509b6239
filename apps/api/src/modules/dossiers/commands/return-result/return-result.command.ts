import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { ReturnResultDto } from './return-result.dto';

export class ReturnResultCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly code: string,
    readonly input: Omit<ReturnResultDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
