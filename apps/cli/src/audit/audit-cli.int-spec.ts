/**
 * The audit commands in process, on real SQLite files configured through the environment exactly as
 * `npm run cli -- audit ...` reads it.
 */
jest.setTimeout(60_000);

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { createSqliteEventStore, type EventStore } from '@motcua/event-store';
import { createSqliteDb, ProjectionRunner } from '@motcua/read-models';
import { readAccessLog } from '@motcua/audit';
import { SCENARIO_AGENCIES as AG, writeScenario } from '@motcua/testing';
import { AuditUsageError, runAudit, type AuditIo } from './audit-cli';

describe('npm run cli -- audit (SQLite)', () => {
  const dir = join(__dirname, '../../../../.tmp/audit-cli', randomBytes(4).toString('hex'));
  const saved = { ...process.env };
  let out = '';
  const io: AuditIo = { out: (s) => void (out += s), err: () => undefined, tty: false, now: () => new Date('2025-08-01T02:00:00Z') };
  let store: EventStore;
  const code = `${AG.A}-250623-0001`;

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    Object.assign(process.env, { DATA_DIR: dir, EVENT_STORE: 'sqlite', AUTH_JWT_SECRET: 'x'.repeat(40), READ_MODELS_ENGINE: 'sqlite' });
    delete process.env.EVENT_STORE_URL;
    delete process.env.READ_MODELS_SQLITE_FILE;
    store = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
    await writeScenario(store);
    const db = createSqliteDb({ file: join(dir, 'read-models.sqlite') });
    const runner = new ProjectionRunner({ store, db, maxDelayMs: 5 });
    await runner.start();
    await runner.waitFor();
    await runner.stop();
    await db.close();
  });
  afterAll(async () => {
    await store.close();
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => (out = ''));

  it('verify: the whole store, then one stream', async () => {
    expect(await runAudit(['verify'], {}, io)).toBe(0);
    expect(out).toMatch(/^OK: \d+ events in \d+ stream\(s\)/);
    expect(await runAudit(['verify'], { stream: `dossier-${code}` }, io)).toBe(0);
  });

  it('history to XLSX, as-of, replay, sla with --known-at', async () => {
    const file = join(dir, 'history.xlsx');
    expect(await runAudit(['history', code], { xlsx: file }, io)).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets[0].getRow(2).getCell(2).value).toBe('dossier.received.v1');

    expect(await runAudit(['as-of', code], { at: '2025-06-24T00:00:00Z' }, io)).toBe(0);
    expect(JSON.parse(out).state.status).toBe('received'); // received 23/06 09:00, completed 24/06 10:00 local

    out = '';
    expect(await runAudit(['replay'], {}, io)).toBe(0);
    expect(out).toMatch(/^OK: replayed \d+ events/);

    out = '';
    expect(await runAudit(['sla'], { from: '2025-06-01', to: '2025-06-30', 'known-at': '2100-01-01T00:00:00Z' }, io)).toBe(0);
    const report = JSON.parse(out);
    expect(report.differences).toEqual([]);
    expect(report.asKnownAt).toEqual(report.today);

    // Every command left its trace in the access log of the (pinned) day.
    const log = await readAccessLog(store, '2025-08-01');
    expect(log.map((l) => [l.action, l.dossierCode ?? null])).toEqual([
      ['verify', null],
      ['verify', null],
      ['export', code],
      ['state', code],
      ['replay', null],
      ['sla', null],
    ]);
    expect(log[0].actor).toMatch(/^cli:/);
  });

  it('seal to a file, then verify against it; a file that is not a seal is a usage error', async () => {
    const file = join(dir, 'seal.json');
    expect(await runAudit(['seal'], { out: file }, io)).toBe(0);
    const seal = JSON.parse(readFileSync(file, 'utf8'));
    expect(seal).toMatchObject({ format: 'motcua.seal.v1', sealedAt: '2025-08-01T02:00:00.000Z', position: await store.headPosition() });
    out = '';
    expect(await runAudit(['verify'], { seal: file }, io)).toBe(0);
    expect(out).toMatch(
      new RegExp(
        `^OK: the log up to position ${seal.position} is what was sealed at 2025-08-01T02:00:00.000Z \\(${seal.events} events in ${seal.streams} stream\\(s\\)`,
      ),
    );

    // A seal of another log (here: one event fewer) does not check out.
    writeFileSync(file, JSON.stringify({ ...seal, events: seal.events - 1 }));
    out = '';
    expect(await runAudit(['verify'], { seal: file }, io)).toBe(1);
    expect(out).toMatch(/^ALTERED: /);
    expect(out).toContain(`${seal.events} events up to position ${seal.position}, ${seal.events - 1} when sealed`);

    writeFileSync(file, JSON.stringify({ ...seal, digest: 'not hex' }));
    await expect(runAudit(['verify'], { seal: file }, io)).rejects.toThrow(AuditUsageError);
    await expect(runAudit(['verify'], { seal: join(dir, 'missing.json') }, io)).rejects.toThrow(/missing\.json/);
  });
});
