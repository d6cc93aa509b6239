/**
 * Query strings of the read routes over real HTTP: a parameter a route does not know, or a `limit` that is
 * not a whole number, is a 400 with the field named (never a 500, never silently ignored); the known ones
 * still work.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './support/app';

describe('query parameters of the SLA and dossier-list routes', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'motcua-query-e2e-'));
    process.env.READ_MODELS_ENGINE = 'sqlite';
    process.env.READ_MODELS_SQLITE_FILE = join(dataDir, 'read-models.sqlite');
    t = await startTestApp({ store: 'sqlite', dataDir });
    admin = await t.token('admin', undefined, { sub: 'admin-query' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['/api/sla?from=2025-01-01&to=2025-12-31&agnecy=H30', 'agnecy'],
    ['/api/rankings?from=2025-01-01&to=2025-12-31&levle=commune', 'levle'],
    ['/api/agencies/H30/sla?from=2025-01-01&to=2025-12-31&by=level', 'by'],
    ['/api/dossiers?limit=abc', 'limit'],
    ['/api/dossiers?limit=1.5', 'limit'],
    ['/api/dossiers?limit=0', 'limit'],
    ['/api/dossiers?limit=-3', 'limit'],
    ['/api/dossiers?overdue=maybe', 'overdue'],
    ['/api/dossiers?statuss=open', 'statuss'],
  ])('%s is 400 naming %s', async (path, field) => {
    const r = await t.request('GET', path, { token: admin });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('the documented parameters are accepted; before the worker built the read models the answer is 503 with Retry-After, not 500', async () => {
    for (const path of [
      '/api/dossiers?limit=20&overdue=false',
      '/api/sla?from=2025-01-01&to=2025-12-31&by=level',
      '/api/rankings?from=2025-01-01&to=2025-12-31',
    ]) {
      const r = await t.request('GET', path, { token: admin });
      expect({ path, status: r.status, code: r.body.error?.code, retryAfter: r.headers.get('retry-after') }).toEqual({
        path,
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        retryAfter: '5',
      });
    }
  });
});
