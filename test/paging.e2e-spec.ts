/**
 * Dossier-list paging over real HTTP when dossier codes contain the cursor's own separator (`|`): every
 * dossier comes once and the paging ends (it looped forever: the cursor was split on every `|`).
 */
import { join } from 'node:path';
import { createSqliteDb, ProjectionRunner } from '@motcua/read-models';
import { startTestApp, type TestApp } from './support/app';

describe('dossier-list paging with | in codes (sqlite)', () => {
  let t: TestApp;
  const codes = ['H33|A', 'H33|B|1', 'H33|B|2', 'H33||C'];

  beforeAll(async () => {
    t = await startTestApp({ store: 'sqlite' });
    const admin = await t.token('admin', undefined, { sub: 'admin-paging' });
    const post = async (path: string, token: string, body: unknown) => {
      const r = await t.request('POST', path, { token, body });
      if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
    };
    await post('/api/agencies', admin, { code: 'H33', name: 'Tỉnh Phân Trang', level: 'province' });
    await post('/api/procedures', admin, { code: 'P1', name: 'Cấp giấy phép', deadlineValue: 3, deadlineUnit: 'working_days', paymentPausesClock: false });
    const clerk = await t.token('clerk', 'H33', { sub: 'clerk-paging' });
    for (const code of codes)
      await post('/api/dossiers', clerk, { code, agencyCode: 'H33', procedureCode: 'P1', channel: 'counter', occurredAt: '2025-06-02T09:00:00+07:00' });
    const db = createSqliteDb({ file: join(t.dataDir, 'read-models.sqlite') });
    const runner = new ProjectionRunner({ store: t.store, db, maxDelayMs: 5 });
    await runner.start();
    await runner.waitFor();
    await runner.stop();
    await db.close();
  });
  afterAll(() => t?.close());

  it('pages of one: each dossier once, then no next cursor', async () => {
    const monitor = await t.token('monitor', 'H33', { sub: 'monitor-paging' });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < codes.length + 2; page++) {
      const r = await t.request('GET', `/api/dossiers?agency=H33&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: monitor });
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((d: { code: string }) => d.code));
      cursor = r.body.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(cursor).toBeUndefined();
    expect([...seen].sort()).toEqual([...codes].sort());
  });

  it('a malformed cursor is a 400, not a 500', async () => {
    const monitor = await t.token('monitor', 'H33', { sub: 'monitor-paging' });
    const r = await t.request('GET', `/api/dossiers?agency=H33&cursor=${Buffer.from('nope').toString('base64url')}`, { token: monitor });
    expect(r.status).toBe(400);
  });
});
