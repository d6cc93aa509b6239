import { Command } from '@nestjs/cqrs';
import { CommandContext } from '../../../../shared/command/command-context';
import { ProcedureResponse } from '../../model/views';
import { RegisterProcedureDto } from './register-procedure.dto';

export class RegisterProcedureCommand extends Command<ProcedureResponse> {
  constructor(
    readonly input: Omit<RegisterProcedureDto, 'commandId'>,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
