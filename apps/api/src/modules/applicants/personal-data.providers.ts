import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import { createPostgresKeyVault, createSqliteKeyVault, PersonalDataProtector } from '@motcua/personal-data';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LOGGER } from '../../shared/logging/logger';
import { describePersonalDataConfig, loadPersonalDataConfig } from './personal-data.config';

export const PERSONAL_DATA = Symbol.for('motcua.PersonalDataProtector');

export const personalDataProvider: Provider = {
  provide: PERSONAL_DATA,
  inject: [APP_CONFIG, LOGGER],
  useFactory: (config: AppConfig, logger: Logger) => {
    const pd = loadPersonalDataConfig(config);
    if (pd.masterSource === 'dev-file') {
      logger.warn({ file: pd.devKeyFile, generated: pd.devKeyGenerated }, 'PERSONAL_DATA_MASTER_KEY unset: using the development master key in DATA_DIR (never in production)');
    }
    logger.info({ personalData: describePersonalDataConfig(pd) }, 'personal data key vault');
    const vault = pd.vault.kind === 'sqlite' ? createSqliteKeyVault({ file: pd.vault.file }) : createPostgresKeyVault({ connectionString: pd.vault.connectionString, schema: pd.vault.schema });
    return new PersonalDataProtector(vault, pd.master, pd.previous);
  },
};

@Injectable()
export class PersonalDataLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PERSONAL_DATA) private readonly pd: PersonalDataProtector) {}
  async onApplicationShutdown(): Promise<void> {
    await this.pd.close();
  }
}
