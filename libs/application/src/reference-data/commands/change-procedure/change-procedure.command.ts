import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../command/command-context';
import { ProcedureResponse } from '@motcua/reference-data';
import { ProcedureFieldsDto } from '../procedure-fields.dto';

export class ChangeProcedureCommand extends Command<ProcedureResponse> {
  constructor(
    readonly code: string,
    readonly input: Omit<ProcedureFieldsDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
