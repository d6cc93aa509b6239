import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCodePipe } from '../../dossier-code.pipe';
import { DossierCommandResponse } from '../../model/views';
import { ReturnResultCommand } from './return-result.command';
import { ReturnResultDto } from './return-result.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class ReturnResultController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':code/return')
  @HttpCode(200)
  @Roles('clerk')
  @ApiOperation({ summary: 'The result was handed to the applicant (status 10)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) the clerk saw' })
  returnResult(@Param('code', DossierCodePipe) code: string, @Body() dto: ReturnResultDto, @Ctx() ctx: CommandContext): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new ReturnResultCommand(code, input, ctx));
  }
}
