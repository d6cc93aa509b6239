import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCodePipe } from '../../dossier-code.pipe';
import { DossierCommandResponse } from '../../model/views';
import { SupplySupplementCommand } from './supply-supplement.command';
import { SupplySupplementDto } from './supply-supplement.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class SupplySupplementController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':code/supplements')
  @HttpCode(200)
  @Roles('clerk')
  @ApiOperation({ summary: 'The applicant supplied the documents (status 4, clock resumes, due date moves out)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) the clerk saw' })
  supplySupplement(
    @Param('code', DossierCodePipe) code: string,
    @Body() dto: SupplySupplementDto,
    @Ctx() ctx: CommandContext,
  ): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new SupplySupplementCommand(code, input, ctx));
  }
}
