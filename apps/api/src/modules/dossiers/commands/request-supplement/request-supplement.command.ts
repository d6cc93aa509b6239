import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { RequestSupplementDto } from './request-supplement.dto';

export class RequestSupplementCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly code: string,
    readonly input: Omit<RequestSupplementDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
