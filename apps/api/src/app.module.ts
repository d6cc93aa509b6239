import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { AppConfig } from '@motcua/platform';
import { ConfigModule } from '@motcua/platform';
import { InfrastructureModule } from '@motcua/platform';
import { DashboardModule } from './modules/dashboard/dashboard.module';
import { HealthController } from './modules/health/health.controller';
import { ReferenceDataModule } from './modules/reference-data/reference-data.module';
import { SharedHttpModule } from './shared/shared.module';
import { SlaModule } from './sla/sla.module';

/**
 * The HTTP application. Feature modules go in `features` (one module per feature, each with its
 * use-case folders): add the dossier module here.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, features: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, logger),
        CqrsModule.forRoot(),
        InfrastructureModule,
        SharedHttpModule,
        ReferenceDataModule,
        DashboardModule,
        SlaModule,
        ...(features ?? []),
      ],
      controllers: [HealthController],
    };
  }
}
