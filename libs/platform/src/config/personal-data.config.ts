import { resolve } from 'node:path';
import { MasterKeyError, parseMasterKey, readOrCreateDevMasterKey, type MasterKey } from '@motcua/personal-data';
import { ConfigError, type Env } from './config-error';

/** What the personal-data section needs of the rest of the configuration. */
export interface PersonalDataBase {
  nodeEnv: string;
  dataDir: string;
  eventStore:
    { kind: 'sqlite'; file: string } | { kind: 'postgres'; connectionString: string; schema?: string } | { kind: 'kurrentdb'; connectionString: string };
}

/**
 * Configuration of personal data protection (Decree 13/2023/NĐ-CP), read at start; a failure names the variable.
 *
 * | variable | default |
 * | `PERSONAL_DATA_MASTER_KEY` | dev: generated into `$DATA_DIR/dev-personal-data-master-key`; required when NODE_ENV=production |
 * | `PERSONAL_DATA_PREVIOUS_MASTER_KEYS` | none; comma-separated, still opens keys not yet re-wrapped after a rotation |
 * | `PERSONAL_DATA_VAULT` | `postgres` when EVENT_STORE is postgres or kurrentdb, else `sqlite` |
 * | `PERSONAL_DATA_VAULT_URL` | sqlite: `$DATA_DIR/keys.sqlite`; postgres: `EVENT_STORE_URL` (when EVENT_STORE=postgres) |
 * | `PERSONAL_DATA_VAULT_SCHEMA` | `personal_data` (must differ from the event store's schema) |
 */
export interface PersonalDataConfig {
  master: MasterKey;
  previous: MasterKey[];
  masterSource: 'env' | 'dev-file';
  devKeyFile?: string;
  devKeyGenerated: boolean;
  vault: { kind: 'sqlite'; file: string } | { kind: 'postgres'; connectionString: string; schema: string };
}

function masterKey(variable: string, text: string): MasterKey {
  try {
    return parseMasterKey(text);
  } catch (e) {
    if (e instanceof MasterKeyError) throw new ConfigError(variable, e.message);
    throw e;
  }
}

export function loadPersonalDataConfig(app: PersonalDataBase, env: Env = process.env): PersonalDataConfig {
  let master: MasterKey;
  let masterSource: PersonalDataConfig['masterSource'] = 'env';
  let devKeyFile: string | undefined;
  let devKeyGenerated = false;
  const raw = env.PERSONAL_DATA_MASTER_KEY?.trim();
  if (raw) {
    master = masterKey('PERSONAL_DATA_MASTER_KEY', raw);
  } else {
    if (app.nodeEnv === 'production') throw new ConfigError('PERSONAL_DATA_MASTER_KEY', 'required in production (32 bytes, e.g. `openssl rand -base64 32`)');
    const dev = readOrCreateDevMasterKey(app.dataDir);
    master = masterKey('PERSONAL_DATA_MASTER_KEY', dev.text);
    masterSource = 'dev-file';
    devKeyFile = dev.file;
    devKeyGenerated = dev.generated;
  }
  const previous = (env.PERSONAL_DATA_PREVIOUS_MASTER_KEYS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => masterKey('PERSONAL_DATA_PREVIOUS_MASTER_KEYS', s));

  const es = app.eventStore;
  const kind = env.PERSONAL_DATA_VAULT?.trim() || (es.kind === 'sqlite' ? 'sqlite' : 'postgres');
  const url = env.PERSONAL_DATA_VAULT_URL?.trim() || undefined;
  let vault: PersonalDataConfig['vault'];
  if (kind === 'sqlite') {
    const file = url ? resolve(url.replace(/^file:(\/\/)?/, '')) : resolve(app.dataDir, 'keys.sqlite');
    if (es.kind === 'sqlite' && resolve(es.file) === file) {
      throw new ConfigError('PERSONAL_DATA_VAULT_URL', 'the key vault must not be the event store file (keys are kept apart from events)');
    }
    vault = { kind, file };
  } else if (kind === 'postgres') {
    const connectionString = url ?? (es.kind === 'postgres' ? es.connectionString : undefined);
    if (!connectionString) throw new ConfigError('PERSONAL_DATA_VAULT_URL', 'required for a postgres key vault when EVENT_STORE is not postgres');
    if (!/^postgres(ql)?:\/\//.test(connectionString)) throw new ConfigError('PERSONAL_DATA_VAULT_URL', 'expected a postgres:// URL');
    const schema = env.PERSONAL_DATA_VAULT_SCHEMA?.trim() || 'personal_data';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ConfigError('PERSONAL_DATA_VAULT_SCHEMA', `not a plain lower-case identifier: '${schema}'`);
    if (es.kind === 'postgres' && schema === (es.schema ?? 'event_store') && connectionString === es.connectionString) {
      throw new ConfigError('PERSONAL_DATA_VAULT_SCHEMA', "must differ from the event store's schema (keys are kept apart from events)");
    }
    vault = { kind, connectionString, schema };
  } else {
    throw new ConfigError('PERSONAL_DATA_VAULT', `expected sqlite or postgres, got '${kind}'`);
  }
  return { master, previous, masterSource, devKeyFile, devKeyGenerated, vault };
}

/** For the start log: where keys live, which master key (by id), never the key. */
export function describePersonalDataConfig(c: PersonalDataConfig): Record<string, unknown> {
  return {
    masterKeyId: c.master.id,
    masterSource: c.masterSource,
    vault:
      c.vault.kind === 'sqlite'
        ? { kind: 'sqlite', file: c.vault.file }
        : { kind: 'postgres', schema: c.vault.schema, url: c.vault.connectionString.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@') },
  };
}
