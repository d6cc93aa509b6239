import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../command/command-context';
import { AgencyResponse } from '@motcua/reference-data';
import { ChangeAgencyDto } from './change-agency.dto';

export class ChangeAgencyCommand extends Command<AgencyResponse> {
  constructor(
    readonly code: string,
    /** `validTo` absent = leave as is; null = reopen; a date = close after that day. */
    readonly input: Omit<ChangeAgencyDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
