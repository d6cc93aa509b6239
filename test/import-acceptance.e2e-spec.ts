/**
 * The province-scale acceptance at test size: a generated province (~3 000 dossiers over June-July 2025, across
 * the 1 July 2025 reform that merges communes and drops the districts) imported into a real SQLite
 * store the way the CLI does it (agencies and procedures through the reference-data importer, dossiers
 * with the procedure rules read back from the store), the SLA projection rebuilt, and the read models'
 * figures compared with those computed from the CSV files alone (`expectedFiguresFromCsv`): per agency
 * level, per agency, per channel x timeliness, and in total, all exactly. The same level figures are then
 * read over HTTP. The full-size run (a province-year) is scripts/acceptance-province-year.sh.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedFiguresFromCsv, importDossiers, writeProvinceFiles, type ExpectedFigures, type WriteProvinceResult } from '@motcua/province-data';
import { createReadModelDb, rebuildSla, SlaQueryService, type SqlDb } from '@motcua/read-models';
import { ReferenceImporter } from '@motcua/application';
import { ReferenceDataService } from '@motcua/application';
import { checkSlaAgainstCsv } from '../apps/cli/src/projections/csv-check';
import { lookupsFromReferenceData } from '../apps/cli/src/province-data/reference-lookups';
import { startTestApp, type TestApp } from './support/app';

jest.setTimeout(120_000);

const FROM = '2025-06-02';
const TO = '2025-07-31'; // inclusive; the generator's `to` (2025-08-01) is exclusive

describe('province-scale acceptance (small province): import -> rebuild -> read-model figures = CSV figures (SQLite)', () => {
  let dir: string;
  let t: TestApp;
  let db: SqlDb;
  let files: WriteProvinceResult;
  let expected: ExpectedFigures;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-acceptance-'));
    process.env.READ_MODELS_ENGINE = 'sqlite';
    process.env.READ_MODELS_SQLITE_FILE = join(dir, 'read-models.sqlite');
    files = await writeProvinceFiles(join(dir, 'province'), { seed: 'acceptance', from: FROM, to: '2025-08-01', dossiers: 3000 });
    mkdirSync(join(dir, 'data'));
    t = await startTestApp({ store: 'sqlite', dataDir: join(dir, 'data') });
    db = createReadModelDb({ engine: 'sqlite', sqliteFile: process.env.READ_MODELS_SQLITE_FILE });
  });
  afterAll(async () => {
    await db?.close();
    await t?.close();
    process.env = savedEnv;
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the province, rebuilds the projection, and every figure equals the CSV helper', async () => {
    const importer = t.app.get(ReferenceImporter);
    const actor = { sub: 'acceptance', role: 'admin' as const };
    const agencies = await importer.importAgencies(readFileSync(files.agenciesFile, 'utf8'), 'csv', actor);
    expect(agencies.errors).toEqual([]);
    const procedures = await importer.importProcedures(readFileSync(files.proceduresFile, 'utf8'), 'csv', actor);
    expect(procedures.errors).toEqual([]);
    const reference = t.app.get(ReferenceDataService);
    await reference.refresh();
    const summary = await importDossiers({ store: t.store, file: files.dossiersFile, lookups: lookupsFromReferenceData(reference.ready()) });
    expect(summary).toMatchObject({ read: files.dossiers, imported: files.dossiers, rejected: 0 });

    const rebuilt = await rebuildSla({ store: t.store, db });
    expect(rebuilt.position).toBe(await t.store.headPosition());

    expected = await expectedFiguresFromCsv(files);
    expect(expected.total.received).toBe(files.dossiers);
    // The set exercises every figure compared: all levels before and after the reform, every channel,
    // each timeliness including the "more than one supplementation" rule, withdrawals, open dossiers.
    for (const level of ['province', 'department', 'district', 'commune'] as const) expect(expected.byAgencyLevel[level].received).toBeGreaterThan(0);
    for (const k of ['counter', 'online', 'postal', 'early', 'onTime', 'late', 'withdrawn', 'open', 'lateBySupplementRule'] as const)
      expect([k, expected.total[k]]).not.toEqual([k, 0]);

    const check = await checkSlaAgainstCsv({ q: new SlaQueryService({ db, store: t.store }), db, expected, from: FROM, to: TO });
    expect(check.diffs).toEqual([]);
    expect(check.compared).toBeGreaterThan(1000);
    expect(check.watermark.behind).toBe(0);
  });

  it('GET /api/sla?by=level serves the same figures over HTTP', async () => {
    const admin = await t.token('admin', undefined, { sub: 'acceptance-admin' });
    const r = await t.request('GET', `/api/sla?from=${FROM}&to=${TO}&by=level`, { token: admin });
    expect(r.status).toBe(200);
    for (const row of r.body.rows) {
      const f = expected.byAgencyLevel[row.level as keyof ExpectedFigures['byAgencyLevel']];
      expect({
        level: row.level,
        received: row.received,
        ...row.receivedByChannel,
        completed: row.completed,
        early: row.early,
        onTime: row.onTime,
        late: row.late,
        withdrawn: row.withdrawn,
        open: row.openWithinDeadline + row.openOverdue + row.paused,
      }).toEqual({
        level: row.level,
        received: f.received,
        counter: f.counter,
        online: f.online,
        postal: f.postal,
        completed: f.completed,
        early: f.early,
        onTime: f.onTime,
        late: f.late,
        withdrawn: f.withdrawn,
        open: f.open,
      });
    }
    expect(r.body.rows.reduce((n: number, row: any) => n + row.received, 0)).toBe(files.dossiers);
  });
});
