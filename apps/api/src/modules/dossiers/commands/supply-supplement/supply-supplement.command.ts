import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { SupplySupplementDto } from './supply-supplement.dto';

export class SupplySupplementCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly code: string,
    readonly input: Omit<SupplySupplementDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
