import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { SubmitOnlineDto } from './submit-online.dto';

export class SubmitOnlineCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly input: Omit<SubmitOnlineDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
