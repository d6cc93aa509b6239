import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { ProcedureResponse } from '../../model/views';
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
