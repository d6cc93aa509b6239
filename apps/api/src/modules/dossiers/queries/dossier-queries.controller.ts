import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '@motcua/platform';
import { CurrentUser, Roles } from '../../../shared/auth/decorators';
import { DossierCodePipe } from '../dossier-code.pipe';
import { DossierHistory, DossierView } from '../model/views';
import { GetDossierQuery } from './get-dossier/get-dossier.query';
import { GetDossierHistoryQuery } from './get-history/get-dossier-history.query';

/** Reads: clerks and monitors within their agency subtree, auditors everything. */
@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('dossiers')
export class DossierQueriesController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':code')
  @Roles('clerk', 'monitor', 'auditor')
  @ApiOperation({ summary: 'Current state of a dossier (ETag = revision)' })
  get(@Param('code', DossierCodePipe) code: string, @CurrentUser() user: AuthUser): Promise<DossierView> {
    return this.queries.execute(new GetDossierQuery(code, user));
  }

  @Get(':code/history')
  @Roles('clerk', 'monitor', 'auditor')
  @ApiOperation({ summary: 'Every event of a dossier with who, when (occurred / recorded) and the status after it' })
  history(@Param('code', DossierCodePipe) code: string, @CurrentUser() user: AuthUser): Promise<DossierHistory> {
    return this.queries.execute(new GetDossierHistoryQuery(code, user));
  }
}
