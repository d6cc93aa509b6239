import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { AgencyResponse } from '@motcua/reference-data';
import { RegisterAgencyCommand } from '@motcua/application';
import { RegisterAgencyDto } from '@motcua/application';

@ApiTags('reference data')
@ApiBearerAuth()
@Controller('agencies')
export class RegisterAgencyController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  register(@Body() dto: RegisterAgencyDto, @Ctx() ctx: CommandContext): Promise<AgencyResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new RegisterAgencyCommand(input, ctx));
  }
}
