import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { ReceiveDossierCommand } from './receive.command';
import { ReceiveDossierDto } from './receive.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class ReceiveDossierController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Roles('clerk')
  @ApiOperation({ summary: 'Receive a dossier at the counter, by post, or an online submission (status 2)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  receive(@Body() dto: ReceiveDossierDto, @Ctx() ctx: CommandContext): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new ReceiveDossierCommand(input, ctx));
  }
}
