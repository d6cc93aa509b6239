import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { historySheet } from '@motcua/audit';
import { CurrentUser, Roles } from '../../../../shared/auth/decorators';
import type { AuthUser } from '@motcua/platform';
import { AuditService } from '../../audit.service';
import { DossierCodePipe } from '../../../dossiers/dossier-code.pipe';
import { exportFile, type ExportFormat } from '../../export-format';

export class FormatQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx'])
  format?: ExportFormat;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit/dossiers')
export class HistoryController {
  constructor(private readonly audit: AuditService) {}

  /** Every event of the dossier with status code, instants, actor and the due-date effect (vi/en). A code that is not a dossier code is a 400, and no access is recorded. */
  @Get(':code/history')
  @Roles('auditor', 'admin')
  async history(@Param('code', DossierCodePipe) code: string, @Query() q: FormatQuery, @CurrentUser() user: AuthUser) {
    const format = q.format ?? 'json';
    await this.audit.record(user, { action: format === 'json' ? 'history' : 'export', dossierCode: code, details: { format } });
    const h = await this.audit.history(code);
    if (format === 'json') return h;
    return exportFile([historySheet(h)], format, `history-${code}`, `Lịch sử hồ sơ ${code}`);
  }
}
