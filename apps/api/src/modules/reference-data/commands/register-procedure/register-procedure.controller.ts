import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { ProcedureResponse } from '@motcua/reference-data';
import { RegisterProcedureCommand } from '@motcua/application';
import { RegisterProcedureDto } from '@motcua/application';

@ApiTags('reference data')
@ApiBearerAuth()
@Controller('procedures')
export class RegisterProcedureController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  register(@Body() dto: RegisterProcedureDto, @Ctx() ctx: CommandContext): Promise<ProcedureResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new RegisterProcedureCommand(input, ctx));
  }
}
