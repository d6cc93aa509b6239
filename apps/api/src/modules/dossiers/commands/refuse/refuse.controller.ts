import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { RefuseDossierCommand } from './refuse.command';
import { RefuseDossierDto } from './refuse.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class RefuseDossierController {
  constructor(private readonly commands: CommandBus) {}

  @Post('refusals')
  @HttpCode(201)
  @Roles('clerk')
  @ApiOperation({ summary: 'Refuse a dossier at intake (status 3), without or after an online submission' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  refuse(@Body() dto: RefuseDossierDto, @Ctx() ctx: CommandContext): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new RefuseDossierCommand(input, ctx));
  }
}
