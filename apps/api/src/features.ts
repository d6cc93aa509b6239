import type { DynamicModule } from '@nestjs/common';

/**
 * Feature modules mounted in the HTTP app besides reference data and health. The dossier module
 * (apps/api/src/modules/dossiers) is added here when it exists.
 */
export const DossiersFeature: NonNullable<DynamicModule['imports']> = [];
