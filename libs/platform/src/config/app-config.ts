import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { loadAlertsConfig, type AlertsConfig } from '@motcua/alerts';
import type { ReadModelDbConfig } from '@motcua/read-models';
import { ConfigError, type Env } from './config-error';
import { loadPersonalDataConfig, type PersonalDataConfig } from './personal-data.config';

export { ConfigError, type Env } from './config-error';

/**
 * The one configuration of every process (API, worker, CLI): read once from the environment and
 * validated at start, whole, so that a bad value stops the process before it serves anything. Every
 * failure is a ConfigError naming the variable, so a bad deployment stops with a message an operator
 * can act on. Variables are listed in the README and in docs/architecture.md.
 */
export type EventStoreKind = 'sqlite' | 'postgres' | 'kurrentdb';

export interface AppConfig {
  nodeEnv: string;
  port: number;
  dataDir: string;
  redisUrl: string;
  /** Prefix of every Redis key this deployment writes (REDIS_KEY_PREFIX): several deployments may share a Redis. */
  redisKeyPrefix: string;
  /**
   * The event store (EVENT_STORE, EVENT_STORE_URL, EVENT_STORE_SCHEMA). SQLite's `minFreeBytes`
   * (EVENT_STORE_MIN_FREE_BYTES, default 64 MiB, 0 = not measured): below this much room on the file's file
   * system (or under its page limit) the store reports itself not writable (`/api/health` 503 low_disk_space).
   */
  eventStore:
    | { kind: 'sqlite'; file: string; minFreeBytes: number }
    | { kind: 'postgres'; connectionString: string; schema?: string }
    | { kind: 'kurrentdb'; connectionString: string };
  auth: {
    /** HS256 secret; absent only when a JWKS URL is configured. */
    jwtSecret?: string;
    /** Where the secret came from: the environment or the development file in DATA_DIR. */
    secretSource: 'env' | 'dev-file' | 'none';
    /** Path of the development secret file when one was read or generated. */
    devSecretFile?: string;
    devSecretGenerated: boolean;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
  };
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  idempotencyTtlSeconds: number;
  logLevel: string;
  /** How often each instance re-reads the reference-data streams written by other instances. */
  referencePollMs: number;
  /**
   * API_PROCESSES: how many API processes `main.ts` runs on PORT (node:cluster; default one per CPU,
   * os.availableParallelism()). 1 = a single process, no cluster. Each process is an instance like any other
   * (own reference-data model, rate-limit counters and SSE clients); they share the store and Redis.
   */
  apiProcesses: number;
  /**
   * The read-model store (READ_MODELS_ENGINE sqlite|postgres, READ_MODELS_SQLITE_FILE default
   * `<DATA_DIR>/read-models.sqlite`, READ_MODELS_PG_URL, READ_MODELS_PG_SCHEMA default `read_models`):
   * written by the worker, read by the SLA routes, the audit tools and the CLI.
   */
  readModels: ReadModelDbConfig;
  /** The worker's leader lock (WORKER_LEADER_LOCK, WORKER_LEADER_POLL_MS); undefined when not used. */
  leaderLock?: LeaderLockConfig;
  /** Deadline alerts (ALERT_*, ALERTS_DB*), shared by the API and the worker. */
  alerts: AlertsConfig;
  /** Where audit replays build their scratch read models (AUDIT_SCRATCH_DIR, default `<DATA_DIR>/audit-scratch`). */
  audit: { scratchDir: string };
  /** Personal-data protection (PERSONAL_DATA_*): the master key and the key vault. */
  personalData: PersonalDataConfig;
  /** How often the worker logs the projections' progress (WORKER_PROGRESS_MS, default 10 s; 0 = never). */
  workerProgressMs: number;
  /**
   * How far past the server's clock a command's `occurredAt` may lie (OCCURRED_AT_MAX_FUTURE_SECONDS,
   * default 300): clocks of counters' machines drift by seconds or minutes, a dossier is never received tomorrow.
   */
  occurredAtMaxFutureSeconds: number;
  /** Live alert streams one principal (token subject) may hold open at once, per API process (SSE_MAX_STREAMS_PER_PRINCIPAL, default 5). */
  sseMaxStreamsPerPrincipal: number;
}

/**
 * One active worker per read-model schema: workers wait on a PostgreSQL advisory lock named after the
 * schema (apps/worker/src/leader.ts). `WORKER_LEADER_LOCK`: `auto` (default: on when
 * READ_MODELS_ENGINE=postgres) or `off`; SQLite read models are one-machine only and need no lock.
 */
export interface LeaderLockConfig {
  connectionString: string;
  /** Lock name; hashed to PostgreSQL's int4 key with hashtext(). */
  name: string;
  pollMs: number;
}

function intVar(env: Env, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected an integer, got '${raw}'`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(name, `expected ${min}..${max}, got ${n}`);
  return n;
}

function urlVar(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, `not a URL: '${redact(raw)}'`);
  }
  if (!protocols.includes(u.protocol)) {
    throw new ConfigError(name, `expected a ${protocols.join(' or ')} URL, got '${u.protocol}'`);
  }
  return raw;
}

/** Never echo credentials embedded in a connection string. */
function redact(s: string): string {
  return s.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

const MIN_SECRET_LENGTH = 32;
const DEV_SECRET_FILE = 'dev-jwt-secret';

/**
 * The development secret lives in DATA_DIR so the API, the worker and the CLI (`token`) agree on it
 * without any set-up; it is refused in production, where AUTH_JWT_SECRET or AUTH_JWKS_URL is required.
 */
export function readOrCreateDevSecret(dataDir: string): { secret: string; file: string; generated: boolean } {
  const file = join(dataDir, DEV_SECRET_FILE);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= MIN_SECRET_LENGTH) return { secret, file, generated: false };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  // The API, the worker and the CLI may start together: write aside, then link (atomic, fails if
  // another process won), so all of them end up with the same secret.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, secret + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { secret: readFileSync(file, 'utf8').trim(), file, generated: false };
  } finally {
    unlinkSync(tmp);
  }
  return { secret, file, generated: true };
}

/** The read-model store's section of the configuration (see AppConfig.readModels). */
export function readModelConfigFromEnv(env: Env = process.env, dataDir?: string): ReadModelDbConfig {
  const engine = env.READ_MODELS_ENGINE?.trim() || 'sqlite';
  if (engine !== 'sqlite' && engine !== 'postgres') throw new ConfigError('READ_MODELS_ENGINE', `expected sqlite or postgres, got '${engine}'`);
  const connectionString = urlVar(env, 'READ_MODELS_PG_URL', ['postgres:', 'postgresql:']);
  if (engine === 'postgres' && !connectionString) throw new ConfigError('READ_MODELS_PG_URL', 'required when READ_MODELS_ENGINE=postgres');
  const schema = env.READ_MODELS_PG_SCHEMA?.trim() || 'read_models';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new ConfigError('READ_MODELS_PG_SCHEMA', `not a plain lower-case identifier: '${schema}'`);
  return {
    engine,
    // Beside the other embedded files, so an API and a worker started with the same DATA_DIR share it.
    sqliteFile: env.READ_MODELS_SQLITE_FILE?.trim() || join(dataDir ?? env.DATA_DIR ?? './data', 'read-models.sqlite'),
    connectionString,
    schema,
  };
}

/** The worker's leader-lock section of the configuration (see LeaderLockConfig). */
export function leaderLockFromEnv(env: Env = process.env): LeaderLockConfig | undefined {
  const mode = env.WORKER_LEADER_LOCK?.trim() || 'auto';
  if (mode !== 'auto' && mode !== 'off') throw new ConfigError('WORKER_LEADER_LOCK', `expected auto or off, got '${mode}'`);
  const pollMs = intVar(env, 'WORKER_LEADER_POLL_MS', 1000, 10, 3_600_000);
  if (mode === 'off' || env.READ_MODELS_ENGINE !== 'postgres' || !env.READ_MODELS_PG_URL) return undefined;
  return {
    connectionString: env.READ_MODELS_PG_URL,
    name: `motcua-worker:${env.READ_MODELS_PG_SCHEMA ?? 'read_models'}`,
    pollMs,
  };
}

/** The alerts section; the alerts library's own parser, its failures as ConfigError. */
function alertsConfigFromEnv(env: Env, base: { dataDir: string; redisKeyPrefix: string }): AlertsConfig {
  try {
    return loadAlertsConfig(env, base);
  } catch (e) {
    const m = /^invalid configuration: ([A-Z0-9_]+): (.*)$/s.exec((e as Error).message);
    if (m) throw new ConfigError(m[1], m[2]);
    throw e;
  }
}

/** EVENT_STORE_MIN_FREE_BYTES default: 64 MiB (a WAL checkpoint needs room too). */
export const DEFAULT_STORE_MIN_FREE_BYTES = 64 * 1024 * 1024;
/** EVENT_STORE_MIN_FREE_BYTES ceiling: 1 PiB (any larger value is a typo). */
const MAX_STORE_MIN_FREE_BYTES = 2 ** 50;

/** The environments a process may run in; anything else is refused (a typo must never fall back to development). */
export const NODE_ENVS = ['development', 'test', 'production'] as const;

/** Least estimated entropy of AUTH_JWT_SECRET in production (bits; a random 32-character hex secret has ~120). */
export const MIN_SECRET_ENTROPY_BITS = 96;

/**
 * An estimate of a secret's entropy: its length times the Shannon entropy of its characters. Catches the
 * secrets people type (`aaaa…`, `abcabc…`, a word repeated); it cannot prove randomness.
 */
export function estimatedEntropyBits(secret: string): number {
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const n = [...secret].length;
  let perChar = 0;
  for (const c of counts.values()) perChar -= (c / n) * Math.log2(c / n);
  return n * perChar;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = env.NODE_ENV?.trim() || 'development';
  if (!(NODE_ENVS as readonly string[]).includes(nodeEnv)) {
    throw new ConfigError('NODE_ENV', `expected ${NODE_ENVS.join(', ')} (exactly), got '${env.NODE_ENV}'`);
  }
  const port = intVar(env, 'PORT', 3000, 0, 65535);
  const dataDir = resolve(env.DATA_DIR?.trim() || './data');
  const redisUrl = urlVar(env, 'REDIS_URL', ['redis:', 'rediss:']) ?? 'redis://127.0.0.1:6379';

  const kind = (env.EVENT_STORE?.trim() || 'sqlite') as EventStoreKind;
  if (!['sqlite', 'postgres', 'kurrentdb'].includes(kind)) {
    throw new ConfigError('EVENT_STORE', `expected sqlite, postgres or kurrentdb, got '${env.EVENT_STORE}'`);
  }
  let eventStore: AppConfig['eventStore'];
  const storeUrl = env.EVENT_STORE_URL?.trim();
  // Validated whatever the engine; only SQLite's room can be measured from here (PostgreSQL's is the server's disk).
  const minFreeBytes = intVar(env, 'EVENT_STORE_MIN_FREE_BYTES', DEFAULT_STORE_MIN_FREE_BYTES, 0, MAX_STORE_MIN_FREE_BYTES);
  if (kind === 'sqlite') {
    // For SQLite the "URL" is a file path (a `file:` prefix is tolerated).
    const file = storeUrl ? resolve(storeUrl.replace(/^file:(\/\/)?/, '')) : join(dataDir, 'events.sqlite');
    eventStore = { kind, file, minFreeBytes };
  } else if (kind === 'postgres') {
    const connectionString = urlVar(env, 'EVENT_STORE_URL', ['postgres:', 'postgresql:']);
    if (!connectionString) throw new ConfigError('EVENT_STORE_URL', 'required when EVENT_STORE=postgres');
    const schema = env.EVENT_STORE_SCHEMA?.trim() || undefined;
    if (schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new ConfigError('EVENT_STORE_SCHEMA', `not a plain lower-case identifier: '${schema}'`);
    }
    eventStore = { kind, connectionString, schema };
  } else {
    const connectionString = urlVar(env, 'EVENT_STORE_URL', ['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:', 'kdb:']);
    if (!connectionString) throw new ConfigError('EVENT_STORE_URL', 'required when EVENT_STORE=kurrentdb');
    eventStore = { kind, connectionString };
  }

  const jwksUrl = urlVar(env, 'AUTH_JWKS_URL', ['https:', 'http:']);
  let jwtSecret = env.AUTH_JWT_SECRET?.trim() || undefined;
  let secretSource: AppConfig['auth']['secretSource'] = jwtSecret ? 'env' : 'none';
  let devSecretFile: string | undefined;
  let devSecretGenerated = false;
  if (jwtSecret && jwtSecret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError('AUTH_JWT_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  if (jwtSecret && nodeEnv === 'production' && estimatedEntropyBits(jwtSecret) < MIN_SECRET_ENTROPY_BITS) {
    throw new ConfigError('AUTH_JWT_SECRET', 'too predictable for production (e.g. repeated characters): use a random secret, e.g. `openssl rand -base64 32`');
  }
  if (!jwtSecret && !jwksUrl) {
    if (nodeEnv === 'production') {
      throw new ConfigError('AUTH_JWT_SECRET', 'required in production (or set AUTH_JWKS_URL)');
    }
    const dev = readOrCreateDevSecret(dataDir);
    jwtSecret = dev.secret;
    secretSource = 'dev-file';
    devSecretFile = dev.file;
    devSecretGenerated = dev.generated;
  }

  const redisKeyPrefix = env.REDIS_KEY_PREFIX ?? 'motcua:';
  if (!/^[A-Za-z0-9:_.-]{0,64}$/.test(redisKeyPrefix)) throw new ConfigError('REDIS_KEY_PREFIX', 'up to 64 characters of A-Z a-z 0-9 : _ . -');

  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `expected fatal|error|warn|info|debug|trace|silent, got '${logLevel}'`);
  }

  const base = {
    nodeEnv,
    port,
    dataDir,
    redisUrl,
    redisKeyPrefix,
    eventStore,
    auth: {
      jwtSecret,
      secretSource,
      devSecretFile,
      devSecretGenerated,
      jwksUrl,
      issuer: env.AUTH_ISSUER?.trim() || undefined,
      audience: env.AUTH_AUDIENCE?.trim() || undefined,
    },
    rateLimitPerMinute: intVar(env, 'RATE_LIMIT_PER_MINUTE', 0, 0, 10_000_000),
    bodyLimitBytes: intVar(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
    idempotencyTtlSeconds: intVar(env, 'IDEMPOTENCY_TTL_SECONDS', 24 * 3600, 1, 30 * 24 * 3600),
    logLevel,
    referencePollMs: intVar(env, 'REFERENCE_POLL_MS', 2000, 0, 3_600_000),
    apiProcesses: intVar(env, 'API_PROCESSES', availableParallelism(), 1, 64),
  };
  return {
    ...base,
    readModels: readModelConfigFromEnv(env, dataDir),
    leaderLock: leaderLockFromEnv(env),
    alerts: alertsConfigFromEnv(env, { dataDir, redisKeyPrefix }),
    audit: { scratchDir: env.AUDIT_SCRATCH_DIR?.trim() || join(dataDir, 'audit-scratch') },
    personalData: loadPersonalDataConfig(base, env),
    workerProgressMs: intVar(env, 'WORKER_PROGRESS_MS', 10_000, 0, 86_400_000),
    occurredAtMaxFutureSeconds: intVar(env, 'OCCURRED_AT_MAX_FUTURE_SECONDS', 300, 0, 86_400),
    sseMaxStreamsPerPrincipal: intVar(env, 'SSE_MAX_STREAMS_PER_PRINCIPAL', 5, 1, 1000),
  };
}

/** A one-line description for the start log: no secrets, no passwords. */
export function describeConfig(c: AppConfig): Record<string, unknown> {
  const store =
    c.eventStore.kind === 'sqlite' ? { kind: 'sqlite', file: c.eventStore.file } : { kind: c.eventStore.kind, url: redact(c.eventStore.connectionString) };
  return {
    port: c.port,
    dataDir: c.dataDir,
    eventStore: store,
    redisUrl: redact(c.redisUrl),
    auth: c.auth.jwksUrl ? { jwks: c.auth.jwksUrl } : { hs256: c.auth.secretSource, file: c.auth.devSecretFile },
    rateLimitPerMinute: c.rateLimitPerMinute,
    apiProcesses: c.apiProcesses,
  };
}

export const APP_CONFIG = Symbol.for('motcua.AppConfig');

/**
 * Every file and folder a Motcua process creates (event store, read models, key vault, secrets, scratch
 * replays) is readable by its owner only: 0600 files, 0700 folders. The data holds applicants' personal
 * data and the keys to it; a shared machine's other users must not read it.
 */
export function useOwnerOnlyFileModes(): void {
  process.umask(0o077);
}

/**
 * For process entry points: the files it creates are its owner's only (useOwnerOnlyFileModes), then the configuration, or the offending variable's message on stderr and exit
 * code 78 (EX_CONFIG), so an orchestrator does not restart a process that can never start.
 */
export function loadConfigOrExit(env: Env = process.env): AppConfig {
  useOwnerOnlyFileModes();
  try {
    return loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78);
    }
    throw e;
  }
}
