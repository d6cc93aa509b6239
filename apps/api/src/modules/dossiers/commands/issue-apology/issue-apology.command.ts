import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { IssueApologyDto } from './issue-apology.dto';

export class IssueApologyCommand extends Command<DossierCommandResponse> {
  constructor(
    readonly code: string,
    readonly input: Omit<IssueApologyDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
