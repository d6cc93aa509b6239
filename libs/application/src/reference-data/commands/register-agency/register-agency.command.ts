import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../command/command-context';
import { AgencyResponse } from '@motcua/reference-data';
import { RegisterAgencyDto } from './register-agency.dto';

export class RegisterAgencyCommand extends Command<AgencyResponse> {
  constructor(
    readonly input: Omit<RegisterAgencyDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
