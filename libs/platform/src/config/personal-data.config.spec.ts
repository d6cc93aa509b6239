import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';
import { loadPersonalDataConfig } from './personal-data.config';

// Random-looking: production refuses a predictable secret.
const SECRET = 'k3J9x-Qm2VtZr8Lw_p4Ny7Hc1Ub6Ge0Ds5Af';
const KEY = 'ab'.repeat(32);

describe('loadPersonalDataConfig', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pdcfg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('development: SQLite vault in DATA_DIR beside (not in) the event store, master key generated once (0600)', () => {
    // The section alone (loadConfig would already have generated the key: it validates every section at start).
    const app = { nodeEnv: 'development', dataDir: dir, eventStore: { kind: 'sqlite' as const, file: join(dir, 'events.sqlite') } };
    const a = loadPersonalDataConfig(app, {});
    expect(a.vault).toEqual({ kind: 'sqlite', file: join(dir, 'keys.sqlite') });
    expect(a).toMatchObject({ masterSource: 'dev-file', devKeyGenerated: true });
    expect(statSync(a.devKeyFile!).mode & 0o777).toBe(0o600);
    const b = loadPersonalDataConfig(app, {});
    expect(b.master.id).toBe(a.master.id);
    expect(b.devKeyGenerated).toBe(false);
  });

  it('postgres event store: vault in the same database, schema personal_data; kurrentdb needs a vault URL', () => {
    const pg = loadConfig({ AUTH_JWT_SECRET: SECRET, EVENT_STORE: 'postgres', EVENT_STORE_URL: 'postgres://u@h/db', DATA_DIR: dir });
    expect(loadPersonalDataConfig(pg, { PERSONAL_DATA_MASTER_KEY: KEY }).vault).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://u@h/db',
      schema: 'personal_data',
    });
    // loadConfig itself refuses a kurrentdb deployment without a vault URL; the section is then checked alone.
    expect(() => loadConfig({ AUTH_JWT_SECRET: SECRET, EVENT_STORE: 'kurrentdb', EVENT_STORE_URL: 'esdb://h:2113', DATA_DIR: dir })).toThrow(
      /PERSONAL_DATA_VAULT_URL/,
    );
    const kdb = loadConfig({
      AUTH_JWT_SECRET: SECRET,
      EVENT_STORE: 'kurrentdb',
      EVENT_STORE_URL: 'esdb://h:2113',
      DATA_DIR: dir,
      PERSONAL_DATA_VAULT_URL: 'postgres://v@h/db',
    });
    expect(() => loadPersonalDataConfig(kdb, { PERSONAL_DATA_MASTER_KEY: KEY })).toThrow(/PERSONAL_DATA_VAULT_URL/);
    expect(loadPersonalDataConfig(kdb, { PERSONAL_DATA_MASTER_KEY: KEY, PERSONAL_DATA_VAULT_URL: 'postgres://v@h/db' }).vault).toMatchObject({
      kind: 'postgres',
      schema: 'personal_data',
    });
  });

  it.each([
    [{ NODE_ENV: 'production' }, {}, 'PERSONAL_DATA_MASTER_KEY'],
    [{}, { PERSONAL_DATA_MASTER_KEY: 'too-short' }, 'PERSONAL_DATA_MASTER_KEY'],
    [{}, { PERSONAL_DATA_MASTER_KEY: KEY, PERSONAL_DATA_PREVIOUS_MASTER_KEYS: `${KEY},nope` }, 'PERSONAL_DATA_PREVIOUS_MASTER_KEYS'],
    [{}, { PERSONAL_DATA_VAULT: 'vault9000' }, 'PERSONAL_DATA_VAULT'],
    [{}, { PERSONAL_DATA_VAULT_URL: 'EVENTS' }, 'PERSONAL_DATA_VAULT_URL'],
    [
      { EVENT_STORE: 'postgres', EVENT_STORE_URL: 'postgres://u@h/db', EVENT_STORE_SCHEMA: 'es' },
      { PERSONAL_DATA_VAULT_SCHEMA: 'es' },
      'PERSONAL_DATA_VAULT_SCHEMA',
    ],
    [{ EVENT_STORE: 'postgres', EVENT_STORE_URL: 'postgres://u@h/db' }, { PERSONAL_DATA_VAULT_SCHEMA: 'Bad-Name' }, 'PERSONAL_DATA_VAULT_SCHEMA'],
    [{}, { PERSONAL_DATA_VAULT: 'postgres', PERSONAL_DATA_VAULT_URL: 'mysql://x' }, 'PERSONAL_DATA_VAULT_URL'],
  ] as Array<[Record<string, string>, Record<string, string>, string]>)('%j + %j fails naming %s', (appEnv, env, variable) => {
    const events = join(dir, 'events.sqlite');
    const app = loadConfig({ DATA_DIR: dir, AUTH_JWT_SECRET: SECRET, EVENT_STORE_URL: events, PERSONAL_DATA_MASTER_KEY: KEY, ...appEnv });
    const e2 = { ...env } as Record<string, string>;
    if (e2.PERSONAL_DATA_VAULT_URL === 'EVENTS') e2.PERSONAL_DATA_VAULT_URL = events; // the vault may not be the event store file
    try {
      loadPersonalDataConfig(app, { PERSONAL_DATA_MASTER_KEY: appEnv.NODE_ENV ? undefined : KEY, ...e2 });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).variable).toBe(variable);
    }
  });
});
