import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCodePipe } from '../../dossier-code.pipe';
import { DossierCommandResponse } from '../../model/views';
import { RecordPaymentCommand } from './record-payment.command';
import { RecordPaymentDto } from './record-payment.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class RecordPaymentController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':code/payments')
  @HttpCode(200)
  @Roles('clerk')
  @ApiOperation({ summary: 'The payment was made (status 4)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) the clerk saw' })
  recordPayment(@Param('code', DossierCodePipe) code: string, @Body() dto: RecordPaymentDto, @Ctx() ctx: CommandContext): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new RecordPaymentCommand(code, input, ctx));
  }
}
