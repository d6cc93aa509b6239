import { createPostgresKeyVault, createSqliteKeyVault, PersonalDataProtector } from '@motcua/personal-data';
import type { PersonalDataConfig } from '../config/personal-data.config';

/** The protector of applicants' personal data over the configured key vault (SQLite file or PostgreSQL schema). */
export function openPersonalDataProtector(pd: PersonalDataConfig): PersonalDataProtector {
  const vault =
    pd.vault.kind === 'sqlite'
      ? createSqliteKeyVault({ file: pd.vault.file })
      : createPostgresKeyVault({ connectionString: pd.vault.connectionString, schema: pd.vault.schema });
  return new PersonalDataProtector(vault, pd.master, pd.previous);
}
