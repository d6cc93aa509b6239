import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AgencyScope } from './agency-scope.service';
import { ChangeAgencyHandler } from './commands/change-agency/change-agency.handler';
import { ChangeProcedureHandler } from './commands/change-procedure/change-procedure.handler';
import { RegisterAgencyHandler } from './commands/register-agency/register-agency.handler';
import { RegisterProcedureHandler } from './commands/register-procedure/register-procedure.handler';
import { ReferenceImporter } from './import/reference-importer';
import { ReferenceDataService } from './reference-data.service';

const handlers = [RegisterAgencyHandler, ChangeAgencyHandler, RegisterProcedureHandler, ChangeProcedureHandler];

/**
 * Reference data without HTTP: the live read model, the command handlers, the importer and the agency
 * scope. The API adds its controllers on top; the CLI uses it as it is. Needs the platform's
 * ConfigModule and InfrastructureModule (configuration, event store, clock, logger).
 */
@Module({
  imports: [CqrsModule],
  providers: [ReferenceDataService, AgencyScope, ReferenceImporter, ...handlers],
  exports: [ReferenceDataService, AgencyScope, ReferenceImporter],
})
export class ReferenceDataCoreModule {}
