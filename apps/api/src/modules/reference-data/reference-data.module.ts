import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AgencyScope } from '../../shared/auth/agency-scope.service';
import { ChangeAgencyController } from './commands/change-agency/change-agency.controller';
import { ChangeAgencyHandler } from './commands/change-agency/change-agency.handler';
import { ChangeProcedureController } from './commands/change-procedure/change-procedure.controller';
import { ChangeProcedureHandler } from './commands/change-procedure/change-procedure.handler';
import { RegisterAgencyController } from './commands/register-agency/register-agency.controller';
import { RegisterAgencyHandler } from './commands/register-agency/register-agency.handler';
import { RegisterProcedureController } from './commands/register-procedure/register-procedure.controller';
import { RegisterProcedureHandler } from './commands/register-procedure/register-procedure.handler';
import { ReferenceImporter } from './import/reference-importer';
import { ReferenceQueriesController } from './queries/reference-queries.controller';
import { ReferenceDataService } from './reference-data.service';

const handlers = [RegisterAgencyHandler, ChangeAgencyHandler, RegisterProcedureHandler, ChangeProcedureHandler];

/** Without HTTP controllers (the CLI): the read model, the handlers, the importer, the scope. */
@Module({
  imports: [CqrsModule],
  providers: [ReferenceDataService, AgencyScope, ReferenceImporter, ...handlers],
  exports: [ReferenceDataService, AgencyScope, ReferenceImporter],
})
export class ReferenceDataCoreModule {}

/** Agencies and procedures: admin writes, authenticated reads, the read model, and `AgencyScope`. */
@Module({
  imports: [ReferenceDataCoreModule],
  controllers: [RegisterAgencyController, ChangeAgencyController, RegisterProcedureController, ChangeProcedureController, ReferenceQueriesController],
  exports: [ReferenceDataCoreModule],
})
export class ReferenceDataModule {}
