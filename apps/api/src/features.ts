import type { DynamicModule } from '@nestjs/common';
import { DossiersModule } from './modules/dossiers/dossiers.module';
import { AuditModule } from './modules/audit/audit.module';
import { AlertsModule } from './modules/alerts/alerts.module';
import { ProjectionsAdminModule } from './modules/projections-admin/projections-admin.module';
import { QuarantineModule } from './modules/quarantine/quarantine.module';

/** Feature modules mounted in the HTTP app besides reference data and health. */
export const DossiersFeature: NonNullable<DynamicModule['imports']> = [DossiersModule, AuditModule, ProjectionsAdminModule, AlertsModule, QuarantineModule];
