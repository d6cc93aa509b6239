/**
 * An idempotency key names one command, over real HTTP with the idempotency cache out of the way (Redis
 * unreachable: as after its TTL or a restart): the same key for a different command on the same dossier is
 * 422 IDEMPOTENCY_KEY_REUSED and writes nothing (it answered 2xx with the old state, and a withdrawal or a
 * completion was silently lost); the same command retried is still answered from the store.
 */
import { startTestApp, type TestApp } from './support/app';

describe('idempotency keys without the cache (sqlite, Redis unreachable)', () => {
  let t: TestApp;
  let clerk: string;
  const code = 'H34-250602-0001';
  const post = (path: string, key: string, body: unknown) => t.request('POST', path, { token: clerk, body, headers: { 'idempotency-key': key } });

  beforeAll(async () => {
    t = await startTestApp({ store: 'sqlite', env: { REDIS_URL: 'redis://127.0.0.1:9' } });
    const admin = await t.token('admin', undefined, { sub: 'admin-idem' });
    for (const [path, b] of [
      ['/api/agencies', { code: 'H34', name: 'Tỉnh Khóa', level: 'province' }],
      ['/api/procedures', { code: 'P1', name: 'Cấp giấy phép', deadlineValue: 3, deadlineUnit: 'working_days', paymentPausesClock: false }],
    ] as const) {
      const r = await t.request('POST', path, { token: admin, body: b });
      if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
    }
    clerk = await t.token('clerk', 'H34', { sub: 'clerk-idem' });
  });
  afterAll(() => t?.close());

  it('a key reused for another command is 422 and writes nothing; the same command retried is answered as before', async () => {
    const received = await post('/api/dossiers', 'k-receive', {
      code,
      agencyCode: 'H34',
      procedureCode: 'P1',
      channel: 'counter',
      occurredAt: '2025-06-02T09:00:00+07:00',
    });
    expect(received.status).toBe(201);
    const step = await post(`/api/dossiers/${code}/steps`, 'k-step', {
      kind: 'transfer',
      fromUnit: 'Một cửa',
      toUnit: 'Phòng Tư pháp',
      occurredAt: '2025-06-02T10:00:00+07:00',
    });
    expect(step.status).toBeLessThan(300);
    const before = await t.store.readStream(`dossier-${code}`);

    // The completion sent under the step's key: refused, nothing written.
    const reused = await post(`/api/dossiers/${code}/completion`, 'k-step', { outcome: 'approved', occurredAt: '2025-06-03T09:00:00+07:00' });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The receipt's key on a withdrawal: refused too.
    const reused2 = await post(`/api/dossiers/${code}/withdrawal`, 'k-receive', { occurredAt: '2025-06-03T09:00:00+07:00' });
    expect(reused2.status).toBe(422);
    expect(reused2.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await t.store.readStream(`dossier-${code}`)).toEqual(before);

    // The step retried as it was: the first answer again, from the store.
    const retried = await post(`/api/dossiers/${code}/steps`, 'k-step', {
      kind: 'transfer',
      fromUnit: 'Một cửa',
      toUnit: 'Phòng Tư pháp',
      occurredAt: '2025-06-02T10:00:00+07:00',
    });
    expect(retried.status).toBe(step.status);
    expect(retried.body).toEqual(step.body);
    expect(await t.store.readStream(`dossier-${code}`)).toEqual(before);

    // A fresh key completes it.
    const done = await post(`/api/dossiers/${code}/completion`, 'k-complete', { outcome: 'approved', occurredAt: '2025-06-03T09:00:00+07:00' });
    expect(done.status).toBeLessThan(300);
    expect(done.body.status).toBe('completed');
  });
});
