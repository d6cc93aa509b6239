import { randomBytes } from 'node:crypto';
import { startTestApp, TestApp } from './support/app';

/** The HTTP platform on the embedded default: errors, auth, health, metrics, docs. No 500 anywhere. */
describe('API platform (SQLite)', () => {
  let t: TestApp;
  let admin: string;
  const statuses: number[] = [];

  beforeAll(async () => {
    t = await startTestApp({ store: 'sqlite' });
    admin = await t.token('admin', undefined, { sub: 'root' });
    const orig = t.request.bind(t);
    t.request = async (...args: Parameters<TestApp['request']>) => {
      const r = await orig(...args);
      statuses.push(r.status);
      return r;
    };
  });
  afterAll(async () => {
    await t.close();
    expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
  });

  const expectErrorShape = (body: any, code: string) => {
    expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), correlationId: expect.any(String) }) });
  };

  it('health is public and reports the store (with its writability and room) and Redis', async () => {
    const r = await t.request('GET', '/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'ok',
      checks: {
        store: { status: 'ok', engine: 'sqlite', writable: true, freeBytes: expect.any(Number), minFreeBytes: 64 * 1024 * 1024 },
        redis: { status: 'ok' },
      },
    });
  });

  it('no token -> 401, forged -> 401, expired -> 401, wrong role -> 403', async () => {
    const none = await t.request('GET', '/api/agencies');
    expect(none.status).toBe(401);
    expectErrorShape(none.body, 'UNAUTHENTICATED');
    const forged = await t.token('admin', undefined, { secret: randomBytes(32).toString('hex') });
    expect((await t.request('GET', '/api/agencies', { token: forged })).status).toBe(401);
    const expired = await t.token('admin', undefined, { ttlSeconds: -60 });
    const exp = await t.request('GET', '/api/agencies', { token: expired });
    expect(exp.status).toBe(401);
    expect(exp.body.error.message).toMatch(/expired/);
    expect((await t.request('GET', '/api/agencies', { token: 'not.a.jwt' })).status).toBe(401);
    expect((await t.request('GET', '/api/agencies', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    const clerk = await t.token('clerk', 'A1');
    const wrongRole = await t.request('POST', '/api/agencies', { token: clerk, body: { code: 'X', name: 'X', level: 'commune' } });
    expect(wrongRole.status).toBe(403);
    expectErrorShape(wrongRole.body, 'FORBIDDEN');
    const unknownRole = await t.token('citizen');
    expect((await t.request('GET', '/api/agencies', { token: unknownRole })).status).toBe(403);
    const clerkWithoutAgency = await t.token('clerk');
    expect((await t.request('GET', '/api/agencies', { token: clerkWithoutAgency })).status).toBe(403);
  });

  it('validation errors name the fields; unknown fields are refused', async () => {
    const r = await t.request('POST', '/api/agencies', { token: admin, body: { code: 'bad code!', level: 'galaxy', extra: 1 } });
    expect(r.status).toBe(400);
    expectErrorShape(r.body, 'VALIDATION_FAILED');
    const fields = r.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['code', 'name', 'level', 'extra']));
  });

  it('reserved keys (__proto__, constructor, Object.prototype names) are unknown fields on every route: 400 naming them', async () => {
    // The global pipe would drop them silently (prototype-pollution guard, class-transformer): the platform refuses them.
    const agency = (code: string) => JSON.stringify({ code, name: 'Sở Tư pháp', level: 'province' });
    for (const k of ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty']) {
      const code = `RK-${k.replace(/_/g, '')}`.toUpperCase();
      const raw = agency(code).replace(/^\{/, `{"${k}":{"polluted":true},`);
      const r = await t.request('POST', '/api/agencies', { token: admin, body: raw });
      expect({ k, status: r.status }).toEqual({ k, status: 400 });
      expectErrorShape(r.body, 'VALIDATION_FAILED');
      expect(r.body.error.details).toEqual([{ field: k, message: expect.stringContaining(k) }]);
      expect((await t.request('GET', `/api/agencies/${code}`, { token: admin })).status).toBe(404);
    }
    // Nested, on another module's route (procedures: PUT), named with its path.
    const nested = await t.request('PUT', '/api/procedures/P-RK', { token: admin, body: '{"name":"x","extra":{"valueOf":1}}' });
    expect(nested.status).toBe(400);
    expect(nested.body.error.details.map((d: { field: string }) => d.field)).toEqual(['extra.valueOf']);
    // Query DTOs too (reference data reads, audit).
    const q = await t.request('GET', '/api/agencies?toString=1', { token: admin });
    expect(q.status).toBe(400);
    expect(q.body.error.details).toEqual([{ field: 'toString', message: expect.any(String) }]);
    const auditor = await t.token('auditor');
    const audit = await t.request('GET', '/api/audit/verify?constructor=x', { token: auditor });
    expect(audit.status).toBe(400);
    expect(audit.body.error.details.map((d: { field: string }) => d.field)).toEqual(['constructor']);
    // Authentication still comes first.
    expect((await t.request('POST', '/api/agencies', { body: agency('RK-ANON').replace(/^\{/, '{"__proto__":{},') })).status).toBe(401);
    // An ordinary body still passes.
    expect((await t.request('POST', '/api/agencies', { token: admin, body: agency('RK-OK') })).status).toBe(201);
  });

  it('malformed JSON -> 400, oversized body -> 413, non-object JSON -> 400', async () => {
    const bad = await t.request('POST', '/api/agencies', { token: admin, body: '{"code": "A",' });
    expect(bad.status).toBe(400);
    expectErrorShape(bad.body, 'MALFORMED_JSON');
    const big = await t.request('POST', '/api/agencies', { token: admin, body: JSON.stringify({ code: 'A', name: 'x'.repeat(70 * 1024) }) });
    expect(big.status).toBe(413);
    expectErrorShape(big.body, 'PAYLOAD_TOO_LARGE');
    for (const body of ['[]', '"text"', '42', 'null', '[{"code":"A"}]']) {
      const r = await t.request('POST', '/api/agencies', { token: admin, body });
      expect([r.status, body]).toEqual([400, body]);
    }
    const noBody = await t.request('POST', '/api/agencies', { token: admin });
    expect(noBody.status).toBe(400);
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect((await t.request('POST', '/api/agencies', { token: admin, body: deep })).status).toBe(400);
  });

  it('unknown route -> 404 in the error shape; correlation id echoed', async () => {
    const r = await t.request('GET', '/api/nowhere', { token: admin, headers: { 'x-correlation-id': 'abc-123' } });
    expect(r.status).toBe(404);
    expectErrorShape(r.body, 'NOT_FOUND');
    expect(r.body.error.correlationId).toBe('abc-123');
    expect(r.headers.get('x-correlation-id')).toBe('abc-123');
    const anon = await t.request('GET', '/nowhere');
    expect(anon.status).toBe(404);
  });

  it('bad If-Match -> 400 naming the header; bad idempotency key -> 400', async () => {
    const r = await t.request('PUT', '/api/agencies/A', { token: admin, headers: { 'if-match': 'yesterday' }, body: { name: 'A', level: 'province' } });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([{ field: 'If-Match', message: expect.any(String) }]);
    const k = await t.request('POST', '/api/agencies', {
      token: admin,
      headers: { 'idempotency-key': 'bad key with spaces' },
      body: { code: 'A', name: 'A', level: 'province' },
    });
    expect(k.status).toBe(400);
  });

  it('metrics: Prometheus text with the request histogram by route pattern', async () => {
    await t.request('GET', '/api/agencies/UNKNOWN', { token: admin });
    const r = await t.request('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.text).toContain('http_request_duration_seconds_bucket');
    expect(r.text).toMatch(/route="\/api\/agencies\/:code",status_code="404"/);
    expect(r.text).toContain('process_cpu_user_seconds_total');
  });

  it('OpenAPI document is public', async () => {
    const r = await t.request('GET', '/api/docs-json');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/api/agencies', '/api/agencies/{code}', '/api/procedures', '/api/health']));
    expect((await t.request('GET', '/api/docs')).status).toBe(200);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After past the per-token limit', async () => {
    const t = await startTestApp({ store: 'sqlite', env: { RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const tok = await t.token('auditor');
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await t.request('GET', '/api/agencies', { token: tok })).status);
      // The 4th may fall into a new minute window only if the test straddles a minute boundary.
      expect(codes.slice(0, 3)).toEqual([200, 200, 200]);
      const last = await t.request('GET', '/api/agencies', { token: tok });
      if (last.status === 429) {
        expect(last.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(last.body.error.code).toBe('RATE_LIMITED');
      } else {
        expect(codes[3]).toBe(429);
      }
      // another token has its own budget
      expect((await t.request('GET', '/api/agencies', { token: await t.token('auditor', undefined, { sub: 'other' }) })).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
