import { Body, Controller, Param, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { ProcedureResponse } from '@motcua/reference-data';
import { ProcedureFieldsDto } from '@motcua/application';
import { ChangeProcedureCommand } from '@motcua/application';

@ApiTags('reference data')
@ApiBearerAuth()
@Controller('procedures')
export class ChangeProcedureController {
  constructor(private readonly commands: CommandBus) {}

  @Put(':code')
  @Roles('admin')
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  change(@Param('code') code: string, @Body() dto: ProcedureFieldsDto, @Ctx() ctx: CommandContext): Promise<ProcedureResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new ChangeProcedureCommand(code, input, ctx));
  }
}
