import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { ReferenceDataCoreModule } from '@motcua/application';
import { AppConfig, ConfigModule, InfrastructureModule } from '@motcua/platform';

/** The CLI's Nest context: the platform's configuration and infrastructure and the reference-data core, without HTTP. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config, logger), CqrsModule.forRoot(), InfrastructureModule, ReferenceDataCoreModule],
    };
  }
}
