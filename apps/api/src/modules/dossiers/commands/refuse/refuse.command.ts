import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { RefuseDossierDto } from './refuse.dto';

export class RefuseDossierCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly input: Omit<RefuseDossierDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
