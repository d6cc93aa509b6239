import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCodePipe } from '../../dossier-code.pipe';
import { DossierCommandResponse } from '../../model/views';
import { WithdrawDossierCommand } from './withdraw.command';
import { WithdrawDossierDto } from './withdraw.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class WithdrawDossierController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':code/withdrawal')
  @HttpCode(200)
  @Roles('clerk')
  @ApiOperation({ summary: 'The applicant withdrew the dossier (status 7)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) the clerk saw' })
  withdraw(@Param('code', DossierCodePipe) code: string, @Body() dto: WithdrawDossierDto, @Ctx() ctx: CommandContext): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new WithdrawDossierCommand(code, input, ctx));
  }
}
