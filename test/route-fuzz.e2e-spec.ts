/**
 * Route fuzz from the OpenAPI document: the real API (startTestApp) serves /api/docs-json; for every
 * operation in it (path × method) fast-check draws requests from the document (test/support/openapi-arbitraries.ts):
 * path and query parameters, Idempotency-Key and If-Match where declared, JSON bodies from the schemas, valid
 * and hostile (boundary numbers, impossible dates, Vietnamese text, NUL, `|`, `%`, `/`, wrong types, missing
 * and unknown fields, arrays for objects, deep nesting, malformed JSON, bodies over the limit, wrong media
 * types and encodings), with a token of every role, odd but validly signed tokens, and no or invalid tokens.
 * The test adds what the document cannot say: codes and ids that exist (and odd but valid ones), and which
 * roles each operation lets in (probed once, so that most requests get past the guard).
 *
 * Asserted for every answer: no 5xx, except a 503 with Retry-After that the operation documents, and only in
 * the phase before the worker's first start (the read models do not exist yet); every 4xx is the error shape
 * `{ error: { code, message, details?, correlationId } }` with a stable upper-case code that fits the status;
 * bad input the document itself rules out (a required field missing, an unknown field, not an object,
 * malformed JSON, too deep, too large, not JSON) is never answered 2xx; a read never answers INVALID_EVENT (it
 * would have written from what it had not checked); a 2xx XLSX export opens.
 *
 * Phases, on one store: fuzz before the worker ever ran -> the worker (apps/worker/src/worker.ts, in-process)
 * starts on what the fuzz wrote and projects a dossier received after it (SLA figures, dossier list,
 * missed-deadline alert) -> fuzz with the read models live -> the worker restarts and projects again ->
 * dossiers written before the fuzz, in an agency no fuzzed token may write, are unchanged event by event,
 * every hash chain verifies, and the read models equal a fresh replay of the log.
 *
 * FUZZ_RUNS (default 50) requests per operation and phase; FUZZ_SEED replays a run (the seed is printed, and
 * each failure names its operation's seed and fast-check path); FUZZ_OPS=operationId,… limits the operations;
 * FUZZ_STORES=sqlite limits the stores (default sqlite,postgres). Requests change the store, so a replay of
 * one operation alone (FUZZ_OPS) may not meet the state it failed in: replay the whole run first.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { Client } from 'pg';
import { SignJWT } from 'jose';
import { Worker } from '../apps/worker/src/worker';
import { dossierStreamId } from '@motcua/domain';
import { createLogger } from '@motcua/platform';
import { deletePrefix, registerProcedureBody, until, workingDays } from '@motcua/testing';
import {
  describeRequest,
  NEVER_ACCEPTED,
  operationsOf,
  requestArbitrary,
  vnIso,
  type AuthChoice,
  type FuzzOperation,
  type FuzzRequest,
  type Known,
  type OpenApiDoc,
} from './support/openapi-arbitraries';
import { rawAgent, sendRaw, type RawResponse } from './support/raw-http';
import { PG_URL, startTestApp, type StoreKind, type TestApp } from './support/app';

const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : randomBytes(4).readUInt32BE() >>> 1;
const ONLY = process.env.FUZZ_OPS ? new Set(process.env.FUZZ_OPS.split(',').map((s) => s.trim())) : undefined;
const RUN_STORES = (process.env.FUZZ_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as StoreKind[];
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// Valid instants are drawn up to this moment: a fixed one, so a seed draws the same requests on any later day.
const FUZZ_NOW = new Date('2025-12-31T16:00:00Z');

// One phase sends RUNS requests per operation (47 today); 40 ms each is a slow, loaded machine.
jest.setTimeout(Math.max(120_000, RUNS * 47 * 40));
console.log(`route fuzz: seed ${SEED}, ${RUNS} runs per operation and phase (replay with FUZZ_SEED=${SEED})`);

const P = 'H30';
const D = 'H30.01';
const OTHER = 'H31';
/** The sentinels' agency: no token of the fuzz may write there. */
const SAFE = 'H39';
/** Where the worker probes receive: an agency and a procedure the fuzz does not know, so it cannot change them. */
const PROBE = 'H38';
const PROBE_PROC = 'P.PROBE';
const PROC = 'P.DAYS';
const PROC_LONG = 'P.CAL30';
const MARCH = '2025-03-03T09:00:00+07:00';
/** Valid dossier codes that are hard on whatever carries them (paths, cursors, file names, workbooks): Vietnamese, `|`, `%`, `/`, noncharacters. */
const ODD_CODES = ['FZ-Việt|%/ệ', 'FZ-\uffff', 'FZ-😀\u202e', 'FZ-=HYPERLINK("x")'];
/** An agency whose name is as odd as a name may be (it shows up in the SLA exports). */
const ODD_AGENCY = 'H30.02';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Stable 31-bit seed of one operation in one phase, from the run's seed. */
function opSeed(phase: string, id: string): number {
  return createHash('sha256').update(`${SEED}:${phase}:${id}`).digest().readUInt32BE() >>> 1;
}

/** An HS256 token with any claims (what a misbehaving identity provider could sign). */
function hs256(secret: string, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

interface ErrorCheck {
  problem?: string;
}

const STATUS_CODES: Record<number, string[]> = {
  400: ['VALIDATION_FAILED', 'MALFORMED_JSON', 'MALFORMED_REQUEST'],
  408: ['REQUEST_TIMEOUT'],
  401: ['UNAUTHENTICATED'],
  403: ['FORBIDDEN'],
  404: ['NOT_FOUND'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  429: ['RATE_LIMITED'],
  431: ['REQUEST_HEADERS_TOO_LARGE'],
};

/** The project's error shape, with a code that belongs to the status. */
function errorShape(res: RawResponse): ErrorCheck {
  if (!/^application\/json/.test(String(res.headers['content-type'] ?? ''))) return { problem: `content-type ${res.headers['content-type']}` };
  const b = res.json as any;
  if (!b || typeof b !== 'object' || Array.isArray(b) || Object.keys(b).join() !== 'error') return { problem: 'body is not { error }' };
  const e = b.error;
  if (typeof e?.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(e.code) || e.code === 'INTERNAL') return { problem: `code ${JSON.stringify(e?.code)}` };
  if (typeof e.message !== 'string' || !e.message) return { problem: 'no message' };
  if (typeof e.correlationId !== 'string' || !e.correlationId) return { problem: 'no correlationId' };
  if (e.details !== undefined && (!Array.isArray(e.details) || !e.details.every((d: any) => typeof d?.field === 'string' && typeof d?.message === 'string'))) {
    return { problem: 'details are not [{ field, message }]' };
  }
  const expected = STATUS_CODES[res.status];
  if (expected && !expected.includes(e.code)) return { problem: `code ${e.code} for ${res.status}` };
  return {};
}

interface Stats {
  requests: number;
  byStatus: Map<number, number>;
  codes: Map<string, number>;
  intents: Map<string, number>;
  documented503: number;
  exports: number;
  ms: number;
}

describe.each(RUN_STORES)('route fuzz from the OpenAPI document (%s)', (kind) => {
  let t: TestApp;
  let doc: OpenApiDoc;
  let ops: FuzzOperation[];
  let worker: Worker | undefined;
  const agent = rawAgent();
  const rmSchema = `rm_fuzz_${randomBytes(5).toString('hex')}`;
  const stats: Stats = { requests: 0, byStatus: new Map(), codes: new Map(), intents: new Map(), documented503: 0, exports: 0, ms: 0 };
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'worker-fuzz');
  let admin: string, auditor: string, clerkD: string, monitorP: string, clerkSafe: string, clerkProbe: string, monitorProbe: string;
  let valid: AuthChoice[], odd: AuthChoice[], invalid: AuthChoice[];
  /** Per operation, the valid tokens whose role it lets in (probed once: a 403 naming the role is the guard's). */
  const permitted = new Map<string, AuthChoice[]>();
  const tokens: string[] = [];
  /** Values the fuzz draws from besides the document's: codes that exist, ids seen. */
  const pool = {
    dossiers: ['FZ-OPEN', 'FZ-SUPP', 'FZ-PAY', 'FZ-DONE', 'FZ-RET', 'FZ-ONLINE', 'FZ-APPL', ...ODD_CODES, 'SAFE-CLOSED', 'SAFE-OPEN'],
    agencies: [P, D, ODD_AGENCY, OTHER, SAFE, 'H30.99', 'NOPE'],
    procedures: [PROC, PROC_LONG, 'P.ONE', 'NOPE'],
    alertIds: [] as string[],
    rebuildIds: [] as string[],
    refs: [] as string[],
    seal: {} as Record<string, unknown>,
  };
  /** What the sentinels looked like before the fuzz. */
  const before = new Map<string, unknown>();

  const ok = async (method: string, path: string, token: string, body?: unknown, status = 200): Promise<any> => {
    const r = await t.request(method, path, { token, body });
    if (r.status !== status) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.body;
  };

  const known: Known = (name, where, op) => {
    const dossierRoute = op.path.startsWith('/api/dossiers') || op.path.startsWith('/api/audit');
    if (where === 'path') {
      if (name === 'code' && op.path.startsWith('/api/agencies')) return pool.agencies;
      if (name === 'code' && op.path.startsWith('/api/procedures')) return pool.procedures;
      if (name === 'code' && dossierRoute) return pool.dossiers;
      if (name === 'id' && op.path.includes('alerts')) return pool.alertIds.length ? pool.alertIds : ['nope'];
      if (name === 'id') return pool.rebuildIds.length ? pool.rebuildIds : ['nope'];
      if (name === 'ref') return pool.refs.length ? pool.refs : ['nope'];
      return undefined;
    }
    if (where === 'query') {
      if (name === 'agency' || name === 'parent') return pool.agencies;
      if (name === 'stream') return pool.dossiers.map(dossierStreamId);
      if (name === 'status' && op.path === '/api/dossiers') return ['received', 'in_processing', 'completed', 'withdrawn', '2', '4', '10'];
      if (name === 'limit') return ['1', '2', '50', '500', '501', '1000'];
      if (name === 'revision') return ['0', '1', '2', '3'];
      if (name === 'access_token') return tokens;
      if (name === 'lastEventId') return ['0', '1', '5'];
      if (name === 'from') return ['2025-03-01', '2025-06-01'];
      if (name === 'to') return ['2025-03-31', '2025-12-31'];
      return undefined;
    }
    if (where === 'body') {
      if (name === 'agencyCode' || name === 'parentCode') return pool.agencies;
      if (name === 'procedureCode') return pool.procedures;
      if (name === 'code' && op.path.startsWith('/api/dossiers'))
        return [...pool.dossiers, ...Array.from({ length: 40 }, (_, i) => `FZ-NEW-${op.id.length}-${i}`)];
      if (name === 'code' && op.path.startsWith('/api/agencies')) return [...pool.agencies, 'FZ.A1', 'FZ.A2', 'FZ.A3'];
      if (name === 'code' && op.path.startsWith('/api/procedures')) return [...pool.procedures, 'FZ.P1', 'FZ.P2'];
      if (name === 'workingHours') return ['Mon-Fri 07:30-11:30 13:00-17:00', 'Mon-Sun 00:00-24:00', 'Sat 08:00-12:00'];
      if (name === 'cutoffTime') return ['15:00', '00:00', '23:59'];
      if (name === 'deadlineValue') return [0, 1, 5, 15, 3650];
      if (name === 'newPromisedAt') return ['2025-05-01T17:00:00+07:00', '2026-06-30T17:00:00+07:00', '2099-12-31T17:00:00+07:00'];
      if (name === 'commandId') return ['fuzz-key-1', 'fuzz-key-2', 'body-key'];
      if (name in pool.seal) return [pool.seal[name]];
      return undefined;
    }
    return undefined;
  };

  /** A dossier's stored events as the store gives them (data, metadata, hashes). */
  const streamOf = async (code: string) => t.store.readStream(dossierStreamId(code));

  beforeAll(async () => {
    const env: Record<string, string> =
      kind === 'postgres' ? { READ_MODELS_ENGINE: 'postgres', READ_MODELS_PG_URL: PG_URL, READ_MODELS_PG_SCHEMA: rmSchema } : {};
    t = await startTestApp({ store: kind, env });
    const secret = t.config.auth.jwtSecret!;
    admin = await t.token('admin', undefined, { sub: 'admin-fuzz' });
    auditor = await t.token('auditor', undefined, { sub: 'auditor-fuzz' });
    clerkD = await t.token('clerk', D, { sub: 'clerk-d' });
    monitorP = await t.token('monitor', P, { sub: 'monitor-p' });
    clerkSafe = await t.token('clerk', SAFE, { sub: 'clerk-safe' });
    clerkProbe = await t.token('clerk', PROBE, { sub: 'clerk-probe' });
    monitorProbe = await t.token('monitor', PROBE, { sub: 'monitor-probe' });

    for (const body of [
      { code: P, name: 'Tỉnh Hải Dương', level: 'province' },
      { code: D, name: 'Sở Tư pháp', level: 'department', parentCode: P, workingHours: 'Mon-Fri 07:30-11:30 13:00-17:00' },
      { code: ODD_AGENCY, name: '=1+1 Sở \uffff|%/ Nguyễn', level: 'department', parentCode: P },
      { code: OTHER, name: 'Tỉnh khác', level: 'province' },
      { code: SAFE, name: 'Tỉnh canh gác', level: 'province' },
      { code: PROBE, name: 'Tỉnh thăm dò', level: 'province' },
    ]) {
      await ok('POST', '/api/agencies', admin, body, 201);
    }
    await ok(
      'POST',
      '/api/procedures',
      admin,
      registerProcedureBody({ code: PROC, name: 'Cấp giấy phép xây dựng', deadline: workingDays(5), paymentPausesClock: true }),
      201,
    );
    await ok(
      'POST',
      '/api/procedures',
      admin,
      registerProcedureBody({ code: 'P.ONE', name: 'Chứng thực bản sao', deadline: workingDays(1), cutoffTime: '15:00' }),
      201,
    );
    await ok(
      'POST',
      '/api/procedures',
      admin,
      registerProcedureBody({ code: PROC_LONG, name: 'Thủ tục 30 ngày', deadline: { value: 30, unit: 'calendar_days' } }),
      201,
    );

    await ok('POST', '/api/procedures', admin, registerProcedureBody({ code: PROBE_PROC, name: 'Thủ tục thăm dò', deadline: workingDays(1) }), 201);

    // Dossiers in each state for the fuzz to act on (agency D, writable by the fuzzed clerks).
    const receive = (token: string, code: string, agencyCode: string, extra: Record<string, unknown> = {}) =>
      ok('POST', '/api/dossiers', token, { code, agencyCode, procedureCode: PROC, channel: 'counter', occurredAt: MARCH, ...extra }, 201);
    const act = (token: string, code: string, route: string, body: Record<string, unknown>) => ok('POST', `/api/dossiers/${code}/${route}`, token, body);
    await receive(clerkD, 'FZ-OPEN', D);
    await receive(clerkD, 'FZ-SUPP', D);
    await act(clerkD, 'FZ-SUPP', 'supplement-requests', { reason: 'Thiếu bản sao CCCD', occurredAt: '2025-03-04T09:00:00+07:00' });
    await receive(clerkD, 'FZ-PAY', D);
    await act(clerkD, 'FZ-PAY', 'payment-requests', { amount: 50000, occurredAt: '2025-03-04T09:00:00+07:00' });
    await receive(clerkD, 'FZ-DONE', D);
    await act(clerkD, 'FZ-DONE', 'completion', { outcome: 'approved', occurredAt: '2025-03-04T09:00:00+07:00' });
    await receive(clerkD, 'FZ-RET', D);
    await act(clerkD, 'FZ-RET', 'completion', { outcome: 'rejected', occurredAt: '2025-03-04T09:00:00+07:00' });
    await act(clerkD, 'FZ-RET', 'return', { occurredAt: '2025-03-05T09:00:00+07:00' });
    await ok('POST', '/api/dossiers/online-submissions', clerkD, { code: 'FZ-ONLINE', agencyCode: D, procedureCode: PROC, occurredAt: MARCH }, 201);
    for (const code of ODD_CODES) await receive(clerkD, code, D);
    await receive(await t.token('clerk', P, { sub: 'clerk-p' }), 'FZ-ODD-AGENCY', ODD_AGENCY);
    await receive(clerkD, 'FZ-APPL', D, { applicant: { name: 'Nguyễn Văn A', idNumber: '001085012345', phone: '+84912345678' } });
    pool.refs.push(String((await streamOf('FZ-APPL'))[0].data.applicantRef));

    // The sentinels: one closed, one open (due in 30 days, so the worker has nothing to add to it), with an applicant.
    await receive(clerkSafe, 'SAFE-CLOSED', SAFE);
    await act(clerkSafe, 'SAFE-CLOSED', 'completion', { outcome: 'approved', occurredAt: '2025-03-04T09:00:00+07:00' });
    await act(clerkSafe, 'SAFE-CLOSED', 'return', { occurredAt: '2025-03-05T09:00:00+07:00' });
    await receive(clerkSafe, 'SAFE-OPEN', SAFE, {
      procedureCode: PROC_LONG,
      occurredAt: vnIso(new Date(Date.now() - 120_000)),
      applicant: { name: 'Trần Thị Bích Ngọc', idNumber: '079190000001', address: 'Thôn 1, xã Kim Anh' },
    });
    for (const code of ['SAFE-CLOSED', 'SAFE-OPEN']) {
      before.set(`${code}:events`, await streamOf(code));
      before.set(`${code}:state`, await ok('GET', `/api/dossiers/${code}`, auditor));
    }
    before.set('SAFE-OPEN:applicant', (await ok('GET', '/api/dossiers/SAFE-OPEN/applicant', auditor)).applicant);
    pool.seal = await ok('GET', '/api/audit/seal', auditor);

    const sign = (role: string, agency?: string, sub?: string) => t.token(role, agency, { sub: sub ?? `fz-${role}-${agency ?? 'all'}` });
    valid = [
      { label: 'admin', authorization: `Bearer ${admin}` },
      { label: 'auditor', authorization: `Bearer ${auditor}` },
      { label: 'monitor H30', authorization: `Bearer ${monitorP}` },
      { label: 'monitor H30.01', authorization: `Bearer ${await sign('monitor', D)}` },
      { label: 'monitor H31', authorization: `Bearer ${await sign('monitor', OTHER)}` },
      { label: 'clerk H30', authorization: `Bearer ${await sign('clerk', P)}` },
      { label: 'clerk H30.01', authorization: `Bearer ${clerkD}` },
      { label: 'clerk H31', authorization: `Bearer ${await sign('clerk', OTHER)}` },
    ];
    odd = [
      { label: 'clerk of an unknown agency', authorization: `Bearer ${await sign('clerk', 'NOPE')}` },
      { label: 'clerk agency with | and %', authorization: `Bearer ${await sign('clerk', 'H30.01|%/x')}` },
      { label: 'monitor agency in Vietnamese', authorization: `Bearer ${await sign('monitor', 'Sở Tư pháp')}` },
      { label: 'clerk sub with NUL and Vietnamese', authorization: `Bearer ${await sign('clerk', D, 'a\u0000b Nguyễn|%')}` },
      { label: 'clerk without agency', authorization: `Bearer ${await sign('clerk')}` },
      { label: 'unknown role', authorization: `Bearer ${await sign('citizen', D)}` },
      { label: 'role as array', authorization: `Bearer ${hs256(secret, { alg: 'HS256', typ: 'JWT' }, { sub: 'x', role: ['admin'], exp: 4102444800 })}` },
      { label: 'agency as number', authorization: `Bearer ${hs256(secret, { alg: 'HS256' }, { sub: 'x', role: 'clerk', agency: 3001, exp: 4102444800 })}` },
      { label: 'exp far future', authorization: `Bearer ${hs256(secret, { alg: 'HS256' }, { sub: 'far', role: 'monitor', agency: P, exp: 1e300 })}` },
      { label: 'exp as string', authorization: `Bearer ${hs256(secret, { alg: 'HS256' }, { sub: 'x', role: 'admin', exp: '4102444800' })}` },
      { label: 'no sub', authorization: `Bearer ${hs256(secret, { alg: 'HS256' }, { role: 'admin', exp: 4102444800 })}` },
      {
        label: 'not yet valid',
        authorization: `Bearer ${await new SignJWT({ role: 'admin' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('nbf')
          .setNotBefore(Math.floor(Date.now() / 1000) + 3600)
          .setExpirationTime('2h')
          .sign(new TextEncoder().encode(secret))}`,
      },
    ];
    invalid = [
      { label: 'none' },
      { label: 'expired admin', authorization: `Bearer ${await t.token('admin', undefined, { ttlSeconds: -60 })}` },
      { label: 'other secret', authorization: `Bearer ${await t.token('admin', undefined, { secret: randomBytes(32).toString('hex') })}` },
      {
        label: 'alg none',
        authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x","role":"admin","exp":4102444800}').toString('base64url')}.`,
      },
      { label: 'garbage', authorization: 'Bearer not.a.jwt' },
      { label: 'empty bearer', authorization: 'Bearer ' },
      { label: 'basic', authorization: 'Basic YWRtaW46YWRtaW4=' },
      { label: 'two tokens', authorization: `Bearer ${admin} ${admin}` },
      { label: 'latin-1 bytes', authorization: `Bearer ${Buffer.from('tôi', 'utf8').toString('latin1')}` },
    ];
    tokens.push(...[...valid, ...odd, ...invalid].map((a) => a.authorization?.replace(/^Bearer /, '') ?? '').filter(Boolean));

    const res = await t.request('GET', '/api/docs-json');
    expect(res.status).toBe(200);
    doc = res.body as OpenApiDoc;
    ops = operationsOf(doc).filter((op) => !ONLY || ONLY.has(op.id));
  });

  afterAll(async () => {
    agent.destroy();
    await worker?.stop();
    await t?.close();
    if (t) await deletePrefix(REDIS_URL, t.config.redisKeyPrefix);
    if (kind === 'postgres') {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${rmSchema}" CASCADE`);
      await c.end();
    }
    const top = (m: Map<string | number, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`);
    console.log(
      `route fuzz (${kind}, seed ${SEED}): ${stats.requests} requests in ${(stats.ms / 1000).toFixed(1)} s; ` +
        `statuses { ${top(stats.byStatus).join(', ')} }; documented 503: ${stats.documented503}; XLSX opened: ${stats.exports}; ` +
        `error codes { ${top(stats.codes).join(', ')} }; bodies { ${top(stats.intents).join(', ')} }`,
    );
  });

  /**
   * Which valid tokens an operation lets in, so that most requests get past the guard (the document does not
   * say): one request per token, a 403 naming the role is the guard's. Probed when the operation is first
   * fuzzed, not before: the probe of the rebuild route builds the read models, which the routes fuzzed
   * before it must not have yet.
   */
  async function probe(op: FuzzOperation): Promise<AuthChoice[]> {
    const target = op.path.replace(/\{[^}]+\}/g, 'probe');
    const allowed: AuthChoice[] = [];
    for (const a of valid) {
      const headers = { authorization: a.authorization!, 'content-type': 'application/json' };
      const r = await sendRaw(t.baseUrl, { method: op.method, target, headers, body: op.body ? Buffer.from('{}') : undefined }, agent);
      if (!(r.status === 403 && /^role '/.test(String((r.json as any)?.error?.message)))) allowed.push(a);
    }
    return allowed.length ? allowed : valid;
  }

  /** Fuzzes every operation; collects each operation's failure (with its seed and path) instead of stopping at the first. */
  async function fuzzAll(phase: string, readModelsExist: boolean): Promise<string[]> {
    const failures: string[] = [];
    const t0 = performance.now();
    for (const op of ops) {
      if (!permitted.has(op.id)) permitted.set(op.id, await probe(op));
      const auth = fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom(...permitted.get(op.id)!) },
        { weight: 2, arbitrary: fc.constantFrom(...valid) },
        { weight: 3, arbitrary: fc.constantFrom(...odd) },
        { weight: 3, arbitrary: fc.constantFrom(...invalid) },
      );
      const arb = requestArbitrary(op, { known, auth, bodyLimit: t.config.bodyLimitBytes, now: FUZZ_NOW });
      const result = await fc.check(
        fc.asyncProperty(arb, async (req: FuzzRequest) => {
          let res: RawResponse;
          try {
            res = await sendRaw(t.baseUrl, req, agent);
          } catch (err) {
            throw new Error(`no answer: ${(err as Error).message}`, { cause: err });
          }
          stats.requests++;
          stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
          stats.intents.set(req.intent.body, (stats.intents.get(req.intent.body) ?? 0) + 1);
          const code = (res.json as any)?.error?.code;
          if (typeof code === 'string') stats.codes.set(code, (stats.codes.get(code) ?? 0) + 1);
          const problem = judge(op, req, res, readModelsExist) ?? (await exportProblem(res));
          if (problem) throw new Error(problem);
        }),
        { seed: opSeed(phase, op.id), numRuns: RUNS },
      );
      if (result.failed) {
        const req = result.counterexample?.[0];
        failures.push(
          `${phase}: ${op.method} ${op.path} (${op.id}) fails (FUZZ_SEED=${SEED}; this operation: seed ${result.seed}, path "${result.counterexamplePath}")\n` +
            `  request: ${req ? describeRequest(req) : '?'}\n  problem: ${String(((result as any).errorInstance as Error | undefined)?.message ?? 'too many skipped or interrupted runs')}`,
        );
      }
    }
    stats.ms += performance.now() - t0;
    return failures;
  }

  function judge(op: FuzzOperation, req: FuzzRequest, res: RawResponse, readModelsExist: boolean): string | undefined {
    const s = res.status;
    if (s >= 500) {
      // A documented 503 with Retry-After while the read models are not built yet: the worker builds them on its first start.
      if (s === 503 && !readModelsExist && op.responses.includes('503') && res.headers['retry-after'] && !errorShape(res).problem) {
        stats.documented503++;
        return undefined;
      }
      return `answered ${s}: ${res.text.slice(0, 400)}`;
    }
    if (s >= 400) {
      const { problem } = errorShape(res);
      if (problem) return `answered ${s} without the error shape (${problem}): ${res.text.slice(0, 300)}`;
      // The store refusing an event on a read: the route wrote (an access record) from what it had not validated.
      if (op.method === 'GET' && (res.json as any).error.code === 'INVALID_EVENT') return `a read answered ${s} INVALID_EVENT: ${res.text.slice(0, 300)}`;
      return undefined;
    }
    if (s >= 200 && s < 300 && op.body) {
      if (NEVER_ACCEPTED.has(req.intent.body)) return `accepted a body that is ${req.intent.body}: ${s} ${res.text.slice(0, 200)}`;
      if (req.body !== undefined && (req.intent.media === 'not-json' || req.intent.media === 'bad-encoding')) {
        return `accepted a body sent as ${req.intent.media} (${req.headers['content-type']}, ${req.headers['content-encoding'] ?? 'no encoding'}): ${s}`;
      }
    }
    if (!res.stream && /json/.test(String(res.headers['content-type'] ?? '')) && res.text && res.json === undefined)
      return `answered ${s} with unparseable JSON`;
    return undefined;
  }

  /** A 2xx export must be a file its reader opens: an XLSX workbook that loads. */
  async function exportProblem(res: RawResponse): Promise<string | undefined> {
    if (res.status >= 300 || !String(res.headers['content-type'] ?? '').startsWith(XLSX)) return undefined;
    stats.exports++;
    try {
      await new ExcelJS.Workbook().xlsx.load(res.bytes as unknown as ArrayBuffer);
      return undefined;
    } catch (err) {
      return `answered ${res.status} with an XLSX workbook that does not open: ${(err as Error).message}`;
    }
  }

  /** Starts the worker as its process does (worker.ts), then shows that it projects a dossier received now. */
  async function startWorkerAndProbe(code: string): Promise<void> {
    worker = new Worker(t.config, logger);
    expect(await worker.start()).toBe(true);
    const running = worker.projections!.projections.runner;
    await running.waitFor();
    const march = async () => {
      const sla = await ok('GET', `/api/sla?from=2025-03-01&to=2025-03-31&by=agency`, monitorProbe);
      return { received: sla.rows.find((r: any) => r.agencyCode === PROBE)?.received ?? 0, behind: sla.watermark.behind };
    };
    // The deadline watcher appends its own events (missed deadlines of fuzzed dossiers) meanwhile, so `behind`
    // may be above 0 for a moment after waitFor: the figures must reach the head (and count the dossier once).
    const settled = async () => {
      let now = await march();
      for (const until = Date.now() + 15_000; now.behind !== 0 && Date.now() < until; now = await march()) await new Promise((r) => setTimeout(r, 100));
      return now;
    };
    const baseline = await settled();
    expect(baseline.behind).toBe(0);
    await ok('POST', '/api/dossiers', clerkProbe, { code, agencyCode: PROBE, procedureCode: PROBE_PROC, channel: 'counter', occurredAt: MARCH }, 201);
    // Its own event, not the head of the moment (PostgreSQL's stops below any transaction in flight in the cluster).
    const [received] = await t.store.readStream(dossierStreamId(code), { direction: 'backwards', maxCount: 1 });
    await running.waitFor(received.position);
    const now = await settled();
    expect(now).toEqual({ received: baseline.received + 1, behind: 0 });
    const listed = await ok('GET', `/api/dossiers?agency=${PROBE}`, monitorProbe);
    expect(listed.items.map((d: any) => d.code)).toContain(code);
    // Long past due at its receipt: the deadline watcher raises the missed deadline, and the alerts feed shows it.
    const alert = await until(
      async () => (await ok('GET', '/api/alerts?limit=1000', monitorProbe)).items.find((a: any) => a.dossierCode === code && a.kind === 'deadline_missed'),
      20_000,
      `the missed-deadline alert of ${code}`,
    );
    pool.alertIds.push(alert.id);
  }

  it('the document lists the routes, each with its method', () => {
    expect(ops.length).toBeGreaterThanOrEqual(ONLY ? 1 : 40);
    expect(ops.every((op) => op.path.startsWith('/api/'))).toBe(true);
  });

  it('before the worker ever ran: no 5xx but a documented 503 with Retry-After, every 4xx in the error shape, bad bodies never accepted', async () => {
    expect(await fuzzAll('before-worker', false)).toEqual([]);
  });

  it('the worker starts on what the fuzz wrote and projects a dossier received after it (SLA figures, dossier list, alerts feed)', async () => {
    await startWorkerAndProbe('FZ-AFTER-1');
    // The second fuzz also acts on dossiers the first one created, the oddly named ones first.
    const created = [...new Set((await t.store.readAll({ maxCount: 1_000_000 })).map((e) => e.streamId))]
      .filter((id) => id.startsWith('dossier-') && !pool.dossiers.includes(id.slice('dossier-'.length)))
      .map((id) => id.slice('dossier-'.length))
      .sort((a, b) => Number(a.startsWith('FZ-')) - Number(b.startsWith('FZ-')));
    pool.dossiers.push(...created.slice(0, 30));
    const rebuild = await t.request('POST', '/api/admin/projections/rebuild', { token: admin });
    if (rebuild.status === 202) pool.rebuildIds.push(rebuild.body.id);
  });

  it('with the read models live: no 5xx at all, every 4xx in the error shape, bad bodies never accepted', async () => {
    expect(await fuzzAll('worker-running', true)).toEqual([]);
  });

  it('the worker restarts on what the second fuzz wrote and projects again', async () => {
    await worker!.stop();
    worker = undefined;
    await startWorkerAndProbe('FZ-AFTER-2');
  });

  it('nothing stored before the fuzz changed: the sentinel dossiers event by event, their state and applicant; every hash chain verifies', async () => {
    for (const code of ['SAFE-CLOSED', 'SAFE-OPEN']) {
      expect(await streamOf(code)).toEqual(before.get(`${code}:events`));
      expect(await ok('GET', `/api/dossiers/${code}`, auditor)).toEqual(before.get(`${code}:state`));
    }
    expect((await ok('GET', '/api/dossiers/SAFE-OPEN/applicant', auditor)).applicant).toEqual(before.get('SAFE-OPEN:applicant'));
    const verify = await ok('GET', '/api/audit/verify', auditor);
    expect(verify).toMatchObject({ ok: true, broken: [] });
    // The read models the worker wrote from everything the fuzz sent equal a fresh replay of the log.
    await worker!.projections!.projections.runner.waitFor();
    const replay = await ok('POST', '/api/audit/replay', auditor);
    expect({ ok: replay.ok, disagreements: replay.disagreements?.slice(0, 5) }).toEqual({ ok: true, disagreements: [] });
    expect((await t.request('GET', '/api/health')).status).toBe(200);
  });
});
