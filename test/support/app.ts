/**
 * Boots the real API (same module graph as `npm start`) on a random port against a chosen event store:
 * SQLite in a temp dir, or PostgreSQL in a throw-away schema. Dossier e2e tests reuse it:
 *
 *   const t = await startTestApp({ store: 'sqlite' });
 *   const res = await t.request('POST', '/api/dossiers', { token: await t.token('clerk', 'H30.01'), body });
 *   await t.close();
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { EVENT_STORE, EventStore } from '@motcua/event-store';
import { createApp } from '../../apps/api/src/bootstrap';
import { AppConfig, loadConfig } from '@motcua/platform';
import { signDevToken } from '@motcua/platform';
import { Role } from '@motcua/platform';
import { createLogger } from '@motcua/platform';

export type StoreKind = 'sqlite' | 'postgres';

export const PG_URL = process.env.TEST_PG_URL ?? `postgres://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:5432/test`;

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestApp {
  baseUrl: string;
  app: INestApplication;
  store: EventStore;
  config: AppConfig;
  dataDir: string;
  /** A signed HS256 token; `opts.ttlSeconds` may be negative for an expired one; `opts.issuer` sets `iss`. */
  token(role: Role | string, agency?: string, opts?: { sub?: string; ttlSeconds?: number; secret?: string; issuer?: string }): Promise<string>;
  /** fetch + JSON: body objects are sent as JSON, strings as they are (for malformed-body tests). */
  request<T = any>(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse<T>>;
  close(): Promise<void>;
}

export interface StartOptions {
  store: StoreKind;
  /** Extra environment for loadConfig (e.g. RATE_LIMIT_PER_MINUTE). */
  env?: Record<string, string>;
  /** Reuse a data dir / schema (restart tests). */
  dataDir?: string;
  pgSchema?: string;
  /** Keep the data dir / schema on close (restart tests). */
  keep?: boolean;
}

export async function startTestApp(opts: StartOptions): Promise<TestApp> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'motcua-e2e-'));
  const schema = opts.pgSchema ?? `e2e_${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    DATA_DIR: dataDir,
    AUTH_JWT_SECRET: secret,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REFERENCE_POLL_MS: '0',
    REDIS_KEY_PREFIX: `e2e:${randomBytes(6).toString('hex')}:`,
    EVENT_STORE: opts.store,
    ...(opts.store === 'postgres' ? { EVENT_STORE_URL: PG_URL, EVENT_STORE_SCHEMA: schema } : {}),
    // A test points the read models (the worker's READ_MODELS_*) or the alerts into its own stores through process.env.
    ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => /^(READ_MODELS|ALERTS?|AUDIT)_/.test(e[0]) && e[1] !== undefined)),
    ...opts.env,
  };
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel, 'api-test');
  const app = await createApp(config, logger);
  await app.listen(0, '127.0.0.1');
  const addr = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${addr.port}`;
  const store = app.get<EventStore>(EVENT_STORE);

  const t: TestApp = {
    baseUrl,
    app,
    store,
    config,
    dataDir,
    token: (role, agency, o = {}) =>
      signDevToken(
        o.secret ?? config.auth.jwtSecret!,
        { sub: o.sub ?? `${role}-${agency ?? 'all'}`, role, agency, ...(o.issuer ? { issuer: o.issuer } : {}) },
        o.ttlSeconds ?? 3600,
      ),
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined;
      if (o.body !== undefined) {
        body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(baseUrl + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON (metrics) */
      }
      return { status: res.status, headers: res.headers, body: parsed as any, text };
    },
    async close() {
      await app.close();
      if (opts.store === 'postgres' && !opts.keep) {
        const c = new Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      }
      if (!opts.keep && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Every store the e2e suites run against: `describe.each(STORES)`. */
export const STORES: StoreKind[] = ['sqlite', 'postgres'];
