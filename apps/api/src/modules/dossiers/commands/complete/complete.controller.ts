import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCodePipe } from '../../dossier-code.pipe';
import { DossierCommandResponse } from '../../model/views';
import { CompleteDossierCommand } from './complete.command';
import { CompleteDossierDto } from './complete.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class CompleteDossierController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':code/completion')
  @HttpCode(200)
  @Roles('clerk')
  @ApiOperation({ summary: 'Processing finished (status 9): approved or rejected' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) the clerk saw' })
  complete(@Param('code', DossierCodePipe) code: string, @Body() dto: CompleteDossierDto, @Ctx() ctx: CommandContext): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new CompleteDossierCommand(code, input, ctx));
  }
}
