import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../command/command-context';
import { ProcedureResponse } from '@motcua/reference-data';
import { RegisterProcedureDto } from './register-procedure.dto';

export class RegisterProcedureCommand extends Command<ProcedureResponse> {
  constructor(
    readonly input: Omit<RegisterProcedureDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
