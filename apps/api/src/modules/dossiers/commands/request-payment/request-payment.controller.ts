import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../../../shared/command/command-context';
import { DossierCodePipe } from '../../dossier-code.pipe';
import { DossierCommandResponse } from '../../model/views';
import { RequestPaymentCommand } from './request-payment.command';
import { RequestPaymentDto } from './request-payment.dto';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class RequestPaymentController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':code/payment-requests')
  @HttpCode(200)
  @Roles('clerk')
  @ApiOperation({ summary: 'Ask for a fee or tax payment (status 6; pauses the clock if the procedure says so)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) the clerk saw' })
  requestPayment(@Param('code', DossierCodePipe) code: string, @Body() dto: RequestPaymentDto, @Ctx() ctx: CommandContext): Promise<DossierCommandResponse> {
    const { commandId: _ignored, ...input } = dto;
    return this.commands.execute(new RequestPaymentCommand(code, input, ctx));
  }
}
