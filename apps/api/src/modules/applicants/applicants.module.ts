import { Module } from '@nestjs/common';
import { registerErrorCode } from '../../shared/errors/error-mapping';
import { ReferenceDataCoreModule } from '../reference-data/reference-data.module';
import { ApplicantRecords } from './applicant-records.service';
import { ApplicantsController } from './applicants.controller';
import { PersonalDataLifecycle, personalDataProvider } from './personal-data.providers';

// The key vault down (PostgreSQL restarting, SQLite file locked): retry later, not a bug.
registerErrorCode('VAULT_UNAVAILABLE', 503);

/**
 * Personal data protection (Decree 13/2023): the key vault, the sealing used by the dossier intake use cases
 * (`ApplicantRecords.seal`), reading a dossier's applicant and erasure. Imported by DossiersModule.
 */
@Module({
  imports: [ReferenceDataCoreModule],
  controllers: [ApplicantsController],
  providers: [personalDataProvider, PersonalDataLifecycle, ApplicantRecords],
  exports: [ApplicantRecords],
})
export class ApplicantsModule {}
