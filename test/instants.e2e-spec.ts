/**
 * Instants are bounded and real, over real HTTP: an impossible date (stored as 2 March before), a year
 * outside the documented window (a receipt in 9999 once made every worker start fail) and an `occurredAt`
 * more than OCCURRED_AT_MAX_FUTURE_SECONDS past the server's clock are refused with the field named; nothing
 * is written for them.
 */
import { startTestApp, type TestApp } from './support/app';

describe('instants in commands (sqlite)', () => {
  let t: TestApp;
  let clerk: string;
  const body = (code: string, occurredAt: string) => ({ code, agencyCode: 'H32', procedureCode: 'P1', channel: 'counter', occurredAt });

  beforeAll(async () => {
    t = await startTestApp({ store: 'sqlite' });
    const admin = await t.token('admin', undefined, { sub: 'admin-instants' });
    for (const [path, b] of [
      ['/api/agencies', { code: 'H32', name: 'Tỉnh Thử', level: 'province' }],
      ['/api/procedures', { code: 'P1', name: 'Cấp giấy phép', deadlineValue: 3, deadlineUnit: 'working_days', paymentPausesClock: false }],
    ] as const) {
      const r = await t.request('POST', path, { token: admin, body: b });
      if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
    }
    clerk = await t.token('clerk', 'H32', { sub: 'clerk-instants' });
  });
  afterAll(() => t?.close());

  it.each([
    ['2026-02-30T09:00:00+07:00', 'a 30 February'],
    ['2025-13-01T09:00:00+07:00', 'a 13th month'],
    ['2025-06-02T24:00:00+07:00', 'hour 24'],
    ['2025-06-02T09:60:00+07:00', 'minute 60'],
    ['2025-06-02T09:00:00+15:00', 'an offset past 14:00'],
    ['9999-12-31T23:59:59+07:00', 'year 9999'],
    ['1899-06-02T09:00:00+07:00', 'year 1899'],
  ])('%s (%s) is 400 naming occurredAt, and nothing is written', async (occurredAt) => {
    const code = `H32-BAD-${occurredAt.slice(0, 10)}`;
    const r = await t.request('POST', '/api/dossiers', { token: clerk, body: body(code, occurredAt) });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain('occurredAt');
    expect((await t.store.readStream(`dossier-${code}`)).length).toBe(0);
  });

  it('an occurredAt a day ahead of the server clock is 422 INVALID_COMMAND naming occurredAt; a few seconds ahead is accepted', async () => {
    const ahead = new Date(Date.now() + 86_400_000).toISOString();
    const r = await t.request('POST', '/api/dossiers', { token: clerk, body: body('H32-FUTURE-1', ahead) });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('INVALID_COMMAND');
    expect(r.body.error.details).toEqual([{ field: 'occurredAt', message: expect.stringContaining('future') }]);
    expect((await t.store.readStream('dossier-H32-FUTURE-1')).length).toBe(0);

    const soon = new Date(Date.now() + 10_000).toISOString();
    const ok = await t.request('POST', '/api/dossiers', { token: clerk, body: body('H32-SOON-1', soon) });
    expect(ok.status).toBe(201);
    const later = await t.request('POST', '/api/dossiers/H32-SOON-1/completion', {
      token: clerk,
      body: { outcome: 'approved', occurredAt: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(later.status).toBe(422);
    expect(later.body.error.details[0].field).toBe('occurredAt');
  });
});
