import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCodePipe } from '../../dossier-code.pipe';
import { DossierCommandResponse } from '../../model/views';
import { StopDossierCommand } from './stop.command';
import { StopDossierDto } from './stop.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class StopDossierController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':code/stop')
  @HttpCode(200)
  @Roles('clerk')
  @ApiOperation({ summary: 'Processing stopped (status 8)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) the clerk saw' })
  stop(@Param('code', DossierCodePipe) code: string, @Body() dto: StopDossierDto, @Ctx() ctx: CommandContext): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new StopDossierCommand(code, input, ctx));
  }
}
