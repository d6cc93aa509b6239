import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../../../shared/auth/decorators';
import type { AuthUser } from '@motcua/platform';
import { AuditService } from '../../audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/replay')
export class ReplayController {
  constructor(private readonly audit: AuditService) {}

  /**
   * Re-derives every SLA figure from the raw events into scratch tables and lists each disagreement
   * with the live read models. POST: it does work (and writes scratch tables), though it changes
   * nothing anyone else reads. Runs in the request; for a national store use `npm run cli -- audit replay`.
   */
  @Post()
  @HttpCode(200)
  @Roles('auditor', 'admin')
  async replay(@CurrentUser() user: AuthUser) {
    await this.audit.record(user, { action: 'replay' });
    return this.audit.replay();
  }
}
