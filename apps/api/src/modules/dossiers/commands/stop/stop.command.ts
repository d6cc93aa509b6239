import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { StopDossierDto } from './stop.dto';

export class StopDossierCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly code: string,
    readonly input: Omit<StopDossierDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
