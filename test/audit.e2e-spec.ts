/**
 * Auditor routes over real HTTP on the real app (SQLite store and read models in a temp DATA_DIR):
 * role checks, history (JSON and XLSX), time travel, verification, seals, audit replay, bitemporal SLA as
 * CSV, and the access records those reads leave behind.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { readAccessLog, vnDate } from '@motcua/audit';
import { createSqliteDb, ProjectionRunner } from '@motcua/read-models';
import { SCENARIO_AGENCIES as AG, writeScenario } from '@motcua/testing';
import { startTestApp, type TestApp } from './support/app';

describe('audit routes (sqlite)', () => {
  let t: TestApp;
  let auditor: string;
  const code = `${AG.B}-250624-0001`;
  const day0 = vnDate(Date.now());

  beforeAll(async () => {
    t = await startTestApp({ store: 'sqlite' });
    await writeScenario(t.store);
    const db = createSqliteDb({ file: join(t.dataDir, 'read-models.sqlite') });
    const runner = new ProjectionRunner({ store: t.store, db, maxDelayMs: 5 });
    await runner.start();
    await runner.waitFor();
    await runner.stop();
    await db.close();
    auditor = await t.token('auditor', undefined, { sub: 'inspector-7' });
  });
  afterAll(() => t.close());

  it('is for auditors and admins only', async () => {
    const clerk = await t.token('clerk', AG.B);
    expect((await t.request('GET', `/api/audit/dossiers/${code}/history`, { token: clerk })).status).toBe(403);
    expect((await t.request('GET', `/api/audit/dossiers/${code}/history`)).status).toBe(401);
    expect((await t.request('GET', `/api/audit/dossiers/${code}/history`, { token: await t.token('admin') })).status).toBe(200);
  });

  it('history as JSON and XLSX; state as of an instant; unknown dossier is 404', async () => {
    const h = await t.request('GET', `/api/audit/dossiers/${code}/history`, { token: auditor });
    expect(h.status).toBe(200);
    expect(h.body.entries.map((e: { effect: { kind: string } }) => e.effect.kind)).toEqual([
      'clock_not_started',
      'due_set',
      'clock_paused',
      'due_moved',
      'clock_stopped',
    ]);
    const res = await fetch(`${t.baseUrl}/api/audit/dossiers/${code}/history?format=xlsx`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.worksheets[0].getRow(5).getCell(16).value).toBe('due_moved');

    const s = await t.request('GET', `/api/audit/dossiers/${code}/state?at=${encodeURIComponent('2025-06-25T12:00:00+07:00')}`, { token: auditor });
    expect(s.status).toBe(200);
    expect([s.body.state.status, s.body.state.nationalStatusCode]).toEqual(['awaiting_supplement', 5]);
    const r = await t.request('GET', `/api/audit/dossiers/${code}/state?revision=1`, { token: auditor });
    expect(r.body.state.status).toBe('received');
    expect((await t.request('GET', `/api/audit/dossiers/${code}/state`, { token: auditor })).status).toBe(400);
    expect((await t.request('GET', `/api/audit/dossiers/H30.B-250101-9999/history`, { token: auditor })).status).toBe(404);
  });

  it('verify, replay and the bitemporal SLA report', async () => {
    const v = await t.request('GET', '/api/audit/verify', { token: auditor });
    expect(v.body).toMatchObject({ ok: true, broken: [] });
    const rp = await t.request('POST', '/api/audit/replay', { token: auditor });
    expect(rp.status).toBe(200);
    expect(rp.body).toMatchObject({ ok: true, disagreementCount: 0 });
    const q = `from=2025-06-01&to=2025-06-30&knownAt=${encodeURIComponent('2100-01-01T00:00:00Z')}`;
    const sla = await t.request('GET', `/api/audit/sla?${q}`, { token: auditor });
    expect(sla.status).toBe(200);
    expect(sla.body.differences).toEqual([]);
    const csv = await t.request('GET', `/api/audit/sla?${q}&format=csv`, { token: auditor });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const today = csv.text.split('# Hiện nay\n')[1].split('\n# ')[0];
    const rows = parse(today, { columns: true }) as Record<string, string>[];
    expect(rows.find((x) => x['Mã cơ quan / Agency code'] === AG.B)!['Tiếp nhận / Received']).toBe('3');
  });

  it('records every look: who, what, which dossier', async () => {
    const days = [...new Set([day0, vnDate(Date.now())])];
    const log = (await Promise.all(days.map((d) => readAccessLog(t.store, d)))).flat();
    const mine = log.filter((l) => l.actor === 'inspector-7');
    expect(mine.map((l) => [l.action, l.dossierCode ?? null])).toEqual([
      ['history', code],
      ['export', code],
      ['state', code],
      ['state', code],
      ['history', 'H30.B-250101-9999'],
      ['verify', null],
      ['replay', null],
      ['sla', null],
      ['export', null],
    ]);
    expect(mine[0].role).toBe('auditor');
  });

  it('seal: a seal of the log now, checked back; a seal with a bad field is 400, and clerks get 403', async () => {
    const clerk = await t.token('clerk', AG.B);
    expect((await t.request('GET', '/api/audit/seal', { token: clerk })).status).toBe(403);
    const seal = await t.request('GET', '/api/audit/seal', { token: auditor });
    expect(seal.status).toBe(200);
    expect(seal.body).toMatchObject({ format: 'motcua.seal.v1', digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(seal.body.events).toBeGreaterThan(20);

    const ok = await t.request('POST', '/api/audit/seal/check', { token: auditor, body: seal.body });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, differences: [], found: { events: seal.body.events, streams: seal.body.streams, digest: seal.body.digest } });

    const other = await t.request('POST', '/api/audit/seal/check', { token: auditor, body: { ...seal.body, digest: 'f'.repeat(64) } });
    expect(other.status).toBe(200);
    expect(other.body.ok).toBe(false);
    expect(other.body.differences).toEqual(['the digest of the stream heads differs: an event at or before the position was added, removed or rewritten']);

    for (const bad of [
      { ...seal.body, digest: 'xyz' },
      { ...seal.body, position: '-1' },
      { ...seal.body, format: 'other' },
      { ...seal.body, events: 1.5 },
    ]) {
      const r = await t.request('POST', '/api/audit/seal/check', { token: auditor, body: bad });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  // Last: it breaks the store's chains for good.
  it('a seal of a log whose chains are broken is refused: 409 BROKEN_HASH_CHAINS naming the stream', async () => {
    const db = new Database(join(t.dataDir, 'events.sqlite'));
    try {
      db.exec('DROP TRIGGER events_no_update');
      db.prepare(`UPDATE events SET data = json_set(data, '$.occurredAt', '2025-06-24T01:00:00.000Z') WHERE stream_id = ? AND revision = 0`).run(
        `dossier-${code}`,
      );
    } finally {
      db.close();
    }
    const r = await t.request('GET', '/api/audit/seal', { token: auditor });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'BROKEN_HASH_CHAINS', broken: [expect.objectContaining({ streamId: `dossier-${code}`, revision: 0 })] });
  });
});
