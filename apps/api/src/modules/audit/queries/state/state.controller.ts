import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';
import { CurrentUser, Roles } from '../../../../shared/auth/decorators';
import type { AuthUser } from '@motcua/platform';
import { ApiError } from '@motcua/platform';
import { AuditService } from '../../audit.service';
import { DossierCodePipe } from '../../../dossiers/dossier-code.pipe';

export class StateQuery {
  @ApiPropertyOptional({ description: 'As of this instant: events that OCCURRED at or before it', example: '2025-06-30T10:00:00+07:00' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;

  @ApiPropertyOptional({ description: 'As known at this instant: events RECORDED at or before it' })
  @IsOptional()
  @IsISO8601({ strict: true })
  knownAt?: string;

  @ApiPropertyOptional({ description: 'Up to and including this stream revision' })
  @IsOptional()
  @Matches(/^\d{1,9}$/)
  revision?: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/dossiers')
export class StateController {
  constructor(private readonly audit: AuditService) {}

  @Get(':code/state')
  @Roles('auditor', 'admin')
  async state(@Param('code', DossierCodePipe) code: string, @Query() q: StateQuery, @CurrentUser() user: AuthUser) {
    if (q.at === undefined && q.knownAt === undefined && q.revision === undefined) {
      throw ApiError.validation([{ field: 'at', message: 'give at, knownAt or revision' }]);
    }
    const revision = q.revision === undefined ? undefined : Number(q.revision);
    await this.audit.record(user, {
      action: 'state',
      dossierCode: code,
      details: { at: q.at ?? null, knownAt: q.knownAt ?? null, revision: revision ?? null },
    });
    return this.audit.state(code, { asOf: q.at, knownAt: q.knownAt, revision });
  }
}
