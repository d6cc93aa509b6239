import { Module } from '@nestjs/common';
import { ReferenceDataCoreModule } from '@motcua/application';
import { ChangeAgencyController } from './commands/change-agency/change-agency.controller';
import { ChangeProcedureController } from './commands/change-procedure/change-procedure.controller';
import { RegisterAgencyController } from './commands/register-agency/register-agency.controller';
import { RegisterProcedureController } from './commands/register-procedure/register-procedure.controller';
import { ReferenceQueriesController } from './queries/reference-queries.controller';

export { ReferenceDataCoreModule } from '@motcua/application';

/** Agencies and procedures over HTTP: admin writes, authenticated reads, on the application's reference-data core. */
@Module({
  imports: [ReferenceDataCoreModule],
  controllers: [RegisterAgencyController, ChangeAgencyController, RegisterProcedureController, ChangeProcedureController, ReferenceQueriesController],
  exports: [ReferenceDataCoreModule],
})
export class ReferenceDataModule {}
