import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCodePipe } from '../../dossier-code.pipe';
import { DossierCommandResponse } from '../../model/views';
import { RequestSupplementCommand } from './request-supplement.command';
import { RequestSupplementDto } from './request-supplement.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class RequestSupplementController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':code/supplement-requests')
  @HttpCode(200)
  @Roles('clerk')
  @ApiOperation({ summary: 'Ask the applicant for missing documents (status 5, clock paused)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) the clerk saw' })
  requestSupplement(
    @Param('code', DossierCodePipe) code: string,
    @Body() dto: RequestSupplementDto,
    @Ctx() ctx: CommandContext,
  ): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new RequestSupplementCommand(code, input, ctx));
  }
}
