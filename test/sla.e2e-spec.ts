/**
 * SLA read side end to end, over real HTTP on SQLite and PostgreSQL: dossiers POSTed through
 * the dossier routes, the worker's projection job (apps/worker/src/run-projections.ts) running in this
 * process against the same store, then GET /api/sla (by agency, level, procedure), /api/agencies/:code/sla,
 * /api/rankings and /api/dossiers checked figure by figure, with the freshness watermark; a monitor sees
 * only its subtree; live lag (POST -> visible in /api/sla) under a second; the admin rebuild route swaps a
 * rebuilt table set in with the same figures while the live runner follows it.
 *
 * June 2025 (no public holiday), procedure of 3 working days, agencies P (province) > D1, D2 (departments):
 *   D1: #1 counter, done the next day (early); #2 online, done at its due instant (on time);
 *       #3 counter, done two weeks later (late); #4 postal, withdrawn; #5 counter received 27 June, open
 *       and within its deadline at the end of 30 June; #6 counter received 20 June, open and overdue.
 *   D2: #7 counter, early; #8 online, open and overdue.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { ReadModelDbConfig } from '@motcua/read-models';
import { startProjectionJob, type ProjectionJob } from '../apps/worker/src/run-projections';
import { registerProcedureBody, workingDays } from '@motcua/testing';
import { dossierStreamId } from '@motcua/domain';
import { PG_URL, startTestApp, type StoreKind, type TestApp } from './support/app';

jest.setTimeout(120_000);

const P = 'H30';
const D1 = 'H30.01';
const D2 = 'H30.02';
const PROC = 'P.SLA3';
const JUNE = 'from=2025-06-01&to=2025-06-30';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

const counts = (f: any) => ({
  received: f.received,
  ch: f.receivedByChannel,
  completed: f.completed,
  early: f.early,
  onTime: f.onTime,
  late: f.late,
  withdrawn: f.withdrawn,
  within: f.openWithinDeadline,
  overdue: f.openOverdue,
  paused: f.paused,
});
const D1_JUNE = {
  received: 6,
  ch: { counter: 4, online: 1, postal: 1 },
  completed: 3,
  early: 1,
  onTime: 1,
  late: 1,
  withdrawn: 1,
  within: 1,
  overdue: 1,
  paused: 0,
};
const D2_JUNE = {
  received: 2,
  ch: { counter: 1, online: 1, postal: 0 },
  completed: 1,
  early: 1,
  onTime: 0,
  late: 0,
  withdrawn: 0,
  within: 0,
  overdue: 1,
  paused: 0,
};
const BOTH = {
  received: 8,
  ch: { counter: 5, online: 2, postal: 1 },
  completed: 4,
  early: 2,
  onTime: 1,
  late: 1,
  withdrawn: 1,
  within: 1,
  overdue: 2,
  paused: 0,
};

describe.each<StoreKind>(['sqlite', 'postgres'])('SLA over HTTP with the live projection (%s)', (kind) => {
  let t: TestApp;
  let job: ProjectionJob;
  let dataDir: string;
  let rmConfig: ReadModelDbConfig;
  const savedEnv = { ...process.env };
  let admin: string, monitorP: string, monitorD1: string, clerkD1: string, clerkD2: string;

  const ok = async (method: string, path: string, token: string, body?: unknown, status = 200) => {
    const r = await t.request(method, path, { token, body });
    if (r.status !== status) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.body;
  };
  const receive = (token: string, code: string, agencyCode: string, channel: string, occurredAt: string) =>
    ok('POST', '/api/dossiers', token, { code, agencyCode, procedureCode: PROC, channel, occurredAt }, 201);
  const act = (token: string, code: string, route: string, body: Record<string, unknown>) =>
    ok('POST', `/api/dossiers/${encodeURIComponent(code)}/${route}`, token, body);
  // Waits for the dossier's last event, not for the log's head of the moment: on PostgreSQL the head stops below
  // any transaction in flight in the cluster (another test file's), and could be read before this event is in it.
  const projected = async (code: string) => {
    const [last] = await t.store.readStream(dossierStreamId(code), { direction: 'backwards', maxCount: 1 });
    await job.projections.runner.waitFor(last.position);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'motcua-sla-e2e-'));
    // The API's SLA routes and the admin rebuild read READ_MODELS_* (the worker's variables): point
    // them into this test's store before the app starts. Jest gives each test file its own process.env.
    rmConfig =
      kind === 'sqlite'
        ? { engine: 'sqlite', sqliteFile: join(dataDir, 'read-models.sqlite') }
        : { engine: 'postgres', connectionString: PG_URL, schema: `rm_${randomBytes(5).toString('hex')}` };
    process.env.READ_MODELS_ENGINE = rmConfig.engine;
    if (rmConfig.sqliteFile) process.env.READ_MODELS_SQLITE_FILE = rmConfig.sqliteFile;
    if (rmConfig.connectionString) process.env.READ_MODELS_PG_URL = rmConfig.connectionString;
    if (rmConfig.schema) process.env.READ_MODELS_PG_SCHEMA = rmConfig.schema;
    t = await startTestApp({ store: kind, dataDir });
    admin = await t.token('admin', undefined, { sub: 'admin-sla' });
    monitorP = await t.token('monitor', P, { sub: 'monitor-p' });
    monitorD1 = await t.token('monitor', D1, { sub: 'monitor-d1' });
    clerkD1 = await t.token('clerk', D1, { sub: 'clerk-d1' });
    clerkD2 = await t.token('clerk', D2, { sub: 'clerk-d2' });
    await ok('POST', '/api/agencies', admin, { code: P, name: 'Tỉnh Hải Dương', level: 'province' }, 201);
    await ok('POST', '/api/agencies', admin, { code: D1, name: 'Sở Tư pháp', level: 'department', parentCode: P }, 201);
    await ok('POST', '/api/agencies', admin, { code: D2, name: 'Sở Xây dựng', level: 'department', parentCode: P }, 201);
    await ok('POST', '/api/procedures', admin, registerProcedureBody({ code: PROC, name: 'Cấp phiếu lý lịch tư pháp', deadline: workingDays(3) }), 201);

    // Written before the runner starts: the worker's first start rebuilds them, then goes live.
    await receive(clerkD1, 'D1-1', D1, 'counter', '2025-06-02T09:00:00+07:00');
    await act(clerkD1, 'D1-1', 'completion', { outcome: 'approved', occurredAt: '2025-06-03T09:00:00+07:00' });
    const d2 = await receive(clerkD1, 'D1-2', D1, 'online', '2025-06-02T09:00:00+07:00');
    await act(clerkD1, 'D1-2', 'completion', { outcome: 'approved', occurredAt: d2.dueAt });
    await receive(clerkD1, 'D1-3', D1, 'counter', '2025-06-02T09:00:00+07:00');
    await act(clerkD1, 'D1-3', 'completion', { outcome: 'rejected', occurredAt: '2025-06-16T09:00:00+07:00' });
    await receive(clerkD1, 'D1-4', D1, 'postal', '2025-06-02T10:00:00+07:00');
    await act(clerkD1, 'D1-4', 'withdrawal', { occurredAt: '2025-06-03T10:00:00+07:00' });
    const d5 = await receive(clerkD1, 'D1-5', D1, 'counter', '2025-06-27T09:00:00+07:00');
    expect(d5.dueAt > '2025-07-01').toBe(true);
    const d6 = await receive(clerkD1, 'D1-6', D1, 'counter', '2025-06-20T09:00:00+07:00');
    expect(d6.dueAt < '2025-06-30').toBe(true);

    job = await startProjectionJob({ store: t.store, logger: silent, config: rmConfig, progressEveryMs: 0 });
    // Some of it arrives while the runner is live.
    await receive(clerkD2, 'D2-7', D2, 'counter', '2025-06-03T09:00:00+07:00');
    await act(clerkD2, 'D2-7', 'completion', { outcome: 'approved', occurredAt: '2025-06-04T09:00:00+07:00' });
    await receive(clerkD2, 'D2-8', D2, 'online', '2025-06-03T09:00:00+07:00');
    await projected('D2-8');
  });

  afterAll(async () => {
    await job?.stop();
    await t?.close();
    process.env = savedEnv;
    if (rmConfig?.engine === 'postgres') {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${rmConfig.schema}" CASCADE`);
      await c.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('GET /api/sla?by=agency: own figures, rates and roll-up, with a fresh watermark', async () => {
    const body = await ok('GET', `/api/sla?${JUNE}&by=agency`, monitorP);
    const rows = new Map<string, any>(body.rows.map((r: any) => [r.agencyCode, r]));
    expect(counts(rows.get(D1))).toEqual(D1_JUNE);
    expect(counts(rows.get(D2))).toEqual(D2_JUNE);
    expect(counts(rows.get(P).rollup)).toEqual(BOTH);
    const d1 = rows.get(D1);
    expect(d1.lateRate).toBeCloseTo(1 / 3, 12);
    expect(d1.onTimeRate).toBeCloseTo(3 / 5, 12); // (early 1 + on time 1 + open within 1) / (completed 3 + open 2)
    expect(d1.onTimeScore).toBeCloseTo(12, 12);
    expect(d1.onlineRate).toBeCloseTo(1 / 6, 12);
    expect(rows.get(D2).onTimeRate).toBeCloseTo(1 / 2, 12);
    expect(body.watermark.behind).toBe(0);
    expect(body.watermark.position).toBe(body.watermark.headPosition);
    expect(body.watermark.position).toBe(await t.store.headPosition());
  });

  it('a period whose days do not exist, or that ends before it starts, is 400 (2025-06-00 passed the pattern and failed inside)', async () => {
    for (const q of ['from=2025-06-01&to=2025-06-00', 'from=2025-02-30&to=2025-03-31', 'from=2025-13-01&to=2025-13-02', 'from=2025-06-30&to=2025-06-01']) {
      for (const path of [`/api/sla?${q}`, `/api/rankings?${q}`, `/api/agencies/${P}/sla?${q}`]) {
        const r = await t.request('GET', path, { token: admin });
        expect({ path, status: r.status, code: r.body?.error?.code }).toEqual({ path, status: 400, code: 'VALIDATION_FAILED' });
      }
    }
  });

  it('GET /api/sla?by=level and by=procedure', async () => {
    const byLevel = await ok('GET', `/api/sla?${JUNE}&by=level`, admin);
    const dep = byLevel.rows.find((r: any) => r.level === 'department');
    expect(counts(dep)).toEqual(BOTH);
    expect(byLevel.rows.filter((r: any) => r.level !== 'department').every((r: any) => r.received === 0)).toBe(true);
    const byProc = await ok('GET', `/api/sla?${JUNE}&by=procedure`, admin);
    expect(byProc.rows.map((r: any) => r.procedureCode)).toEqual([PROC]);
    expect(counts(byProc.rows[0])).toEqual(BOTH);
    // Outside the period: nothing received, the dossiers of June are not open "before" they were received.
    const may = await ok('GET', `/api/sla?from=2025-05-01&to=2025-05-31&by=level`, admin);
    expect(may.rows.every((r: any) => r.received === 0 && r.openOverdue === 0)).toBe(true);
  });

  it('GET /api/agencies/:code/sla and /api/rankings', async () => {
    const a = await ok('GET', `/api/agencies/${P}/sla?${JUNE}`, monitorP);
    expect(a.agency).toMatchObject({ code: P, level: 'province' });
    expect(counts(a.rollup)).toEqual(BOTH);
    expect(a.own.received).toBe(0);
    expect(a.children.map((c: any) => c.agencyCode).sort()).toEqual([D1, D2]);
    expect(a.watermark.behind).toBe(0);
    const r = await ok('GET', `/api/rankings?${JUNE}&level=department`, monitorP);
    // D1 3/5 on time ahead of D2 1/2.
    expect(r.rows.map((x: any) => [x.rank, x.agencyCode])).toEqual([
      [1, D1],
      [2, D2],
    ]);
  });

  it('GET /api/dossiers: filtered by agency, status and overdue, paginated', async () => {
    const all = await ok('GET', `/api/dossiers?agency=${D1}`, monitorD1);
    expect(all.items.map((d: any) => d.code).sort()).toEqual(['D1-1', 'D1-2', 'D1-3', 'D1-4', 'D1-5', 'D1-6']);
    expect(Object.fromEntries(all.items.map((d: any) => [d.code, d.timeliness]))).toMatchObject({ 'D1-1': 'early', 'D1-2': 'on_time', 'D1-3': 'late' });
    expect(all.watermark.behind).toBe(0);
    const page1 = await ok('GET', `/api/dossiers?agency=${D1}&limit=4`, monitorD1);
    expect(page1.items).toHaveLength(4);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await ok('GET', `/api/dossiers?agency=${D1}&limit=4&cursor=${encodeURIComponent(page1.nextCursor)}`, monitorD1);
    expect([...page1.items, ...page2.items].map((d: any) => d.code).sort()).toEqual(all.items.map((d: any) => d.code).sort());
    // Open and past due today (the wall clock is long after June 2025).
    const overdue = await ok('GET', `/api/dossiers?agency=${P}&overdue=true`, monitorP);
    expect(overdue.items.map((d: any) => d.code).sort()).toEqual(['D1-5', 'D1-6', 'D2-8']);
    const withdrawn = await ok('GET', `/api/dossiers?agency=${P}&status=withdrawn`, monitorP);
    expect(withdrawn.items.map((d: any) => d.code)).toEqual(['D1-4']);
  });

  it('a monitor sees only its subtree: other agencies are 403, unscoped answers are filtered', async () => {
    for (const path of [
      `/api/sla?${JUNE}&by=agency&agency=${D2}`,
      `/api/agencies/${D2}/sla?${JUNE}`,
      `/api/agencies/${P}/sla?${JUNE}`,
      `/api/dossiers?agency=${D2}`,
      `/api/rankings?${JUNE}&parent=${P}`,
    ]) {
      const r = await t.request('GET', path, { token: monitorD1 });
      expect([path, r.status, r.body?.error?.code]).toEqual([path, 403, 'FORBIDDEN']);
    }
    const own = await ok('GET', `/api/sla?${JUNE}&by=agency`, monitorD1);
    expect(own.rows.map((r: any) => r.agencyCode)).toEqual([D1]);
    const list = await ok('GET', '/api/dossiers', monitorD1);
    expect(list.items.every((d: any) => d.agencyCode === D1)).toBe(true);
    // Clerks work dossiers; the SLA figures are for monitors, auditors and admins.
    expect((await t.request('GET', `/api/sla?${JUNE}`, { token: clerkD2 })).status).toBe(403);
    expect((await t.request('GET', `/api/sla?${JUNE}`)).status).toBe(401);
  });

  it('a dossier POSTed now is in GET /api/sla within a second', async () => {
    const before = (await ok('GET', `/api/sla?${JUNE}&by=agency&agency=${D2}`, admin)).rows.find((r: any) => r.agencyCode === D2).received;
    const t0 = performance.now();
    await receive(clerkD2, 'D2-9', D2, 'counter', '2025-06-30T09:00:00+07:00');
    let body: any;
    for (;;) {
      body = await ok('GET', `/api/sla?${JUNE}&by=agency&agency=${D2}`, admin);
      if (body.rows.find((r: any) => r.agencyCode === D2).received === before + 1) break;
      if (performance.now() - t0 > 1000) throw new Error('not visible within 1 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(body.watermark.behind).toBe(0);
  });

  it('POST /api/admin/projections/rebuild: 202, progress by GET and SSE, swapped in with the same figures; the live runner follows', async () => {
    const before = await ok('GET', `/api/sla?${JUNE}&by=agency`, admin);
    expect((await t.request('POST', '/api/admin/projections/rebuild', { token: monitorP })).status).toBe(403);
    const res = await t.request('POST', '/api/admin/projections/rebuild', { token: admin });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'running', requestedBy: 'admin-sla' });
    expect(res.headers.get('location')).toBe(`/api/admin/projections/rebuild/${res.body.id}`);
    // The event stream ends with the final state.
    const sse = await fetch(`${t.baseUrl}${res.body.links.events}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(sse.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await sse.text();
    // One block per event: `event: <type>`, `id: <n>`, `data: <json>`.
    const events = text
      .split('\n\n')
      .filter((b) => b.trim())
      .map((b) => {
        const f = Object.fromEntries(b.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        return [f.event, JSON.parse(f.data)] as const;
      });
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.slice(0, -1).every(([type]) => type === 'progress')).toBe(true);
    expect(events.at(-1)![0]).toBe('end');
    const final = events.at(-1)![1];
    expect(final).toMatchObject({ id: res.body.id, status: 'succeeded', phase: 'done' });
    expect(final.tableSet).not.toBe(before.watermark.tableSet);
    expect(final.previousTableSet).toBe(before.watermark.tableSet);
    expect(await ok('GET', `/api/admin/projections/rebuild/${res.body.id}`, admin)).toMatchObject({ status: 'succeeded', tableSet: final.tableSet });
    expect((await t.request('GET', '/api/admin/projections/rebuild/nope', { token: admin })).status).toBe(404);

    const after = await ok('GET', `/api/sla?${JUNE}&by=agency`, admin);
    expect(after.watermark.tableSet).toBe(final.tableSet);
    expect(after.rows).toEqual(before.rows);
    const status = await ok('GET', '/api/admin/projections', admin);
    expect(status.active.tableSet).toBe(final.tableSet);

    // The live runner moved to the new set at its next batch.
    await receive(clerkD1, 'D1-10', D1, 'online', '2025-06-30T10:00:00+07:00');
    await projected('D1-10');
    expect(job.projections.runner.tableSet).toBe(final.tableSet);
    const live = await ok('GET', `/api/sla?${JUNE}&by=agency&agency=${D1}`, admin);
    expect(live.rows.find((r: any) => r.agencyCode === D1).receivedByChannel.online).toBe(2);
    expect(live.watermark).toMatchObject({ behind: 0, tableSet: final.tableSet });
  });
});
