/**
 * Auditors' tools on real stores (SQLite files, PostgreSQL schemas): history and time travel against
 * a hand-worked dossier, tamper detection after a raw SQL edit, seals catching what the chains
 * cannot (a stream's last events deleted or rewritten), audit replay against a corrupted
 * read-model row, "as known at" reports that ignore events recorded later, XLSX/CSV read back.
 */
jest.setTimeout(60_000);

import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { ProjectionRunner, SlaQueryService, activeSet } from '@motcua/read-models';
import { DossierWriter, SCENARIO_AGENCIES as AG, procedureTable, vnOffset, vnUtc, writeScenario } from '@motcua/testing';
import { makeAuditEnv, type AuditEnv, type Engine } from './testing/env';
import { readDossierHistory } from './history';
import { dossierStateAt } from './time-travel';
import { verifyStore, verifyStream } from './verify';
import { auditReplay } from './replay';
import { slaReport } from './sla-report';
import { historySheet, slaSheets, toCsv, toXlsx } from './export';
import { readAccessLog, recordAccess } from './access-log';
import { BrokenChainsError, checkSeal, parseSeal, sealStore } from './seal';
import { canonicalJson, comparePositions, eventHash } from '@motcua/event-store';

const PROC = procedureTable({ code: '1.000001', version: 'p1' });
const CODE = 'H30.A-250623-0009';

/**
 * The hand-worked dossier (3 working days, hours 07:00-11:30 / 13:30-17:00, no holiday that week):
 *  r0 received Mon 23/06 09:00               -> due Thu 26/06 09:00
 *  r1 supplement requested Tue 24/06 09:00   -> clock paused, 16 working hours left
 *  r2 supplied Wed 25/06 09:00               -> paused 8 working hours: due Fri 27/06 09:00
 *  r3 apology Fri 27/06 08:00, promised Tue 01/07 17:00 -> due unchanged
 *  r4 completed Mon 30/06 10:00              -> late against Fri 27/06
 * Each event is recorded a minute after it occurred, except the completion, keyed in on Sat 05/07.
 */
async function writeHandWorked(env: AuditEnv): Promise<void> {
  const w = new DossierWriter(env.store, { procedures: PROC });
  const at = async (_occurred: string, recorded: string, cmd: Parameters<DossierWriter['do']>[1]) => {
    env.setNow(vnUtc(recorded));
    await w.do(CODE, cmd);
  };
  await at('2025-06-23 09:00', '2025-06-23 09:01', {
    type: 'receive',
    dossierCode: CODE,
    agencyCode: AG.A,
    procedureCode: '1.000001',
    channel: 'counter',
    occurredAt: vnOffset('2025-06-23 09:00'),
  });
  await at('2025-06-24 09:00', '2025-06-24 09:01', { type: 'request_supplement', occurredAt: vnOffset('2025-06-24 09:00'), reason: 'missing paper' });
  await at('2025-06-25 09:00', '2025-06-25 09:01', { type: 'supply_supplement', occurredAt: vnOffset('2025-06-25 09:00') });
  await at('2025-06-27 08:00', '2025-06-27 08:01', {
    type: 'issue_apology',
    occurredAt: vnOffset('2025-06-27 08:00'),
    newPromisedAt: vnOffset('2025-07-01 17:00'),
    reason: 'appraisal',
  });
  await at('2025-06-30 10:00', '2025-07-05 10:00', { type: 'complete', occurredAt: vnOffset('2025-06-30 10:00'), outcome: 'approved', electronicResult: true });
}

describe.each<Engine>(['sqlite', 'postgres'])('audit (%s)', (engine) => {
  describe('history and time travel of a hand-worked dossier', () => {
    let env: AuditEnv;
    beforeAll(async () => {
      env = await makeAuditEnv(engine, 'hist');
      await writeHandWorked(env);
    });
    afterAll(() => env.cleanup());

    it('lists every event with status code, both instants, actor and the due-date effect', async () => {
      const h = await readDossierHistory(env.store, CODE);
      expect(h.entries.map((e) => [e.revision, e.type, e.statusCode, e.effect.kind])).toEqual([
        [0, 'dossier.received.v1', 2, 'due_set'],
        [1, 'dossier.supplement-requested.v1', 5, 'clock_paused'],
        [2, 'dossier.supplement-supplied.v1', 4, 'due_moved'],
        [3, 'dossier.apology-issued.v1', 4, 'promise_changed'],
        [4, 'dossier.completed.v1', 9, 'clock_stopped'],
      ]);
      const [r0, r1, r2, r3, r4] = h.entries;
      expect(r0.effect.dueAfter).toBe(vnUtc('2025-06-26 09:00'));
      expect(r0.effect.en).toContain('due date set to 2025-06-26 09:00 (3 working days)');
      expect(r0.statusLabel.vi).toBe('Được tiếp nhận');
      expect(r0.actor).toBe('test-clerk');
      expect(r0.agencyCode).toBe(AG.A);
      expect(r1.effect.en).toContain('16 working hours left');
      expect(r2.effect).toMatchObject({ dueBefore: vnUtc('2025-06-26 09:00'), dueAfter: vnUtc('2025-06-27 09:00'), movedWorkingHours: 8 });
      expect(r2.effect.en).toBe('Due date moved from 2025-06-26 09:00 to 2025-06-27 09:00 by 8 working hours (paused time)');
      expect(r2.effect.vi).toBe('Hạn xử lý lùi từ 2025-06-26 09:00 đến 2025-06-27 09:00 (8 giờ làm việc tạm dừng)');
      expect(r3.effect).toMatchObject({ dueBefore: vnUtc('2025-06-27 09:00'), dueAfter: vnUtc('2025-06-27 09:00'), promisedAt: vnUtc('2025-07-01 17:00') });
      expect(r4.effect.timeliness).toBe('late');
      expect(r4.effect.vi).toContain('Trễ hạn');
      expect(r4.occurredAt).toBe(vnUtc('2025-06-30 10:00'));
      expect(r4.recordedAt).toBe(vnUtc('2025-07-05 10:00'));
    });

    it('state as of an occurred-at instant follows the hand-worked history', async () => {
      const s1 = await dossierStateAt(env.store, CODE, { asOf: vnOffset('2025-06-24 12:00') });
      expect([s1.state.status, s1.state.nationalStatusCode, s1.state.dueAt, s1.timeliness]).toEqual([
        'awaiting_supplement',
        5,
        vnUtc('2025-06-26 09:00'),
        'paused',
      ]);
      const s2 = await dossierStateAt(env.store, CODE, { asOf: vnOffset('2025-06-26 12:00') });
      expect([s2.state.status, s2.state.dueAt, s2.state.pausedWorkingMs, s2.timeliness]).toEqual([
        'in_processing',
        vnUtc('2025-06-27 09:00'),
        8 * 3_600_000,
        'within_deadline',
      ]);
      const s3 = await dossierStateAt(env.store, CODE, { asOf: vnOffset('2025-06-28 12:00') });
      expect([s3.state.status, s3.state.promisedAt, s3.state.dueAt, s3.timeliness]).toEqual([
        'in_processing',
        vnUtc('2025-07-01 17:00'),
        vnUtc('2025-06-27 09:00'),
        'overdue',
      ]);
      const s4 = await dossierStateAt(env.store, CODE, { asOf: vnOffset('2025-07-01 00:00') });
      expect([s4.state.status, s4.state.nationalStatusCode, s4.timeliness, s4.revisions]).toEqual(['completed', 9, 'late', [0, 1, 2, 3, 4]]);
    });

    it('"as known at" uses recorded-at: the late-keyed completion is unknown before it was keyed in', async () => {
      const known = await dossierStateAt(env.store, CODE, { knownAt: vnUtc('2025-07-01 00:00') });
      expect([known.state.status, known.revisions, known.excluded, known.timeliness]).toEqual(['in_processing', [0, 1, 2, 3], 0, 'overdue']);
      const both = await dossierStateAt(env.store, CODE, { asOf: vnOffset('2025-06-30 12:00'), knownAt: vnUtc('2025-07-05 12:00') });
      expect(both.state.status).toBe('completed');
      const rev = await dossierStateAt(env.store, CODE, { revision: 1 });
      expect([rev.state.status, rev.revisions]).toEqual(['awaiting_supplement', [0, 1]]);
    });

    it('exports the history to XLSX and CSV that read back', async () => {
      const h = await readDossierHistory(env.store, CODE);
      const xlsx = await toXlsx([historySheet(h)]);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
      const ws = wb.worksheets[0];
      expect(ws.name).toBe('Lịch sử hồ sơ');
      expect(ws.rowCount).toBe(6);
      expect(ws.getCell('A1').value).toBe('STT / Revision');
      expect(ws.getCell('E1').value).toBe('Mã trạng thái / Status code');
      expect(ws.getRow(2).getCell(2).value).toBe('dossier.received.v1');
      expect(ws.getRow(4).getCell(5).value).toBe(4); // a number, not text
      expect(ws.getRow(4).getCell(6).value).toBe('Đang xử lý');
      expect(ws.getRow(4).getCell(17).value).toBe('Hạn xử lý lùi từ 2025-06-26 09:00 đến 2025-06-27 09:00 (8 giờ làm việc tạm dừng)');
      expect(ws.getRow(6).getCell(9).value).toBe('2025-07-05 10:00');
      const csv = toCsv(historySheet(h));
      expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = parse(csv.subarray(3).toString('utf8'), { columns: true }) as Record<string, string>[];
      expect(rows).toHaveLength(5);
      expect(rows[2]['Ảnh hưởng đến hạn / Due-date effect']).toBe('due_moved');
      expect(rows[4]['Trạng thái / Status (vi)']).toBe('Đã xử lý xong');
    });

    it('records who looked at which dossier, in a daily hash-chained stream', async () => {
      const at = new Date('2025-07-10T03:00:00Z');
      await recordAccess(env.store, { actor: 'inspector-1', role: 'auditor', action: 'history', dossierCode: CODE, details: { format: 'xlsx' } }, at);
      const log = await readAccessLog(env.store, '2025-07-10');
      expect(log).toEqual([{ at: at.toISOString(), actor: 'inspector-1', role: 'auditor', action: 'history', dossierCode: CODE, details: { format: 'xlsx' } }]);
      expect((await verifyStream(env.store, 'audit-log-2025-07-10')).ok).toBe(true);
    });
  });

  describe('verification', () => {
    let env: AuditEnv;
    beforeAll(async () => {
      env = await makeAuditEnv(engine, 'verify');
      await writeScenario(env.store);
      await writeHandWorked(env);
    });
    afterAll(() => env.cleanup());

    it('a clean store verifies, stream by stream and as a whole', async () => {
      const progress: number[] = [];
      const all = await verifyStore(env.store, { batchSize: 10, onProgress: (p) => progress.push(p.events) });
      expect(all).toMatchObject({ ok: true, broken: [] });
      expect(all.events).toBeGreaterThan(50);
      expect(progress.length).toBeGreaterThan(3);
      expect((await verifyStream(env.store, `dossier-${CODE}`)).ok).toBe(true);
    });

    it('an event edited by hand in the database is reported with its dossier and revision', async () => {
      if (engine === 'sqlite') {
        // The append-only triggers stop mistakes, not someone with the file: remove them as an intruder would.
        await env.rawEventsSql(() => 'DROP TRIGGER events_no_update');
        await env.rawEventsSql(
          (t) => `UPDATE ${t} SET data = json_set(data, '$.occurredAt', ?) WHERE stream_id = ? AND revision = 2`,
          ['2025-06-24T03:00:00.000Z', `dossier-${CODE}`],
        );
      } else {
        await env.rawEventsSql(
          (t) => `UPDATE ${t} SET data = jsonb_set(data::jsonb, '{occurredAt}', to_jsonb($1::text))::json WHERE stream_id = $2 AND revision = 2`,
          ['2025-06-24T03:00:00.000Z', `dossier-${CODE}`],
        );
      }
      const one = await verifyStream(env.store, `dossier-${CODE}`);
      expect(one.ok).toBe(false);
      expect(one.broken[0]).toMatchObject({
        streamId: `dossier-${CODE}`,
        dossierCode: CODE,
        revision: 2,
        reason: 'stored hash does not match the event content',
      });
      const all = await verifyStore(env.store, { batchSize: 7 });
      expect(all.ok).toBe(false);
      expect(all.broken).toHaveLength(1);
      expect(all.broken[0]).toMatchObject({ dossierCode: CODE, revision: 2 });
    });
  });

  describe('seals', () => {
    let env: AuditEnv;
    const stream = `dossier-${CODE}`;
    beforeAll(async () => {
      env = await makeAuditEnv(engine, 'seal');
      await writeScenario(env.store);
      await writeHandWorked(env);
      // On PostgreSQL the newest events are visible to the log's readers once no older transaction
      // is in flight on the server (another suite's may be): seal only once the last one is.
      const [last] = await env.store.readStream(stream, { direction: 'backwards', maxCount: 1 });
      while (comparePositions((await env.store.headPosition()) ?? '0', last.position) < 0) await new Promise((r) => setTimeout(r, 10));
    });
    afterAll(() => env.cleanup());

    it('a seal of the log checks out, and still does after later appends', async () => {
      const seal = await sealStore(env.store, new Date('2025-07-31T10:00:00Z'));
      const all = await env.store.readAll({ maxCount: 10_000 });
      expect(seal).toMatchObject({ format: 'motcua.seal.v1', position: all[all.length - 1].position, sealedAt: '2025-07-31T10:00:00.000Z' });
      expect(seal.events).toBe(all.length);
      expect(seal.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(parseSeal(JSON.stringify(seal))).toEqual(seal);
      // The same log seals to the same digest.
      expect((await sealStore(env.store, new Date('2025-08-01T00:00:00Z'))).digest).toBe(seal.digest);
      await recordAccess(env.store, { actor: 'inspector-7', role: 'auditor', action: 'seal' }, new Date('2025-07-31T10:05:00Z'));
      const check = await checkSeal(env.store, seal);
      expect(check).toMatchObject({ ok: true, differences: [], broken: [] });
      expect(check.found).toEqual({ events: seal.events, streams: seal.streams, digest: seal.digest });
    });

    it("a stream's last event deleted, then the new last one rewritten with its hash recomputed: the chains verify, the seal does not", async () => {
      const seal = await sealStore(env.store, new Date('2025-07-31T11:00:00Z'));
      const [last] = await env.store.readStream(stream, { direction: 'backwards', maxCount: 1 });
      expect(last.type).toBe('dossier.completed.v1');
      // As an intruder with database access would (the SQLite triggers stop mistakes, not them).
      if (engine === 'sqlite') await env.rawEventsSql(() => 'DROP TRIGGER events_no_delete');
      await env.rawEventsSql((t) => `DELETE FROM ${t} WHERE stream_id = ${engine === 'sqlite' ? '?' : '$1'} AND revision = ${last.revision}`, [stream]);
      expect(await verifyStore(env.store)).toMatchObject({ ok: true, broken: [] }); // what the chains cannot see
      const deleted = await checkSeal(env.store, seal);
      expect(deleted.ok).toBe(false);
      expect(deleted.found.events).toBe(seal.events - 1);
      expect(deleted.differences).toEqual([
        `${seal.events - 1} events up to position ${seal.position}, ${seal.events} when sealed`,
        'the digest of the stream heads differs: an event at or before the position was added, removed or rewritten',
      ]);

      // Now the apology (the new last event) reworded, its hash recomputed: same count, other digest.
      const [apology] = await env.store.readStream(stream, { direction: 'backwards', maxCount: 1 });
      const data = { ...apology.data, reason: 'rewritten' };
      const hash = eventHash({ ...apology, data });
      if (engine === 'sqlite') {
        await env.rawEventsSql(() => 'DROP TRIGGER events_no_update');
        await env.rawEventsSql(
          (t) => `UPDATE ${t} SET data = ?, hash = ? WHERE stream_id = ? AND revision = ?`,
          [canonicalJson(data), hash, stream, apology.revision],
        );
      } else {
        await env.rawEventsSql(
          (t) => `UPDATE ${t} SET data = $1::json, hash = $2 WHERE stream_id = $3 AND revision = $4`,
          [canonicalJson(data), hash, stream, apology.revision],
        );
      }
      expect(await verifyStore(env.store)).toMatchObject({ ok: true, broken: [] });
      // Against a seal of the log as it was after the deletion.
      const rewritten = await checkSeal(env.store, { ...seal, ...deleted.found });
      expect(rewritten.ok).toBe(false);
      expect(rewritten.found.events).toBe(deleted.found.events);
      expect(rewritten.differences).toEqual(['the digest of the stream heads differs: an event at or before the position was added, removed or rewritten']);
    });

    it('a log whose chains are already broken is not sealed', async () => {
      if (engine === 'sqlite') await env.rawEventsSql(() => 'DROP TRIGGER IF EXISTS events_no_update');
      await env.rawEventsSql(
        (t) =>
          `UPDATE ${t} SET data = ${engine === 'sqlite' ? "json_set(data, '$.occurredAt', ?)" : "jsonb_set(data::jsonb, '{occurredAt}', to_jsonb($1::text))::json"} WHERE stream_id = ${engine === 'sqlite' ? '?' : '$2'} AND revision = 0`,
        ['2025-06-23T01:00:00.000Z', stream],
      );
      const err = await sealStore(env.store, new Date('2025-07-31T13:00:00Z')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BrokenChainsError);
      expect((err as BrokenChainsError).broken).toEqual([expect.objectContaining({ streamId: stream, revision: 0 })]);
    });
  });

  describe('audit replay and bitemporal SLA', () => {
    let env: AuditEnv;
    let published: Awaited<ReturnType<SlaQueryService['sla']>>['rows'];
    const PUBLISHED_AT = vnUtc('2025-07-01 08:00');
    const JUNE = { from: '2025-06-01', to: '2025-06-30' };

    beforeAll(async () => {
      env = await makeAuditEnv(engine, 'replay');
      env.setNow(vnUtc('2025-06-30 18:00'));
      await writeScenario(env.store); // everything recorded by the end of June
      // The June report is published on 1 July at 08:00 from the live read model.
      const runner = new ProjectionRunner({ store: env.store, db: env.live, maxDelayMs: 5 });
      await runner.start();
      await runner.waitFor();
      published = (await new SlaQueryService({ db: env.live }).sla({ ...JUNE, by: 'agency' })).rows;
      // Afterwards: a paper dossier of Fri 20 June (due Wed 25 June) keyed in on 3 July, completed late on 30 June.
      const w = new DossierWriter(env.store, { procedures: PROC });
      const late = 'H30.B-250620-0001';
      env.setNow(vnUtc('2025-07-03 10:00'));
      await w.do(late, {
        type: 'receive',
        dossierCode: late,
        agencyCode: AG.B,
        procedureCode: '1.000001',
        channel: 'counter',
        occurredAt: vnOffset('2025-06-20 09:00'),
      });
      await w.do(late, { type: 'complete', occurredAt: vnOffset('2025-06-30 15:00'), outcome: 'approved', electronicResult: false });
      await runner.waitFor();
      await runner.stop();
    });
    afterAll(() => env.cleanup());

    it('finds nothing on a clean store', async () => {
      const scratch = await env.scratch('clean');
      try {
        const progress: number[] = [];
        const r = await auditReplay({ store: env.store, live: env.live, scratch: scratch.db, onProgress: (p) => progress.push(p.events) });
        expect(r.disagreements).toEqual([]);
        expect(r.ok).toBe(true);
        // Every event up to the live checkpoint. (Not necessarily every event of the store: on
        // PostgreSQL the runner's `waitFor()` takes the head its query can see, and an event whose
        // transaction ids sort after another transaction still in flight anywhere on the server, such
        // as another suite's, is not visible yet; it is projected later, not skipped.)
        const all = await env.store.readAll({ maxCount: 10_000 });
        expect(r.replayedEvents).toBe(all.filter((e) => comparePositions(e.position, r.livePosition) <= 0).length);
        expect(r.tables.find((t) => t.table === 'dossiers')).toMatchObject({ liveRows: 15, replayRows: 15, disagreements: 0 }); // 8 + 6 scenario dossiers + the late-keyed one;
        expect(progress.length).toBeGreaterThan(0);
      } finally {
        await scratch.dispose();
      }
    });

    it('finds a deliberately corrupted read-model row (and a deleted one)', async () => {
      const set = (await activeSet(env.live))!.tableSet;
      const daily = env.live.table(`${set}_daily`);
      expect(
        await env.live.run(`UPDATE ${daily} SET late = late + 1 WHERE day = ? AND agency_code = ? AND procedure_code = ?`, ['2025-06-30', AG.A, '1.000001']),
      ).toBe(1);
      expect(await env.live.run(`DELETE FROM ${env.live.table(`${set}_dossiers`)} WHERE code = ?`, [`${AG.B}-250624-0003`])).toBe(1);
      const scratch = await env.scratch('corrupt');
      try {
        const r = await auditReplay({ store: env.store, live: env.live, scratch: scratch.db });
        expect(r.ok).toBe(false);
        expect(r.disagreementCount).toBe(2);
        expect(r.disagreements).toEqual(
          expect.arrayContaining([
            {
              table: 'daily',
              key: { day: '2025-06-30', agency_code: AG.A, procedure_code: '1.000001' },
              kind: 'different',
              columns: [{ column: 'late', live: 2, replay: 1 }],
            },
            { table: 'dossiers', key: { code: `${AG.B}-250624-0003` }, kind: 'missing_in_live' },
          ]),
        );
      } finally {
        await scratch.dispose();
      }
    });

    it('"as known at" reproduces the published report exactly and shows what late keying changed', async () => {
      const r = await slaReport({ store: env.store, scratch: env.scratch, query: { ...JUNE, by: 'agency', knownAt: PUBLISHED_AT } });
      expect(r.asKnownAt).toEqual(published);
      const b = (rows: typeof published) => rows.find((x) => x.key === AG.B)!;
      expect(b(r.today).received).toBe(b(published).received + 1);
      expect(b(r.today).late).toBe(b(published).late + 1);
      expect(r.differences).toEqual(
        expect.arrayContaining([
          { key: AG.B, figure: 'received', knownAt: 3, today: 4 },
          { key: AG.B, figure: 'late', knownAt: 1, today: 2 },
        ]),
      );
      expect(r.events.knownAt).toBeLessThan(r.events.today);
      // The spreadsheet carries all three sheets.
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((await toXlsx(slaSheets(r))) as unknown as ArrayBuffer);
      expect(wb.worksheets.map((w) => w.name)).toEqual(['Theo thời điểm báo cáo', 'Hiện nay', 'Chênh lệch']);
      const known = wb.getWorksheet('Theo thời điểm báo cáo')!;
      const header = (known.getRow(1).values as unknown[]).slice(1);
      const lateCol = header.indexOf('Trễ hạn / Late') + 1;
      const rowB = known.getColumn(1).values.findIndex((v) => v === AG.B);
      expect(known.getRow(rowB).getCell(lateCol).value).toBe(1);
    });
  });
});
