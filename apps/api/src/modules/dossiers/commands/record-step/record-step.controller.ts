import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCodePipe } from '../../dossier-code.pipe';
import { DossierCommandResponse } from '../../model/views';
import { RecordStepCommand } from './record-step.command';
import { RecordStepDto } from './record-step.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class RecordStepController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':code/steps')
  @HttpCode(200)
  @Roles('clerk')
  @ApiOperation({ summary: 'Record a hand-over on the processing control sheet (status 4)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) the clerk saw' })
  recordStep(@Param('code', DossierCodePipe) code: string, @Body() dto: RecordStepDto, @Ctx() ctx: CommandContext): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new RecordStepCommand(code, input, ctx));
  }
}
