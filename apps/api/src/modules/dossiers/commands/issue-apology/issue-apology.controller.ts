import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCodePipe } from '../../dossier-code.pipe';
import { DossierCommandResponse } from '../../model/views';
import { IssueApologyCommand } from './issue-apology.command';
import { IssueApologyDto } from './issue-apology.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class IssueApologyController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':code/apologies')
  @HttpCode(200)
  @Roles('clerk')
  @ApiOperation({ summary: 'Apology letter with a new promised date (status unchanged; the deadline does not move)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) the clerk saw' })
  issueApology(@Param('code', DossierCodePipe) code: string, @Body() dto: IssueApologyDto, @Ctx() ctx: CommandContext): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new IssueApologyCommand(code, input, ctx));
  }
}
