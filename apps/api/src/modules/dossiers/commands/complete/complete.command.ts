import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { CompleteDossierDto } from './complete.dto';

export class CompleteDossierCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly code: string,
    readonly input: Omit<CompleteDossierDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
