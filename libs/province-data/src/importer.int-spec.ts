import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkingCalendar } from '@motcua/calendar';
import { classify, dossierStreamId, fold, type DossierEvent } from '@motcua/domain';
import { createSqliteEventStore, type EventStore, type RecordedEvent } from '@motcua/event-store';
import { DOSSIER_COLUMNS, reportLevelOf } from './csv-format';
import { ImportFileError, importDossiers } from './importer';
import { loadReferenceCsv, type ReferenceLookups } from './reference';
import { expectedFiguresFromCsv } from './expected-figures';
import { writeProvinceFiles, type WriteProvinceResult } from './write-files';

jest.setTimeout(60_000);

async function readAll(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const batch = await store.readAll({ ...(after ? { after } : {}), maxCount: 5000 });
    if (batch.length === 0) return all;
    all.push(...batch);
    after = batch[batch.length - 1].position;
  }
}

describe('importDossiers on a real SQLite file', () => {
  let dir: string;
  let files: WriteProvinceResult;
  let lookups: ReferenceLookups;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'province-data-'));
    // Crosses the 1 July 2025 reform.
    files = await writeProvinceFiles(join(dir, 'province'), { seed: 'int', from: '2025-06-02', to: '2025-08-01', dossiers: 1500 });
    lookups = await loadReferenceCsv(files);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a generated province; a re-import writes nothing; figures from the CSV equal the domain classification of the stored streams', async () => {
    const store = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
    try {
      const progress: number[] = [];
      const first = await importDossiers({ store, file: files.dossiersFile, lookups, batchSize: 100, onProgress: (p) => progress.push(p.read) });
      expect(first.rejected).toBe(0);
      expect(first.errors).toEqual([]);
      expect(first.read).toBe(files.dossiers);
      expect(first.imported).toBe(files.dossiers);
      expect(first.alreadyImported).toBe(0);
      expect(first.dueAtOverridden).toBe(0); // generated with the same calendar the domain uses
      expect(progress.length).toBeGreaterThan(1);
      const head = await store.headPosition();

      const second = await importDossiers({ store, file: files.dossiersFile, lookups });
      expect(second).toMatchObject({ read: files.dossiers, imported: 0, alreadyImported: files.dossiers, rejected: 0, eventsAppended: 0 });
      expect(await store.headPosition()).toBe(head);

      const events = await readAll(store);
      expect(events.length).toBe(first.eventsAppended);
      expect(new Set(events.map((e) => e.metadata.correlationId))).toEqual(new Set([first.correlationId]));
      expect(events.every((e) => e.metadata.actor === 'import' && e.metadata.commandId === `import:${e.streamId.slice('dossier-'.length)}`)).toBe(true);

      // Independent check, both ways: the helper reads only the CSV; here the domain classifies the streams.
      const expected = await expectedFiguresFromCsv(files);
      const byStream = new Map<string, DossierEvent[]>();
      for (const e of events) {
        const list = byStream.get(e.streamId) ?? [];
        list.push({ type: e.type, data: e.data } as unknown as DossierEvent);
        byStream.set(e.streamId, list);
      }
      const calendar = createWorkingCalendar();
      const got: Record<string, Record<string, number>> = { province: {}, district: {}, commune: {} };
      for (const list of byStream.values()) {
        const state = fold(list);
        const level = reportLevelOf(lookups.agency(state.agencyCode!)!.level);
        const c = classify(state, calendar);
        const key = c ? c.timeliness : state.status === 'withdrawn' ? 'withdrawn' : 'open';
        got[level][key] = (got[level][key] ?? 0) + 1;
        got[level][state.channel!] = (got[level][state.channel!] ?? 0) + 1;
      }
      for (const level of ['province', 'district', 'commune'] as const) {
        const f = expected.byLevel[level];
        const want = {
          early: f.early,
          on_time: f.onTime,
          late: f.late,
          withdrawn: f.withdrawn,
          open: f.open,
          counter: f.counter,
          online: f.online,
          postal: f.postal,
        };
        const have = Object.fromEntries(Object.keys(want).map((k) => [k, got[level][k] ?? 0]));
        expect({ level, ...have }).toEqual({ level, ...want });
      }
      expect(expected.total.received).toBe(files.dossiers);
      expect(expected.total.late).toBeGreaterThan(0);
      expect(expected.total.lateBySupplementRule).toBeGreaterThanOrEqual(0);
    } finally {
      await store.close();
    }
  });

  it('reports every bad line of a malformed file, imports the good ones, and writes nothing of a bad one', async () => {
    const store = await createSqliteEventStore({ file: join(dir, 'malformed.sqlite') });
    try {
      const good = (n: number, extra: Partial<Record<(typeof DOSSIER_COLUMNS)[number], string>> = {}) => ({
        dossier_code: `000.00.00.H30-250602-90${String(n).padStart(2, '0')}`,
        agency_code: '000.00.00.H30',
        procedure_code: [...lookups.procedures()][0].code,
        channel: 'counter',
        received_at: '2025-06-02T08:00:00+07:00',
        due_at: '',
        completed_at: '2025-06-03T09:00:00+07:00',
        outcome: 'approved',
        returned_at: '',
        withdrawn_at: '',
        supplement_requested_at: '',
        supplement_supplied_at: '',
        apology_at: '',
        paid_online: 'false',
        ...extra,
      });
      const line = (r: Record<string, string>) => DOSSIER_COLUMNS.map((c) => r[c]).join(',');
      const rows = [
        DOSSIER_COLUMNS.join(','), // line 1
        line(good(1)), // 2 good
        line(good(2)).split(',').slice(0, 9).join(','), // 3 missing columns
        line(good(3, { received_at: '2025-06-02 08:00' })), // 4 bad timestamp
        line(good(4, { completed_at: '2025-06-01T09:00:00+07:00' })), // 5 completed before received
        line(good(5, { agency_code: 'H99.404' })), // 6 unknown agency
        line(good(6)), // 7 good
        line(good(7, { withdrawn_at: '2025-06-04T09:00:00+07:00' })), // 8 completed then withdrawn: impossible
        line(good(1)), // 9 duplicate of line 2
        line(good(8)), // 10 good
      ];
      const file = join(dir, 'malformed.csv');
      await writeFile(file, rows.join('\n') + '\n');
      const rejectedLive: number[] = [];
      const summary = await importDossiers({ store, file, lookups, onRejected: (e) => rejectedLive.push(e.line) });
      expect(summary.errors.map((e) => [e.line, e.kind])).toEqual([
        [3, 'missing_column'],
        [4, 'bad_timestamp'],
        [5, 'out_of_order'],
        [6, 'unknown_agency'],
        [8, 'impossible_sequence'],
        [9, 'duplicate_in_file'],
      ]);
      expect(rejectedLive).toEqual([3, 4, 5, 6, 8, 9]);
      expect(summary).toMatchObject({ read: 9, imported: 3, rejected: 6, alreadyImported: 0 });
      for (const n of [1, 6, 8]) expect(await store.streamRevision(dossierStreamId(good(n).dossier_code))).toBeGreaterThanOrEqual(1);
      // Nothing half-written: not even the receipt of the impossible row.
      for (const n of [2, 3, 4, 5, 7]) expect(await store.streamRevision(dossierStreamId(good(n).dossier_code))).toBe(-1);

      // A header without a required column: the file is refused as a whole, nothing written.
      const head = await store.headPosition();
      const noReceived = join(dir, 'no-received.csv');
      await writeFile(noReceived, 'dossier_code,agency_code,procedure_code,channel\nX-1,000.00.00.H30,1.0,counter\n');
      await expect(importDossiers({ store, file: noReceived, lookups })).rejects.toThrow(ImportFileError);
      expect(await store.headPosition()).toBe(head);
    } finally {
      await store.close();
    }
  });
});
