import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { slaSheets } from '@motcua/audit';
import type { SlaBy } from '@motcua/read-models';
import { CurrentUser, Roles } from '../../../../shared/auth/decorators';
import { ApiError, type AuthUser } from '@motcua/platform';
import { AGENCY_CODE_RE, IsLocalDate } from '@motcua/application';
import { AuditService } from '../../audit.service';
import { exportFile, type ExportFormat } from '../../export-format';

export class SlaAuditQuery {
  @ApiProperty({ example: '2025-06-01' })
  @IsLocalDate()
  from!: string;

  @ApiProperty({ example: '2025-06-30' })
  @IsLocalDate()
  to!: string;

  @ApiPropertyOptional({ description: 'As known at this instant (events recorded by then): reproduces a report published then' })
  @IsOptional()
  @IsISO8601({ strict: true })
  knownAt?: string;

  @ApiPropertyOptional({ enum: ['agency', 'level', 'procedure'], default: 'agency' })
  @IsOptional()
  @IsIn(['agency', 'level', 'procedure'])
  by?: SlaBy;

  @ApiPropertyOptional({ description: 'Agency code: its subtree only' })
  @IsOptional()
  @IsString()
  @Matches(AGENCY_CODE_RE, { message: 'agency must be an agency code (1-64 of A-Z a-z 0-9 . _ -)' })
  agency?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx'])
  format?: ExportFormat;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/sla')
export class SlaAuditController {
  constructor(private readonly audit: AuditService) {}

  /** SLA figures re-derived from the events; with knownAt, also as known then and the differences. */
  @Get()
  @Roles('auditor', 'admin')
  async sla(@Query() q: SlaAuditQuery, @CurrentUser() user: AuthUser) {
    const format = q.format ?? 'json';
    // Refused before the access is recorded and before the (whole-log) replay.
    if (q.to < q.from) throw ApiError.validation([{ field: 'to', message: 'to must not be before from' }]);
    await this.audit.record(user, {
      action: format === 'json' ? 'sla' : 'export',
      details: { from: q.from, to: q.to, knownAt: q.knownAt ?? null, by: q.by ?? 'agency', agency: q.agency ?? null, format },
    });
    const r = await this.audit.sla({ from: q.from, to: q.to, knownAt: q.knownAt, by: q.by, agency: q.agency });
    if (format === 'json') return r;
    return exportFile(slaSheets(r), format, `sla-${q.from}-${q.to}`, `SLA ${q.from}..${q.to}`);
  }
}
