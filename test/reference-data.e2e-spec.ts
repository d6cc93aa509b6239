import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { runCli } from '../apps/cli/src/cli';
import { ReferenceImporter } from '@motcua/application';
import { AGENCY_STREAM, PROCEDURE_STREAM } from '@motcua/reference-data';
import { ReferenceDataService } from '@motcua/application';
import { AgencyScope } from '@motcua/application';
import { changeProcedureBody, registerProcedureBody, workingDays, type ProcedureFixture } from '@motcua/testing';
import { STORES, startTestApp, TestApp } from './support/app';

const AGENCIES_CSV = `code,name,level,parent_code,valid_from,valid_to,working_hours
H30,Tỉnh Hải Dương,province,,,,
H30.01,Sở Nội vụ,department,H30,2020-01-01,,Mon-Fri 07:00-11:30 13:30-17:00
H30.D1,Huyện Kim Thành,district,H30,,2025-06-30,
H30.C1,Xã Kim Anh,commune,H30.D1,,,
H30.C1,Xã Kim Anh,commune,H30,2025-07-01,,
H30.C2,"Xã Tân, mới",commune,NOPE,,,
H30.C3,Xã Đồng,galaxy,H30,2025-13-01,,
`;
const PROCEDURES_CSV = `code,name,deadline_value,deadline_unit,cutoff_time,payment_pauses_clock
2.000815,Chứng thực bản sao,1,working_days,15:00,false
1.000948.H38,Cấp giấy phép xây dựng,15,working_days,,true
1.BAD,Thiếu đơn vị,abc,fortnights,25:00,maybe
`;

describe.each(STORES)('reference data over HTTP (%s)', (store) => {
  let t: TestApp;
  let admin: string;
  const statuses: number[] = [];

  beforeAll(async () => {
    t = await startTestApp({ store });
    admin = await t.token('admin', undefined, { sub: 'admin-1' });
    const orig = t.request.bind(t);
    t.request = async (...a: Parameters<TestApp['request']>) => {
      const r = await orig(...a);
      statuses.push(r.status);
      return r;
    };
  });
  afterAll(async () => {
    await t?.close();
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });

  const streamLength = async (s: string) => (await t.store.readStream(s)).length;

  it('registers, refuses duplicates and unknown parents, re-parents with an effective date', async () => {
    const p = await t.request('POST', '/api/agencies', { token: admin, body: { code: 'P1', name: 'Tỉnh Một', level: 'province' } });
    expect(p.status).toBe(201);
    expect(p.headers.get('etag')).toBe(`"${p.body.revision}"`);
    expect(p.body.current).toMatchObject({ code: 'P1', name: 'Tỉnh Một', parentCode: null, validFrom: null });
    const dup = await t.request('POST', '/api/agencies', { token: admin, body: { code: 'P1', name: 'again', level: 'province' } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('DUPLICATE');
    const orphan = await t.request('POST', '/api/agencies', { token: admin, body: { code: 'X1', name: 'x', level: 'commune', parentCode: 'NOPE' } });
    expect(orphan.status).toBe(422);
    expect(orphan.body.error.details).toEqual([{ field: 'parentCode', message: expect.stringContaining('NOPE') }]);

    for (const body of [
      { code: 'D1', name: 'Huyện Một', level: 'district', parentCode: 'P1' },
      { code: 'C1', name: 'Xã Một', level: 'commune', parentCode: 'D1', workingHours: 'Mon-Fri 07:00-11:30 13:30-17:00' },
    ]) {
      expect((await t.request('POST', '/api/agencies', { token: admin, body })).status).toBe(201);
    }
    const c1 = await t.request('GET', '/api/agencies/C1', { token: admin });
    const etag = c1.headers.get('etag')!;
    // The 2025 reform: districts go, communes hang under the province from 1 July 2025.
    const stale = await t.request('PUT', '/api/agencies/C1', {
      token: admin,
      headers: { 'if-match': '"0"' },
      body: { name: 'Xã Một', level: 'commune', parentCode: 'P1', effectiveFrom: '2025-07-01' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONCURRENCY_CONFLICT');
    const moved = await t.request('PUT', '/api/agencies/C1', {
      token: admin,
      headers: { 'if-match': etag },
      body: { name: 'Xã Một', level: 'commune', parentCode: 'P1', workingHours: 'Mon-Fri 07:00-11:30 13:30-17:00', effectiveFrom: '2025-07-01' },
    });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).not.toBe(etag);
    const closeD1 = await t.request('PUT', '/api/agencies/D1', {
      token: admin,
      body: { name: 'Huyện Một', level: 'district', parentCode: 'P1', validTo: '2025-06-30' },
    });
    expect(closeD1.status).toBe(200);
    expect(closeD1.body.validTo).toBe('2025-06-30');

    const before = await t.request('GET', '/api/agencies/C1?asOf=2025-06-30', { token: admin });
    expect(before.body.atDate.parentCode).toBe('D1');
    expect(before.body.parents.map((a: { code: string }) => a.code)).toEqual(['D1', 'P1']);
    const after = await t.request('GET', '/api/agencies/C1?asOf=2025-07-01', { token: admin });
    expect(after.body.atDate.parentCode).toBe('P1');
    const sub2024 = await t.request('GET', '/api/agencies/P1/subtree?asOf=2024-01-01', { token: admin });
    expect(sub2024.body.items.map((a: { code: string }) => a.code)).toEqual(['P1', 'D1', 'C1']);
    const sub2026 = await t.request('GET', '/api/agencies/P1/subtree?asOf=2026-01-01', { token: admin });
    expect(sub2026.body.items.map((a: { code: string }) => a.code)).toEqual(['P1', 'C1']);

    const cycle = await t.request('PUT', '/api/agencies/P1', {
      token: admin,
      body: { name: 'Tỉnh Một', level: 'province', parentCode: 'C1', effectiveFrom: '2026-01-01' },
    });
    expect(cycle.status).toBe(422);
    expect((await t.request('GET', '/api/agencies/NOPE', { token: admin })).status).toBe(404);
    expect((await t.request('GET', '/api/agencies?asOf=2025-02-30', { token: admin })).status).toBe(400);
  });

  it('same Idempotency-Key -> same response and one event, even when the response cache is lost', async () => {
    const body = { code: 'IDEM1', name: 'Xã Idem', level: 'commune', parentCode: 'P1' };
    const headers = { 'idempotency-key': `k-${store}-1` };
    const n0 = await streamLength(AGENCY_STREAM);
    const first = await t.request('POST', '/api/agencies', { token: admin, headers, body });
    expect(first.status).toBe(201);
    const again = await t.request('POST', '/api/agencies', { token: admin, headers, body });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await streamLength(AGENCY_STREAM)).toBe(n0 + 1);
    // Redis loses the cached answer: the command id recorded with the event still answers the same.
    const redis = new Redis(t.config.redisUrl);
    await redis.del(t.config.redisKeyPrefix + 'idem:' + createHash('sha256').update(`admin-1\u0000k-${store}-1`).digest('hex'));
    redis.disconnect();
    const third = await t.request('POST', '/api/agencies', { token: admin, headers, body });
    expect([third.status, third.body]).toEqual([201, first.body]);
    expect(await streamLength(AGENCY_STREAM)).toBe(n0 + 1);
    // the same key for another request is refused
    const reused = await t.request('POST', '/api/agencies', { token: admin, headers, body: { ...body, name: 'other' } });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // the key in the body works like the header
    const viaBody = await t.request('POST', '/api/agencies', { token: admin, body: { ...body, code: 'IDEM2', commandId: `b-${store}` } });
    const viaBody2 = await t.request('POST', '/api/agencies', { token: admin, body: { ...body, code: 'IDEM2', commandId: `b-${store}` } });
    expect([viaBody.status, viaBody2.status]).toEqual([201, 201]);
    expect(viaBody2.body).toEqual(viaBody.body);
  });

  it('procedures: rules versions by effective date; only admins write, every role reads', async () => {
    const CERTIFICATION: ProcedureFixture = { code: '2.000815', name: 'Chứng thực', deadline: workingDays(1), cutoffTime: '15:00' };
    const reg = await t.request('POST', '/api/procedures', { token: admin, body: registerProcedureBody(CERTIFICATION) });
    expect(reg.status).toBe(201);
    expect(reg.body.current.rulesVersion).toBe(1);
    const ch = await t.request('PUT', '/api/procedures/2.000815', {
      token: admin,
      body: changeProcedureBody({ ...CERTIFICATION, deadline: workingDays(2) }, '2026-01-01'),
    });
    expect(ch.status).toBe(200);
    expect(ch.body.current).toMatchObject({ rulesVersion: 2, deadlineValue: 2, effectiveFrom: '2026-01-01' });
    const same = await t.request('PUT', '/api/procedures/2.000815', {
      token: admin,
      body: changeProcedureBody({ ...CERTIFICATION, deadline: workingDays(2) }, '2026-01-01'),
    });
    expect(same.body.revision).toBe(ch.body.revision);
    const old = await t.request('GET', '/api/procedures/2.000815?asOf=2025-12-31', { token: await t.token('monitor', 'P1') });
    expect(old.status).toBe(200);
    expect(old.body.atDate).toMatchObject({ rulesVersion: 1, deadlineValue: 1 });
    const bad = await t.request('POST', '/api/procedures', {
      token: admin,
      body: { code: 'X', name: 'X', deadlineValue: -1, deadlineUnit: 'weeks', paymentPausesClock: 'yes' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['deadlineUnit', 'deadlineValue', 'paymentPausesClock']);
    const clerk = await t.token('clerk', 'C1');
    expect((await t.request('PUT', '/api/procedures/2.000815', { token: clerk, body: {} })).status).toBe(403);
    expect((await t.request('GET', '/api/procedures', { token: clerk })).status).toBe(200);
    expect((await t.request('GET', '/api/procedures', { token: await t.token('auditor') })).status).toBe(200);
  });

  it('agency scope follows the tree as of a date', async () => {
    const scope = t.app.get(AgencyScope);
    const clerkP1 = { sub: 'c', role: 'clerk' as const, agency: 'P1' };
    const clerkD1 = { sub: 'd', role: 'clerk' as const, agency: 'D1' };
    expect(scope.canWrite(clerkP1, 'C1', '2025-01-01')).toBe(true);
    expect(scope.canWrite(clerkD1, 'C1', '2025-01-01')).toBe(true);
    expect(scope.canWrite(clerkD1, 'C1', '2025-07-01')).toBe(false);
    expect(scope.canWrite(clerkD1, 'P1', '2025-01-01')).toBe(false);
    expect(scope.canWrite({ sub: 'm', role: 'monitor', agency: 'P1' }, 'C1')).toBe(false);
    expect(scope.canRead({ sub: 'm', role: 'monitor', agency: 'P1' }, 'C1')).toBe(true);
    expect(scope.canRead({ sub: 'm', role: 'monitor', agency: 'C1' }, 'P1')).toBe(false);
    expect(scope.canRead({ sub: 'a', role: 'auditor' }, 'ANY')).toBe(true);
  });

  it('imports CSV through the same handlers: bad lines reported by number, re-import writes nothing', async () => {
    const importer = t.app.get(ReferenceImporter);
    const actor = { sub: 'cli:test', role: 'admin' as const };
    const a1 = await importer.importAgencies(AGENCIES_CSV, 'csv', actor);
    expect(a1.errors.map((e) => [e.line, e.field])).toEqual([
      [7, 'parent_code'],
      [8, 'valid_from'],
      [8, 'level'],
    ]);
    expect(a1.written).toBe(5);
    const p1 = await importer.importProcedures(PROCEDURES_CSV, 'csv', actor);
    expect(new Set(p1.errors.map((e) => `${e.line}:${e.field}`))).toEqual(
      new Set(['4:deadline_value', '4:deadline_unit', '4:cutoff_time', '4:payment_pauses_clock']),
    );
    expect(p1.written).toBe(2);
    const lengths = [await streamLength(AGENCY_STREAM), await streamLength(PROCEDURE_STREAM)];
    const a2 = await importer.importAgencies(AGENCIES_CSV, 'csv', actor);
    const p2 = await importer.importProcedures(PROCEDURES_CSV, 'csv', actor);
    expect([a2.written, p2.written]).toEqual([0, 0]);
    expect([await streamLength(AGENCY_STREAM), await streamLength(PROCEDURE_STREAM)]).toEqual(lengths);
    const c1 = await t.request('GET', '/api/agencies/H30.C1?asOf=2025-07-01', { token: admin });
    expect(c1.body.atDate.parentCode).toBe('H30');
    expect(c1.body.versions).toHaveLength(2);
    // JSON with camelCase keys imports the same rows: nothing new
    const json = JSON.stringify([{ code: 'H30', name: 'Tỉnh Hải Dương', level: 'province' }]);
    expect((await importer.importAgencies(json, 'json', actor)).written).toBe(0);
  });
});

describe('CLI (SQLite, separate store connection)', () => {
  it('token and import: idempotent, progress and line numbers; the API sees the import', async () => {
    const t = await startTestApp({ store: 'sqlite' });
    const saved = { ...process.env };
    const out: string[] = [];
    const err: string[] = [];
    const so = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    const se = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    try {
      Object.assign(process.env, { DATA_DIR: t.dataDir, AUTH_JWT_SECRET: t.config.auth.jwtSecret, EVENT_STORE: 'sqlite', LOG_LEVEL: 'silent' });
      const file = join(t.dataDir, 'agencies.csv');
      writeFileSync(file, AGENCIES_CSV);
      expect(await runCli(['import', 'agencies', file])).toBe(1); // bad lines -> exit 1
      expect(out.join('')).toContain('7 row(s), 5 written, 0 unchanged, 3 problem(s)');
      expect(err.join('')).toMatch(/line 7 \[parent_code\]: unknown agency 'NOPE'/);
      out.length = 0;
      expect(await runCli(['import', 'agencies', file])).toBe(1);
      expect(out.join('')).toContain('0 written, 5 unchanged');
      expect(await runCli(['import', 'nothing', file])).toBe(2);
      out.length = 0;
      expect(await runCli(['token', '--role', 'monitor', '--agency', 'H30', '--ttl', '1h'])).toBe(0);
      const tok = out.join('').trim();
      await t.app.get(ReferenceDataService).refresh();
      const r = await t.request('GET', '/api/agencies/H30/subtree', { token: tok });
      expect(r.status).toBe(200);
      expect(r.body.items.map((a: { code: string }) => a.code)).toEqual(expect.arrayContaining(['H30', 'H30.01', 'H30.C1']));
    } finally {
      so.mockRestore();
      se.mockRestore();
      process.env = saved;
      await t.close();
    }
  });
});
