import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import { PersonalDataProtector } from '@motcua/personal-data';
import { APP_CONFIG, AppConfig, describePersonalDataConfig, LOGGER, openPersonalDataProtector } from '@motcua/platform';

export const PERSONAL_DATA = Symbol.for('motcua.PersonalDataProtector');

export const personalDataProvider: Provider = {
  provide: PERSONAL_DATA,
  inject: [APP_CONFIG, LOGGER],
  useFactory: (config: AppConfig, logger: Logger) => {
    const pd = config.personalData;
    if (pd.masterSource === 'dev-file') {
      logger.warn(
        { file: pd.devKeyFile, generated: pd.devKeyGenerated },
        'PERSONAL_DATA_MASTER_KEY unset: using the development master key in DATA_DIR (never in production)',
      );
    }
    logger.info({ personalData: describePersonalDataConfig(pd) }, 'personal data key vault');
    return openPersonalDataProtector(pd);
  },
};

@Injectable()
export class PersonalDataLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PERSONAL_DATA) private readonly pd: PersonalDataProtector) {}
  async onApplicationShutdown(): Promise<void> {
    await this.pd.close();
  }
}
