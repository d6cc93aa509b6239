import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CurrentUser, Roles } from '../../../../shared/auth/decorators';
import type { AuthUser } from '@motcua/platform';
import { AuditService } from '../../audit.service';

export class VerifyQuery {
  @ApiPropertyOptional({ description: 'One stream (e.g. dossier-H30.A-250623-0001); omitted: the whole store' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  // The event store's rule for stream ids (no whitespace or control characters): anything else cannot exist,
  // and is refused before the access record is written.
  // eslint-disable-next-line no-control-regex
  @Matches(/^[^$\s\u0000-\u001f][^\s\u0000-\u001f]*$/, { message: 'stream must be a stream id (no whitespace or control characters)' })
  stream?: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/verify')
export class VerifyController {
  constructor(private readonly audit: AuditService) {}

  /** Hash chains: the first broken link of each broken stream, with dossier and revision. */
  @Get()
  @Roles('auditor', 'admin')
  async verify(@Query() q: VerifyQuery, @CurrentUser() user: AuthUser) {
    await this.audit.record(user, { action: 'verify', details: { stream: q.stream ?? null } });
    return this.audit.verify(q.stream);
  }
}
