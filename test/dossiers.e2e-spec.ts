/**
 * Dossier use cases over real HTTP, on SQLite and PostgreSQL: a full lifecycle,
 * every illegal transition -> 422, idempotent retries, racing clerks, agency scope, no token -> 401.
 * No request may answer 500 (checked in afterAll on every recorded status).
 */
import { ALLOWED_FROM, DOSSIER_ACTIONS, dossierStreamId, type DossierAction } from '@motcua/domain';
import { Redis } from 'ioredis';
import { AGENCY_A, DossierTestApp, LATER, PROC_PAUSE, PROC_RUN, ROUTES, routePath, startDossierApp, STORES, T0 } from './dossiers-fixtures';

describe.each(STORES)('dossiers over HTTP (%s)', (store) => {
  let d: DossierTestApp;

  beforeAll(async () => {
    d = await startDossierApp(store);
  });
  afterAll(async () => {
    await d?.t.close();
    expect(d.statuses.filter((s) => s >= 500)).toEqual([]);
  });

  const events = (code: string) => d.t.store.readStream(dossierStreamId(code));

  it('runs a full lifecycle: receipt, step, supplementation (clock paused), payment, apology, completion, return', async () => {
    const code = d.newCode();
    const r = await d.receive(code, { applicant: { name: 'Nguyễn Văn A', idNumber: '001085012345', phone: '+84912345678', address: 'Thôn 1' } });
    expect(r.status).toBe(201);
    // 5 working days of 8 h from Monday 09:00 under the agency's hours (07:30-11:30 13:00-17:00): next Monday 09:00.
    expect(r.body).toEqual({
      code,
      status: 'received',
      nationalStatusCode: 2,
      dueAt: '2025-03-10T02:00:00.000Z',
      promisedAt: '2025-03-10T02:00:00.000Z',
      revision: 0,
    });
    expect(r.headers.get('etag')).toBe('"0"');

    const steps: [string, Record<string, unknown>, number][] = [
      ['steps', { kind: 'transfer', fromUnit: 'Một cửa', toUnit: 'Phòng Hộ tịch', occurredAt: '2025-03-03T10:00:00+07:00' }, 4],
      ['supplement-requests', { reason: 'Thiếu bản sao CCCD', occurredAt: '2025-03-04T09:00:00+07:00' }, 5],
      ['supplements', { occurredAt: '2025-03-06T09:00:00+07:00' }, 4],
      ['payment-requests', { amount: 100000, occurredAt: '2025-03-07T09:00:00+07:00' }, 6],
      ['payments', { online: true, amount: 100000, occurredAt: '2025-03-07T10:00:00+07:00' }, 4],
      ['apologies', { newPromisedAt: '2025-03-14T16:00:00+07:00', reason: 'Chờ xác minh', occurredAt: '2025-03-10T09:00:00+07:00' }, 4],
      ['completion', { outcome: 'approved', occurredAt: '2025-03-12T16:00:00+07:00' }, 9],
      ['return', { occurredAt: '2025-03-13T08:00:00+07:00' }, 10],
    ];
    let revision = 0;
    let etag = r.headers.get('etag')!;
    for (const [route, body, national] of steps) {
      const res = await d.act(code, route, body, { headers: { 'if-match': etag } });
      expect({ route, status: res.status, national: res.body.nationalStatusCode }).toEqual({ route, status: 200, national });
      expect(res.body.revision).toBe(++revision);
      etag = res.headers.get('etag')!;
      expect(etag).toBe(`"${revision}"`);
      if (route === 'supplement-requests') {
        const paused = await d.t.request('GET', `/api/dossiers/${code}`, { token: d.clerkA });
        expect(paused.body.timeliness).toBe('paused');
      }
      if (route === 'supplements') {
        // Paused Tue 09:00 -> Thu 09:00 = 16 working hours: the due date moves out by two working days.
        expect(res.body.dueAt).toBe('2025-03-12T02:00:00.000Z');
      }
      if (route === 'payments') expect(res.body.dueAt).toBe('2025-03-12T03:00:00.000Z'); // paused 1 h (this procedure's payment pauses the clock): 10:00
      if (route === 'apologies') expect(res.body.promisedAt).toBe('2025-03-14T09:00:00.000Z');
    }

    const got = await d.t.request('GET', `/api/dossiers/${code}`, { token: d.monitorA });
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe(`"${revision}"`);
    expect(got.body).toMatchObject({
      code,
      agencyCode: AGENCY_A,
      procedureCode: PROC_PAUSE,
      channel: 'counter',
      status: 'result_returned',
      nationalStatusCode: 10,
      statusLabel: { vi: expect.any(String), en: expect.any(String) },
      receivedAt: '2025-03-03T02:00:00.000Z',
      originalDueAt: '2025-03-10T02:00:00.000Z',
      dueAt: '2025-03-12T03:00:00.000Z',
      promisedAt: '2025-03-14T09:00:00.000Z',
      timeliness: 'on_time', // completed on the due date
      supplementRequestCount: 1,
      revision,
      calendarVersion: expect.stringContaining('+hours:07:30-11:30,13:00-17:00/1-5'),
      procedureRulesVersion: `${PROC_PAUSE}@1`,
    });
    expect(JSON.stringify(got.body)).not.toContain('Nguyễn');

    const h = await d.t.request('GET', `/api/dossiers/${code}/history`, { token: d.auditor });
    expect(h.status).toBe(200);
    expect(h.body.events.map((e: any) => e.nationalStatusCode)).toEqual([2, 4, 5, 4, 6, 4, 4, 9, 10]);
    expect(h.body.events[0]).toMatchObject({
      revision: 0,
      type: 'dossier.received.v1',
      occurredAt: '2025-03-03T02:00:00.000Z',
      actor: 'clerk-a1',
      status: 'received',
    });
    expect(Date.parse(h.body.events[0].recordedAt)).toBeGreaterThan(Date.parse('2025-04-01'));

    // Event envelope: who, for which agency, correlation and causation; no personal data anywhere.
    const stored = await events(code);
    expect(stored).toHaveLength(9);
    for (const e of stored) {
      expect(e.metadata).toMatchObject({ actor: 'clerk-a1', agencyCode: AGENCY_A, correlationId: expect.any(String), commandId: expect.any(String) });
      expect(e.metadata.causationId).toBe(e.metadata.commandId);
    }
    const raw = JSON.stringify(stored);
    for (const pii of ['Nguyễn', '001085012345', '84912345678', 'Thôn 1']) expect(raw).not.toContain(pii);
    expect(stored[0].data.applicantRef).toMatch(/^[0-9a-f]{32}$/); // an opaque random ref (libs/personal-data)
  });

  it('online submission, receipt of it, refusals, withdrawal and stop', async () => {
    const online = d.newCode();
    const s = await d.t.request('POST', '/api/dossiers/online-submissions', {
      token: d.clerkA2,
      body: { code: online, agencyCode: AGENCY_A, procedureCode: PROC_RUN, occurredAt: T0 },
    });
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({ status: 'submitted_online', nationalStatusCode: 1, dueAt: null, revision: 0 });
    const wrongChannel = await d.receive(online, { channel: 'counter', procedureCode: PROC_RUN });
    expect(wrongChannel.status).toBe(422);
    expect(wrongChannel.body.error).toMatchObject({ code: 'INVALID_COMMAND', details: [{ field: 'channel', message: expect.any(String) }] });
    // Received at 16:00, after the procedure's 15:00 cut-off: the clock starts Tuesday 07:30, due Tuesday 17:00.
    const rec = await d.receive(online, { channel: 'online', procedureCode: PROC_RUN, occurredAt: '2025-03-03T16:00:00+07:00' });
    expect(rec.status).toBe(201);
    expect(rec.body).toMatchObject({ status: 'received', nationalStatusCode: 2, dueAt: '2025-03-04T10:00:00.000Z', revision: 1 });

    const refusedNew = d.newCode();
    const rf = await d.t.request('POST', '/api/dossiers/refusals', {
      token: d.clerkA,
      body: { code: refusedNew, agencyCode: AGENCY_A, procedureCode: 'NOT.IN.FORCE', channel: 'postal', reason: 'Không thuộc thẩm quyền', occurredAt: T0 },
    });
    expect(rf.status).toBe(201);
    expect(rf.body).toMatchObject({ status: 'refused', nationalStatusCode: 3, dueAt: null });
    const g = await d.t.request('GET', `/api/dossiers/${refusedNew}`, { token: d.clerkA });
    expect(g.body).toMatchObject({ status: 'refused', timeliness: null, receivedAt: null });

    const online2 = d.newCode();
    await d.t.request('POST', '/api/dossiers/online-submissions', {
      token: d.clerkA,
      body: { code: online2, agencyCode: AGENCY_A, procedureCode: PROC_RUN, occurredAt: T0 },
    });
    const rf2 = await d.t.request('POST', '/api/dossiers/refusals', {
      token: d.clerkA,
      body: { code: online2, agencyCode: AGENCY_A, procedureCode: PROC_RUN, channel: 'online', reason: 'Thiếu giấy tờ', occurredAt: LATER },
    });
    expect(rf2.status).toBe(201);
    expect(rf2.body).toMatchObject({ status: 'refused', revision: 1 });

    const w = d.newCode();
    await d.t.request('POST', '/api/dossiers/online-submissions', {
      token: d.clerkA,
      body: { code: w, agencyCode: AGENCY_A, procedureCode: PROC_RUN, occurredAt: T0 },
    });
    const wd = await d.act(w, 'withdrawal', { occurredAt: LATER });
    expect(wd.body).toMatchObject({ status: 'withdrawn', nationalStatusCode: 7 });

    const st = (await d.receive()).body.code;
    const stop = await d.act(st, 'stop', { reason: 'Đình chỉ', occurredAt: '2025-03-12T09:00:00+07:00' });
    expect(stop.body).toMatchObject({ status: 'stopped', nationalStatusCode: 8 });
    const sg = await d.t.request('GET', `/api/dossiers/${st}`, { token: d.auditor });
    expect(sg.body.timeliness).toBe('late'); // stopped after the due date (10 March)
  });

  it('open dossiers are judged at the API clock (today, long after their 2025 due date: overdue)', async () => {
    const code = (await d.receive()).body.code;
    const g = await d.t.request('GET', `/api/dossiers/${code}`, { token: d.clerkA });
    expect(g.body.timeliness).toBe('overdue');
    expect(g.body.allowedActions).toEqual(expect.arrayContaining(['record_step', 'complete', 'stop']));
  });

  it('409 DUPLICATE for an existing code; 404 unknown dossier; 422 unknown agency/procedure and bad instants', async () => {
    const code = (await d.receive()).body.code;
    const dup = await d.receive(code);
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'DUPLICATE', state: 'received', action: 'receive' });

    for (const [method, path, body] of [
      ['POST', '/api/dossiers/NOPE-1/steps', ROUTES[3].body('')],
      ['GET', '/api/dossiers/NOPE-1', undefined],
      ['GET', '/api/dossiers/NOPE-1/history', undefined],
    ] as const) {
      const r = await d.t.request(method, path, { token: d.clerkA, body });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
    }

    const ghost = await d.t.token('clerk', 'H30.77');
    const ua = await d.t.request('POST', '/api/dossiers', {
      token: ghost,
      body: { code: 'H30.77-250303-0001', agencyCode: 'H30.77', procedureCode: PROC_PAUSE, channel: 'counter', occurredAt: T0 },
    });
    expect(ua.status).toBe(422);
    expect(ua.body.error).toMatchObject({ code: 'UNKNOWN_AGENCY', details: [{ field: 'agencyCode', message: expect.stringContaining('H30.77') }] });
    const up = await d.receive(d.newCode(), { procedureCode: 'NO.SUCH' });
    expect(up.status).toBe(422);
    expect(up.body.error).toMatchObject({ code: 'UNKNOWN_PROCEDURE', details: [{ field: 'procedureCode', message: expect.any(String) }] });

    const before = await d.act(code, 'steps', { kind: 'transfer', fromUnit: 'a', toUnit: 'b', occurredAt: '2025-03-01T09:00:00+07:00' });
    expect(before.status).toBe(422);
    expect(before.body.error).toMatchObject({
      code: 'INVALID_COMMAND',
      action: 'record_step',
      details: [{ field: 'occurredAt', message: expect.stringContaining('receipt') }],
    });
    const apology = await d.act(code, 'apologies', { newPromisedAt: '2025-03-01T09:00:00+07:00', reason: 'x', occurredAt: LATER });
    expect(apology.status).toBe(422);
    expect(apology.body.error.details).toEqual([{ field: 'newPromisedAt', message: expect.any(String) }]);
    expect(await events(code)).toHaveLength(1);
  });

  it('every illegal transition of the domain table -> 422 ILLEGAL_TRANSITION naming state and action, nothing written', async () => {
    // One dossier per status, built through the API.
    const build: Record<string, [string, Record<string, unknown>][]> = {
      received: [],
      in_processing: [['steps', ROUTES[3].body('')]],
      awaiting_supplement: [['supplement-requests', ROUTES[4].body('')]],
      awaiting_payment: [['payment-requests', ROUTES[6].body('')]],
      completed: [['completion', ROUTES[9].body('')]],
      result_returned: [
        ['completion', ROUTES[9].body('')],
        ['return', ROUTES[10].body('')],
      ],
      withdrawn: [['withdrawal', ROUTES[11].body('')]],
      stopped: [['stop', ROUTES[12].body('')]],
    };
    const byStatus: Record<string, string> = {};
    for (const [status, path] of Object.entries(build)) {
      const code = (await d.receive()).body.code;
      for (const [route, body] of path) expect((await d.act(code, route, body)).status).toBe(200);
      byStatus[status] = code;
    }
    const online = d.newCode();
    await d.t.request('POST', '/api/dossiers/online-submissions', {
      token: d.clerkA,
      body: { code: online, agencyCode: AGENCY_A, procedureCode: PROC_PAUSE, occurredAt: T0 },
    });
    byStatus.submitted_online = online;
    const refused = d.newCode();
    await d.t.request('POST', '/api/dossiers/refusals', { token: d.clerkA, body: ROUTES[2].body(refused) });
    byStatus.refused = refused;
    for (const [status, code] of Object.entries(byStatus))
      expect((await d.t.request('GET', `/api/dossiers/${code}`, { token: d.clerkA })).body.status).toBe(status);

    const head = await d.t.store.headPosition();
    let checked = 0;
    for (const [status, code] of Object.entries(byStatus)) {
      for (const action of DOSSIER_ACTIONS.filter((a: DossierAction) => a !== 'mark_deadline_missed')) {
        if ((ALLOWED_FROM[action] as readonly string[]).includes(status)) continue;
        const route = ROUTES.find((r) => r.action === action)!;
        const res = await d.t.request('POST', routePath(route, code), { token: d.clerkA, body: route.body(code) });
        if (route.creates) {
          // Starting a dossier under a code that exists is a duplicate (409), not a transition.
          expect({ status, action, http: res.status, code: res.body.error?.code }).toEqual({ status, action, http: 409, code: 'DUPLICATE' });
        } else {
          expect({ status, action, http: res.status, body: res.body.error }).toEqual({
            status,
            action,
            http: 422,
            body: expect.objectContaining({ code: 'ILLEGAL_TRANSITION', state: status, action }),
          });
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(90);
    expect(await d.t.store.headPosition()).toBe(head);
  });

  it('a retried command with the same Idempotency-Key -> same response, one event (Redis replay and store dedupe)', async () => {
    const code = d.newCode();
    const first = await d.t.request('POST', '/api/dossiers', { token: d.clerkA, headers: { 'idempotency-key': `rcv-${code}` }, body: ROUTES[0].body(code) });
    const again = await d.t.request('POST', '/api/dossiers', { token: d.clerkA, headers: { 'idempotency-key': `rcv-${code}` }, body: ROUTES[0].body(code) });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await events(code)).toHaveLength(1);

    const step = await d.act(code, 'steps', { ...ROUTES[3].body(code), commandId: `step-${code}` });
    const complete = await d.act(code, 'completion', ROUTES[9].body(code));
    expect([step.status, complete.status]).toEqual([200, 200]);
    // Redis forgot (restart, eviction): the store's per-stream command id still answers as the first time.
    const redis = new Redis(d.t.config.redisUrl, { lazyConnect: true });
    await redis.connect();
    const keys = await redis.keys(`${d.t.config.redisKeyPrefix}idem:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    const retried = await d.act(code, 'steps', { ...ROUTES[3].body(code), commandId: `step-${code}` });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(step.body);
    expect(retried.headers.get('etag')).toBe(step.headers.get('etag'));
    const rcvRetried = await d.t.request('POST', '/api/dossiers', {
      token: d.clerkA,
      headers: { 'idempotency-key': `rcv-${code}` },
      body: ROUTES[0].body(code),
    });
    expect(rcvRetried.status).toBe(201);
    expect(rcvRetried.body).toEqual(first.body);
    expect(await events(code)).toHaveLength(3);
  });

  it('two clerks racing on one dossier -> exactly one 2xx and one 409', async () => {
    for (let i = 0; i < 3; i++) {
      const code = (await d.receive()).body.code;
      const [a, b] = await Promise.all([
        d.act(code, 'completion', ROUTES[9].body(code), { token: d.clerkA, headers: { 'if-match': '"0"' } }),
        d.act(code, 'stop', ROUTES[12].body(code), { token: d.clerkA2, headers: { 'if-match': '"0"' } }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect([a, b].find((r) => r.status === 409)!.body.error.code).toBe('CONCURRENCY_CONFLICT');
      expect(await events(code)).toHaveLength(2);
    }
    // Two counters receiving the same code at once.
    const code = d.newCode();
    const [x, y] = await Promise.all([d.receive(code), d.t.request('POST', '/api/dossiers', { token: d.clerkA2, body: ROUTES[0].body(code) })]);
    expect([x.status, y.status].sort()).toEqual([201, 409]);
    expect(await events(code)).toHaveLength(1);
    // A stale If-Match is refused before deciding.
    const stale = await d.act(code, 'steps', ROUTES[3].body(code), { headers: { 'if-match': '"7"' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', actualRevision: 0 });
  });

  it('scope: agency B may not write or read A; monitors read their subtree only; auditors read all; no token -> 401', async () => {
    const code = (await d.receive()).body.code;
    const head = await d.t.store.headPosition();
    for (const r of ROUTES) {
      const path = routePath(r, r.creates ? d.newCode() : code);
      const noToken = await d.t.request('POST', path, { body: r.body(code) });
      expect({ path, status: noToken.status }).toEqual({ path, status: 401 });
      const b = await d.t.request('POST', routePath(r, code), { token: d.clerkB, body: r.body(code) });
      expect({ path, status: b.status, code: b.body.error.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
      for (const reader of [d.monitorA, d.auditor]) {
        expect((await d.t.request('POST', routePath(r, code), { token: reader, body: r.body(code) })).status).toBe(403);
      }
    }
    expect(await d.t.store.headPosition()).toBe(head);
    for (const path of [`/api/dossiers/${code}`, `/api/dossiers/${code}/history`]) {
      expect((await d.t.request('GET', path)).status).toBe(401);
      expect((await d.t.request('GET', path, { token: d.clerkB })).status).toBe(403);
      expect((await d.t.request('GET', path, { token: d.monitorB })).status).toBe(403);
      expect((await d.t.request('GET', path, { token: d.monitorA })).status).toBe(200);
      expect((await d.t.request('GET', path, { token: d.auditor })).status).toBe(200);
      expect((await d.t.request('GET', path, { token: d.clerkA2 })).status).toBe(200);
    }
  });
});
