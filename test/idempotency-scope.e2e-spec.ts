/**
 * An idempotency key names one command of one sender, over real HTTP, on SQLite and PostgreSQL, with the
 * idempotency cache (Redis) reachable and unreachable (as after its TTL or a restart):
 * - the same key and the same command: the first answer again (2xx), nothing written;
 * - the same key for another command, on the same dossier or on ANOTHER one: 422 IDEMPOTENCY_KEY_REUSED,
 *   nothing written (without the cache, a key reused on another dossier created a second dossier);
 * - the key's scope is (issuer, subject, agency): the same key from another agency or issuer is another key,
 *   never answered with another principal's answer.
 */
import { startTestApp, STORES, type StoreKind, type TestApp } from './support/app';

const REDIS: { label: string; env: Record<string, string> }[] = [
  { label: 'Redis reachable', env: {} },
  { label: 'Redis unreachable', env: { REDIS_URL: 'redis://127.0.0.1:9' } },
];
const CASES = STORES.flatMap((store) => REDIS.map((r) => [store, r.label, r.env] as [StoreKind, string, Record<string, string>]));

describe.each(CASES)('idempotency keys (%s, %s)', (store, redisLabel, env) => {
  const cached = redisLabel === 'Redis reachable';
  let t: TestApp;
  let clerk: string; // sub clerk-idem, agency H34, no issuer
  let clerkOtherAgency: string; // the same sub for H35
  let clerkOtherIssuer: string; // the same sub and agency from another issuer
  const statuses: number[] = [];

  const receiveBody = (code: string, agencyCode = 'H34') => ({
    code,
    agencyCode,
    procedureCode: 'P1',
    channel: 'counter',
    occurredAt: '2025-06-02T09:00:00+07:00',
  });
  const stepBody = { kind: 'transfer', fromUnit: 'Một cửa', toUnit: 'Phòng Tư pháp', occurredAt: '2025-06-02T10:00:00+07:00' };
  const post = async (token: string, path: string, key: string, body: unknown) => {
    const r = await t.request('POST', path, { token, body, headers: { 'idempotency-key': key } });
    statuses.push(r.status);
    return r;
  };
  const stream = (code: string) => t.store.readStream(`dossier-${code}`);

  beforeAll(async () => {
    t = await startTestApp({ store, env });
    const admin = await t.token('admin', undefined, { sub: 'admin-idem' });
    for (const [path, b] of [
      ['/api/agencies', { code: 'H34', name: 'Tỉnh Khóa', level: 'province' }],
      ['/api/agencies', { code: 'H35', name: 'Tỉnh Mở', level: 'province' }],
      ['/api/procedures', { code: 'P1', name: 'Cấp giấy phép', deadlineValue: 3, deadlineUnit: 'working_days', paymentPausesClock: false }],
    ] as const) {
      const r = await t.request('POST', path, { token: admin, body: b });
      if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
    }
    clerk = await t.token('clerk', 'H34', { sub: 'clerk-idem' });
    clerkOtherAgency = await t.token('clerk', 'H35', { sub: 'clerk-idem' });
    clerkOtherIssuer = await t.token('clerk', 'H34', { sub: 'clerk-idem', issuer: 'https://idp-b.example' });
  });
  afterAll(async () => {
    await t?.close();
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });

  it('the same key and the same command: the first answer again, nothing written', async () => {
    const first = await post(clerk, '/api/dossiers', 'k-same', receiveBody('H34-250602-0001'));
    expect(first.status).toBe(201);
    const before = await stream('H34-250602-0001');
    const again = await post(clerk, '/api/dossiers', 'k-same', receiveBody('H34-250602-0001'));
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe(cached ? 'true' : null);
    expect(await stream('H34-250602-0001')).toEqual(before);
  });

  it('the same key for a receipt of ANOTHER dossier: 422 IDEMPOTENCY_KEY_REUSED, no second dossier', async () => {
    const first = await post(clerk, '/api/dossiers', 'k-other', receiveBody('H34-250602-0002'));
    expect(first.status).toBe(201);
    const reused = await post(clerk, '/api/dossiers', 'k-other', receiveBody('H34-250602-0003'));
    expect(reused.status).toBe(422);
    expect(reused.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringMatching(/already used/) });
    expect(await stream('H34-250602-0003')).toEqual([]);
    expect((await t.request('GET', '/api/dossiers/H34-250602-0003', { token: clerk })).status).toBe(404);
    // The first dossier's retry is still its answer; a fresh key receives the second.
    expect((await post(clerk, '/api/dossiers', 'k-other', receiveBody('H34-250602-0002'))).body).toEqual(first.body);
    expect((await post(clerk, '/api/dossiers', 'k-other-2', receiveBody('H34-250602-0003'))).status).toBe(201);
  });

  it('the same key for an action on another existing dossier, or for another command on the same one: 422, nothing written', async () => {
    for (const code of ['H34-250602-0004', 'H34-250602-0005'])
      expect((await post(clerk, '/api/dossiers', `k-recv-${code}`, receiveBody(code))).status).toBe(201);
    const step = await post(clerk, '/api/dossiers/H34-250602-0004/steps', 'k-step', stepBody);
    expect(step.status).toBe(200);
    const before4 = await stream('H34-250602-0004');
    const before5 = await stream('H34-250602-0005');
    const elsewhere = await post(clerk, '/api/dossiers/H34-250602-0005/steps', 'k-step', stepBody);
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherCommand = await post(clerk, '/api/dossiers/H34-250602-0004/completion', 'k-step', {
      outcome: 'approved',
      occurredAt: '2025-06-03T09:00:00+07:00',
    });
    expect(otherCommand.status).toBe(422);
    expect(otherCommand.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // A receipt of a new dossier under an action's key: refused too.
    const receipt = await post(clerk, '/api/dossiers', 'k-step', receiveBody('H34-250602-0006'));
    expect(receipt.status).toBe(422);
    expect(receipt.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await stream('H34-250602-0004')).toEqual(before4);
    expect(await stream('H34-250602-0005')).toEqual(before5);
    expect(await stream('H34-250602-0006')).toEqual([]);
    const retried = await post(clerk, '/api/dossiers/H34-250602-0004/steps', 'k-step', stepBody);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(step.body);
  });

  it("the same key from another agency or another issuer is another key: its own command, never the other's answer", async () => {
    const mine = await post(clerk, '/api/dossiers', 'k-scope', receiveBody('H34-250602-0010'));
    expect(mine.status).toBe(201);
    // The same subject working for H35, same key: its own receipt is written and answered.
    const theirs = await post(clerkOtherAgency, '/api/dossiers', 'k-scope', receiveBody('H35-250602-0010', 'H35'));
    expect(theirs.status).toBe(201);
    expect(theirs.body.code).toBe('H35-250602-0010');
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(await stream('H35-250602-0010')).toHaveLength(1);
    // Another issuer's principal sending exactly the first request: a new command of its own (the dossier exists:
    // 409), not the first principal's cached 201.
    const sameRequest = await post(clerkOtherIssuer, '/api/dossiers', 'k-scope', receiveBody('H34-250602-0010'));
    expect(sameRequest.status).toBe(409);
    expect(sameRequest.body.error.code).toBe('DUPLICATE');
    // ... and its own command under that key is its own.
    const ownCommand = await post(clerkOtherIssuer, '/api/dossiers/H34-250602-0010/steps', 'k-scope', stepBody);
    expect(ownCommand.status).toBe(200);
    expect((await post(clerkOtherIssuer, '/api/dossiers/H34-250602-0010/steps', 'k-scope', stepBody)).body).toEqual(ownCommand.body);
    // Each principal's retry is still its own answer.
    expect((await post(clerk, '/api/dossiers', 'k-scope', receiveBody('H34-250602-0010'))).body).toEqual(mine.body);
    expect((await post(clerkOtherAgency, '/api/dossiers', 'k-scope', receiveBody('H35-250602-0010', 'H35'))).body).toEqual(theirs.body);
    expect(await stream('H34-250602-0010')).toHaveLength(2);
  });

  it('concurrent receipts of two dossiers under one key: one dossier is created, the other request is 422', async () => {
    const codes = ['H34-250602-0020', 'H34-250602-0021', 'H34-250602-0022'];
    const answers = await Promise.all(codes.map((code) => post(clerk, '/api/dossiers', 'k-race', receiveBody(code))));
    // Concurrent requests may all miss the cache: the store decides.
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 201)) {
      expect(a.status).toBe(422);
      expect(a.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    const lengths = await Promise.all(codes.map(async (code) => (await stream(code)).length));
    expect(lengths.sort()).toEqual([0, 0, 1]);
  });
});

describe('idempotency keys written by an earlier release (unscoped id <sub>:<key>; sqlite, Redis unreachable)', () => {
  let t: TestApp;
  let clerk: string;
  const code = 'H34-250602-0100';
  const stepBody = { kind: 'transfer', fromUnit: 'Một cửa', toUnit: 'Phòng Tư pháp', occurredAt: '2025-06-02T10:00:00+07:00' };
  const post = (path: string, key: string, body: unknown) => t.request('POST', path, { token: clerk, body, headers: { 'idempotency-key': key } });

  beforeAll(async () => {
    t = await startTestApp({ store: 'sqlite', env: { REDIS_URL: 'redis://127.0.0.1:9', IDEMPOTENCY_TTL_SECONDS: '2' } });
    const admin = await t.token('admin', undefined, { sub: 'admin-idem' });
    for (const [path, b] of [
      ['/api/agencies', { code: 'H34', name: 'Tỉnh Khóa', level: 'province' }],
      ['/api/procedures', { code: 'P1', name: 'Cấp giấy phép', deadlineValue: 3, deadlineUnit: 'working_days', paymentPausesClock: false }],
    ] as const) {
      const r = await t.request('POST', path, { token: admin, body: b });
      if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
    }
    clerk = await t.token('clerk', 'H34', { sub: 'clerk-old' });
  });
  afterAll(() => t?.close());

  it('a retry of a command written under the old id is answered from the store within the TTL; past it, the key is new', async () => {
    const received = await post('/api/dossiers', 'k-recv', {
      code,
      agencyCode: 'H34',
      procedureCode: 'P1',
      channel: 'counter',
      occurredAt: '2025-06-02T09:00:00+07:00',
    });
    expect(received.status).toBe(201);
    // What the earlier release wrote for a step sent with key 'k-old': the same event, command id '<sub>:k-old'.
    const written = await post(`/api/dossiers/${code}/steps`, 'k-template', stepBody);
    expect(written.status).toBe(200);
    const template = (await t.store.readStream(`dossier-${code}`)).at(-1)!;
    const legacyId = 'clerk-old:k-old';
    await t.store.append(
      `dossier-${code}`,
      [{ type: template.type, data: template.data, metadata: { ...template.metadata, commandId: legacyId, causationId: legacyId } }],
      { expectedRevision: template.revision, commandId: legacyId },
    );
    const before = await t.store.readStream(`dossier-${code}`);

    const retried = await post(`/api/dossiers/${code}/steps`, 'k-old', stepBody);
    expect(retried.status).toBe(200);
    expect(retried.body.revision).toBe(before.at(-1)!.revision);
    const otherCommand = await post(`/api/dossiers/${code}/completion`, 'k-old', { outcome: 'approved', occurredAt: '2025-06-03T09:00:00+07:00' });
    expect(otherCommand.status).toBe(422);
    expect(otherCommand.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await t.store.readStream(`dossier-${code}`)).toEqual(before);

    // Past the TTL (2 s here) the old id is no longer this key: the step is a new command.
    await new Promise((r) => setTimeout(r, 2200));
    const late = await post(`/api/dossiers/${code}/steps`, 'k-old', stepBody);
    expect(late.status).toBe(200);
    expect(late.body.revision).toBe(before.at(-1)!.revision + 1);
  });
});
