/**
 * Alert settings shared by the API and the worker, read from the environment (defaults in docs/alerts.md).
 */
import { join } from 'node:path';
import type { DueSoonPolicy } from './plan';
import { DEFAULT_TICK_MS } from './schedule';

export interface AlertsConfig {
  /** The alerts read-model database: a SQLite file path or a postgres:// URL. */
  db: { kind: 'sqlite'; file: string } | { kind: 'postgres'; connectionString: string; schema: string };
  /** BullMQ key prefix (the deployment's REDIS_KEY_PREFIX + `bull`). */
  bullPrefix: string;
  /** Redis pub/sub channel on which the worker announces new alert-feed rows. */
  feedChannel: string;
  /** Redis sorted set of pending alerts (schedule.ts). */
  scheduleKey: string;
  /** Tick of the BullMQ delayed jobs (ms): one job per tick boundary with something due. */
  tickMs: number;
  dueSoon: DueSoonPolicy;
  reconcileMs: number;
  /** API: fallback poll of the feed table when a pub/sub message was missed. */
  feedPollMs: number;
  /** Dossiers handled in parallel within a tick (and tick jobs per worker). */
  concurrency: number;
  jobAttempts: number;
  jobBackoffMs: number;
  /** Worker: port of its own /metrics endpoint (0 = off). */
  metricsPort: number;
}

function num(env: Record<string, string | undefined>, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`invalid configuration: ${name}: expected ${min}..${max}, got '${raw}'`);
  return n;
}

export function loadAlertsConfig(env: Record<string, string | undefined>, base: { dataDir: string; redisKeyPrefix: string }): AlertsConfig {
  const dbUrl = env.ALERTS_DB?.trim();
  const db: AlertsConfig['db'] =
    dbUrl && /^postgres(ql)?:\/\//.test(dbUrl)
      ? { kind: 'postgres', connectionString: dbUrl, schema: env.ALERTS_DB_SCHEMA?.trim() || 'alerts' }
      : { kind: 'sqlite', file: dbUrl || join(base.dataDir, 'alerts.sqlite') };
  return {
    db,
    bullPrefix: `${base.redisKeyPrefix}bull`,
    feedChannel: `${base.redisKeyPrefix}alerts:feed`,
    scheduleKey: `${base.redisKeyPrefix}alerts:due`,
    tickMs: num(env, 'ALERT_TICK_MS', DEFAULT_TICK_MS, 10, 60_000),
    dueSoon: {
      fraction: num(env, 'ALERT_DUE_SOON_FRACTION', 0.25, 0, 1),
      maxWorkingDays: num(env, 'ALERT_DUE_SOON_MAX_WORKING_DAYS', 1, 0, 365),
    },
    reconcileMs: num(env, 'ALERT_RECONCILE_MS', 60_000, 100, 86_400_000),
    feedPollMs: num(env, 'ALERT_FEED_POLL_MS', 2_000, 50, 3_600_000),
    concurrency: num(env, 'ALERT_CONCURRENCY', 16, 1, 1000),
    jobAttempts: num(env, 'ALERT_JOB_ATTEMPTS', 8, 1, 100),
    jobBackoffMs: num(env, 'ALERT_JOB_BACKOFF_MS', 1_000, 1, 3_600_000),
    metricsPort: num(env, 'ALERT_WORKER_METRICS_PORT', 0, 0, 65535),
  };
}
