import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { RecordStepDto } from './record-step.dto';

export class RecordStepCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly code: string,
    readonly input: Omit<RecordStepDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
