import { Body, Controller, Param, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { AgencyResponse } from '@motcua/reference-data';
import { ChangeAgencyCommand } from '@motcua/application';
import { ChangeAgencyDto } from '@motcua/application';

@ApiTags('reference data')
@ApiBearerAuth()
@Controller('agencies')
export class ChangeAgencyController {
  constructor(private readonly commands: CommandBus) {}

  @Put(':code')
  @Roles('admin')
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag of the agency, e.g. "3"' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  change(@Param('code') code: string, @Body() dto: ChangeAgencyDto, @Ctx() ctx: CommandContext): Promise<AgencyResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new ChangeAgencyCommand(code, input, ctx));
  }
}
