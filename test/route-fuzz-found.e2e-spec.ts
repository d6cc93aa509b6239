/**
 * What the route fuzz (route-fuzz.e2e-spec.ts) found, one focused test each, over real HTTP on the embedded
 * default with no worker started (several were answers before the read models exist). docs/reliability.md
 * lists them ("Bad input found by the route fuzz").
 */
import ExcelJS from 'exceljs';
import { accessLogStreamId } from '@motcua/audit';
import { rawAgent, sendRaw } from './support/raw-http';
import { startTestApp, type TestApp } from './support/app';

describe('bad input the route fuzz found (SQLite, before the worker ever ran)', () => {
  let t: TestApp;
  let admin: string, monitorD: string, auditor: string;
  const agent = rawAgent();

  beforeAll(async () => {
    t = await startTestApp({ store: 'sqlite' });
    admin = await t.token('admin');
    monitorD = await t.token('monitor', 'H30.01');
    auditor = await t.token('auditor');
    for (const body of [
      { code: 'H30', name: 'Tỉnh Hải Dương', level: 'province' },
      { code: 'H30.01', name: 'Sở Tư pháp', level: 'department', parentCode: 'H30' },
    ]) {
      expect((await t.request('POST', '/api/agencies', { token: admin, body })).status).toBe(201);
    }
  });
  afterAll(async () => {
    agent.destroy();
    await t.close();
  });

  const errorOf = (body: any) => body?.error;

  it('a path that is not valid percent-encoding, or a path parameter over 100 characters: 400 in the error shape (was fastify`s own body, and 414)', async () => {
    for (const target of [
      '/api/dossiers/%',
      '/api/dossiers/%ZZ/history',
      '/api/agencies/%C0%AF',
      '/api/alerts/%E1%BB/acknowledge',
      `/api/procedures/${'x'.repeat(101)}`,
    ]) {
      const method = target.endsWith('acknowledge') ? 'POST' : 'GET';
      const r = await sendRaw(t.baseUrl, { method, target, headers: { authorization: `Bearer ${admin}`, 'x-correlation-id': 'fuzz-1' } }, agent);
      expect({ target, status: r.status }).toEqual({ target, status: 400 });
      expect(r.json).toEqual({
        error: { code: 'VALIDATION_FAILED', message: expect.any(String), details: [{ field: 'path', message: expect.any(String) }], correlationId: 'fuzz-1' },
      });
      expect(r.headers['x-correlation-id']).toBe('fuzz-1');
      expect(r.text).not.toContain('%'); // the path is not echoed
    }
    // A parameter of 64 characters, the longest identifier, still reaches its route.
    const long = await t.request('GET', `/api/procedures/${'x'.repeat(64)}`, { token: admin });
    expect(long.status).toBe(404);
  });

  it('a monitor naming an agency on the SLA routes before the read models exist: 503 with Retry-After (the scope check answered 500)', async () => {
    for (const path of [
      '/api/agencies/H30/sla?from=2025-06-01&to=2025-06-30',
      '/api/rankings?from=2025-06-01&to=2025-06-30&parent=H30',
      '/api/sla?from=2025-06-01&to=2025-06-30&agency=H30',
      '/api/dossiers?agency=H30',
    ]) {
      const r = await t.request('GET', path, { token: monitorD });
      expect({ path, status: r.status, code: errorOf(r.body)?.code }).toEqual({ path, status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    }
  });

  it('GET /api/admin/projections before the worker`s first start: 200 with no active table set (was 500)', async () => {
    const r = await t.request('GET', '/api/admin/projections', { token: admin });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ active: null, watermark: null, rebuild: null, quarantine: { counts: {}, total: 0, link: '/api/admin/quarantine' } });
  });

  it('the audit reads refuse a code, stream or agency that cannot exist with 400 before recording the access (a NUL answered 422 INVALID_EVENT)', async () => {
    const log = accessLogStreamId(new Date());
    const before = await t.store.streamRevision(log);
    for (const [path, field] of [
      ['/api/audit/dossiers/a%00b/history', 'code'],
      ['/api/audit/dossiers/a%00b/history?format=xlsx', 'code'],
      [`/api/audit/dossiers/${'x'.repeat(65)}/state?revision=0`, 'code'],
      ['/api/audit/dossiers/%20padded%20/state?revision=0', 'code'],
      ['/api/audit/verify?stream=dossier-a%00b', 'stream'],
      ['/api/audit/sla?from=2025-06-01&to=2025-06-30&agency=H30%00', 'agency'],
    ] as const) {
      const r = await t.request('GET', path, { token: auditor });
      expect({ path, status: r.status, code: errorOf(r.body)?.code }).toEqual({ path, status: 400, code: 'VALIDATION_FAILED' });
      expect(r.body.error.details.map((d: any) => d.field)).toContain(field);
    }
    expect(await t.store.streamRevision(log)).toBe(before);
  });

  it('the audit SLA report refuses a day that does not exist, or a period that ends before it starts, with 400 before replaying (2025-06-00 answered 500)', async () => {
    const log = accessLogStreamId(new Date());
    const before = await t.store.streamRevision(log);
    for (const [query, field] of [
      ['from=2024-01-01&to=2025-06-00', 'to'],
      ['from=2025-02-30&to=2025-03-31', 'from'],
      ['from=2025-06-30&to=2025-06-01', 'to'],
    ] as const) {
      const r = await t.request('GET', `/api/audit/sla?${query}`, { token: auditor });
      expect({ query, status: r.status, code: errorOf(r.body)?.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
      expect(r.body.error.details.map((d: any) => d.field)).toContain(field);
    }
    expect(await t.store.streamRevision(log)).toBe(before);
  });

  it('headers over 16 KiB are 431 REQUEST_HEADERS_TOO_LARGE in the error shape (Node answered with fastify`s body, and a kept-alive socket saw a hang-up)', async () => {
    const r = await sendRaw(t.baseUrl, { method: 'GET', target: '/api/health', headers: { 'x-filler': 'x'.repeat(20_000) } }, agent);
    expect(r.status).toBe(431);
    expect(String(r.headers['content-type'])).toMatch(/^application\/json/);
    expect((r.json as any).error).toMatchObject({ code: 'REQUEST_HEADERS_TOO_LARGE', message: expect.any(String), correlationId: expect.any(String) });
    // The server still answers.
    expect((await t.request('GET', '/api/health')).status).toBe(200);
  });

  it('an XLSX export of a dossier whose code holds U+FFFF opens (exceljs wrote the character, which XML cannot carry)', async () => {
    const clerk = await t.token('clerk', 'H30.01');
    await t.request('POST', '/api/procedures', {
      token: admin,
      body: { code: 'P.X', name: 'Thủ tục', deadlineValue: 1, deadlineUnit: 'working_days', paymentPausesClock: false },
    });
    const code = 'FZ-\uffff';
    const received = await t.request('POST', '/api/dossiers', {
      token: clerk,
      body: { code, agencyCode: 'H30.01', procedureCode: 'P.X', channel: 'counter', occurredAt: '2025-03-03T09:00:00+07:00' },
    });
    expect(received.status).toBe(201);
    const res = await fetch(`${t.baseUrl}/api/audit/dossiers/${encodeURIComponent(code)}/history?format=xlsx`, {
      headers: { authorization: `Bearer ${auditor}` },
    });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.title).toBe('Lịch sử hồ sơ FZ-\ufffd');
  });

  it('a dossier code with whitespace inside is 400 naming the code (it passed validation, and the store refused the stream id: 422 INVALID_EVENT)', async () => {
    const clerk = await t.token('clerk', 'H30.01');
    const body = { code: 'Nguyễn Văn Ánh', agencyCode: 'H30.01', procedureCode: 'P.X', channel: 'counter', occurredAt: '2025-03-03T09:00:00+07:00' };
    const received = await t.request('POST', '/api/dossiers', { token: clerk, body });
    expect({ status: received.status, code: errorOf(received.body)?.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(received.body.error.details.map((d: any) => d.field)).toEqual(['code']);
    for (const path of ['/api/dossiers/Nguy%E1%BB%85n%20V%C4%83n%20%C3%81nh', '/api/dossiers/H30%C2%A0x/history', '/api/audit/dossiers/a%E3%80%80b/history']) {
      const r = await t.request('GET', path, { token: auditor });
      expect({ path, status: r.status, code: errorOf(r.body)?.code }).toEqual({ path, status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('the OpenAPI document says what the routes do: the read-model routes` 503, nullable strings as strings, optional SSE parameters', async () => {
    const doc = (await t.request('GET', '/api/docs-json')).body;
    for (const path of ['/api/sla', '/api/agencies/{code}/sla', '/api/rankings', '/api/dossiers']) {
      expect({ path, responses: Object.keys(doc.paths[path].get.responses) }).toEqual({ path, responses: expect.arrayContaining(['200', '503']) });
    }
    const agency = doc.components.schemas.RegisterAgencyDto.properties;
    expect([agency.parentCode.type, agency.workingHours.type, agency.validFrom.type, agency.validTo.type]).toEqual(['string', 'string', 'string', 'string']);
    expect(doc.components.schemas.RegisterProcedureDto.properties.cutoffTime.type).toBe('string');
    const stream = doc.paths['/api/alerts/stream'].get.parameters;
    expect(stream.map((p: any) => [p.name, p.required])).toEqual([
      ['access_token', false],
      ['lastEventId', false],
    ]);
  });
});
