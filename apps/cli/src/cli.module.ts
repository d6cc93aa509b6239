import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { AppConfig } from '../../api/src/config/app-config';
import { ConfigModule } from '../../api/src/config/config.module';
import { InfrastructureModule } from '../../api/src/infrastructure/infrastructure.module';
import { ReferenceDataCoreModule } from '../../api/src/modules/reference-data/reference-data.module';

/** The API's own modules without HTTP: same store binding, same handlers, same read model. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config, logger), CqrsModule.forRoot(), InfrastructureModule, ReferenceDataCoreModule],
    };
  }
}
