import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCommandResponse } from '../../model/views';
import { SubmitOnlineCommand } from './submit-online.command';
import { SubmitOnlineDto } from './submit-online.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class SubmitOnlineController {
  constructor(private readonly commands: CommandBus) {}

  @Post('online-submissions')
  @HttpCode(201)
  @Roles('clerk')
  @ApiOperation({ summary: 'Record a submission on the online portal (status 1, clock not started)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  submitOnline(@Body() dto: SubmitOnlineDto, @Ctx() ctx: CommandContext): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new SubmitOnlineCommand(input, ctx));
  }
}
