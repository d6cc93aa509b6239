import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

const secret = 'x'.repeat(32);

describe('loadConfig', () => {
  it('defaults to the embedded store in DATA_DIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const c = loadConfig({ DATA_DIR: dir, AUTH_JWT_SECRET: secret });
    expect(c.port).toBe(3000);
    expect(c.eventStore).toEqual({ kind: 'sqlite', file: join(dir, 'events.sqlite'), minFreeBytes: 64 * 1024 * 1024 });
    expect(loadConfig({ DATA_DIR: dir, AUTH_JWT_SECRET: secret, EVENT_STORE_MIN_FREE_BYTES: '0' }).eventStore).toMatchObject({ minFreeBytes: 0 });
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.rateLimitPerMinute).toBe(0);
    expect(c.apiProcesses).toBe(availableParallelism());
    expect(loadConfig({ DATA_DIR: dir, AUTH_JWT_SECRET: secret, API_PROCESSES: '1' }).apiProcesses).toBe(1);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ EVENT_STORE: 'mongo' }, 'EVENT_STORE'],
    [{ EVENT_STORE: 'postgres' }, 'EVENT_STORE_URL'],
    [{ EVENT_STORE: 'postgres', EVENT_STORE_URL: 'mysql://x' }, 'EVENT_STORE_URL'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ AUTH_JWT_SECRET: 'short' }, 'AUTH_JWT_SECRET'],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ API_PROCESSES: '0' }, 'API_PROCESSES'],
    [{ API_PROCESSES: 'two' }, 'API_PROCESSES'],
    [{ EVENT_STORE_MIN_FREE_BYTES: '64MB' }, 'EVENT_STORE_MIN_FREE_BYTES'],
    [{ EVENT_STORE_MIN_FREE_BYTES: '-1' }, 'EVENT_STORE_MIN_FREE_BYTES'],
    [{ EVENT_STORE_MIN_FREE_BYTES: String(2 ** 51) }, 'EVENT_STORE_MIN_FREE_BYTES'],
    [{ EVENT_STORE: 'postgres', EVENT_STORE_URL: 'postgres://h/db', EVENT_STORE_MIN_FREE_BYTES: 'lots' }, 'EVENT_STORE_MIN_FREE_BYTES'],
    [{ NODE_ENV: 'production', AUTH_JWT_SECRET: '' }, 'AUTH_JWT_SECRET'],
  ])('%j fails naming %s', (env, variable) => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    try {
      loadConfig({ DATA_DIR: dir, AUTH_JWT_SECRET: secret, ...env });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).variable).toBe(variable);
      expect((e as Error).message).toContain(variable);
    }
  });

  it('generates a development secret once, private to the user, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const a = loadConfig({ DATA_DIR: dir });
    expect(a.auth).toMatchObject({ secretSource: 'dev-file', devSecretGenerated: true });
    expect(statSync(join(dir, 'dev-jwt-secret')).mode & 0o777).toBe(0o600);
    const b = loadConfig({ DATA_DIR: dir });
    expect(b.auth.jwtSecret).toBe(a.auth.jwtSecret);
    expect(b.auth.devSecretGenerated).toBe(false);
    expect(readFileSync(join(dir, 'dev-jwt-secret'), 'utf8').trim()).toBe(a.auth.jwtSecret);
  });

  it('postgres with a schema; never echoes a password', () => {
    const c = loadConfig({ AUTH_JWT_SECRET: secret, EVENT_STORE: 'postgres', EVENT_STORE_URL: 'postgres://u:pw@h/db', EVENT_STORE_SCHEMA: 'es' });
    expect(c.eventStore).toEqual({ kind: 'postgres', connectionString: 'postgres://u:pw@h/db', schema: 'es' });
    expect(() => loadConfig({ AUTH_JWT_SECRET: secret, EVENT_STORE: 'postgres', EVENT_STORE_URL: 'nope://u:pw@' })).toThrow(/EVENT_STORE_URL/);
  });
});

describe('environment and secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-env-'));
  const random = 'k3J9x-Qm2VtZr8Lw_p4Ny7Hc1Ub6Ge0Ds5Af';
  it.each(['Production', 'prod', 'PRODUCTION', 'staging', 'dev'])('NODE_ENV=%s is refused, never a development fallback', (value) => {
    try {
      loadConfig({ NODE_ENV: value, DATA_DIR: dir, AUTH_JWT_SECRET: random, PERSONAL_DATA_MASTER_KEY: 'ab'.repeat(32) });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).variable).toBe('NODE_ENV');
    }
  });
  it('a low-entropy secret is refused in production, accepted in development', () => {
    const weak = 'a'.repeat(32);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, AUTH_JWT_SECRET: weak, PERSONAL_DATA_MASTER_KEY: 'ab'.repeat(32) })).toThrow(
      /AUTH_JWT_SECRET.*predictable/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, AUTH_JWT_SECRET: 'abcd'.repeat(8), PERSONAL_DATA_MASTER_KEY: 'ab'.repeat(32) })).toThrow(
      /AUTH_JWT_SECRET/,
    );
    expect(loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, AUTH_JWT_SECRET: random, PERSONAL_DATA_MASTER_KEY: 'ab'.repeat(32) }).nodeEnv).toBe(
      'production',
    );
    expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: dir, AUTH_JWT_SECRET: weak }).auth.secretSource).toBe('env');
  });
});
