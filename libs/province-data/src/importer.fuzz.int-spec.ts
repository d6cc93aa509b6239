/**
 * Fuzz of the dossier CSV importer (the reliability tests' bad-input case) with fast-check, on real SQLite event-store files:
 * files mixing valid rows of a generated province with malformed ones (missing columns and cells, bad
 * timestamps, unicode edge cases, SQL-ish strings, huge fields, extra columns, an unclosed quote at the end),
 * written with or without a BOM, with LF or CRLF line endings, the header columns in any order. Properties:
 * - importDossiers throws nothing but the documented ImportFileError, and that only for a header that lacks a
 *   required column;
 * - every bad line is reported (by its physical line number), every good line is imported;
 * - nothing is half-written: every stream in the store is exactly the stream the same row gives when imported
 *   alone (same event types in the same order), and no stream exists for a rejected line.
 * (An *.int-spec: it writes real files; the rule "*.spec.ts = no I/O" of jest.config.js.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { createSqliteEventStore, type EventStore, type RecordedEvent } from '@motcua/event-store';
import { DOSSIER_COLUMNS, REQUIRED_DOSSIER_COLUMNS } from './csv-format';
import { ImportFileError, importDossiers } from './importer';
import { loadReferenceCsv, type ReferenceLookups } from './reference';
import { writeProvinceFiles } from './write-files';
import { readFile } from 'node:fs/promises';

jest.setTimeout(120_000);

const RUNS = Number(process.env.FUZZ_RUNS ?? 30);

async function streams(store: EventStore): Promise<Map<string, string[]>> {
  const m = new Map<string, string[]>();
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after ? { after } : {}), maxCount: 5000 });
    for (const e of page as RecordedEvent[]) m.set(e.streamId, [...(m.get(e.streamId) ?? []), e.type]);
    if (page.length < 5000) return m;
    after = page[page.length - 1].position;
  }
}

/** Strings no valid cell contains: SQL-ish, unicode edge cases, control characters. */
const NASTY = [
  "'; DROP TABLE events; --",
  "1' OR '1'='1",
  'Robert"); DELETE FROM streams; --',
  '\u0000',
  '\uFEFF',
  '\uD800', // lone surrogate (written as U+FFFD)
  '\u202Eevil\u202C',
  'Đ\u0301\u0323',
  '🏛️🇻🇳',
  '\t \t',
  '${jndi:ldap://x}',
  '../../etc/passwd',
  '%s%n%x',
];
const BAD_TIMESTAMPS = [
  '2025-13-45T09:00:00+07:00',
  '2025-06-02',
  'yesterday',
  '2025-06-02T25:00:00+07:00',
  '2025-02-30T09:00:00+07:00',
  '2025-06-02T09:00:00',
  '1e309',
  '9999999999999',
];

type Mutation =
  | { kind: 'empty_required'; column: (typeof REQUIRED_DOSSIER_COLUMNS)[number] }
  | { kind: 'bad_received_at'; value: string }
  | { kind: 'nasty'; column: 'agency_code' | 'procedure_code' | 'channel' | 'dossier_code'; value: string }
  | { kind: 'huge'; column: 'dossier_code' | 'agency_code' | 'received_at'; size: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'extra_column' };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('empty_required' as const), column: fc.constantFrom(...REQUIRED_DOSSIER_COLUMNS) }),
  fc.record({ kind: fc.constant('bad_received_at' as const), value: fc.oneof(fc.constantFrom(...BAD_TIMESTAMPS), fc.constantFrom(...NASTY)) }),
  fc.record({
    kind: fc.constant('nasty' as const),
    column: fc.constantFrom('agency_code' as const, 'procedure_code' as const, 'channel' as const),
    value: fc.oneof(
      fc.constantFrom(...NASTY),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((s) => `~${s}`),
    ),
  }),
  // Legacy dossier codes may be any text (isValidDossierCode): only control characters, > 64 characters or
  // nothing but blanks make one invalid.
  fc.record({
    kind: fc.constant('nasty' as const),
    column: fc.constant('dossier_code' as const),
    value: fc.oneof(
      fc.constantFrom('A\u0000B', 'code\u0007', '\u001b[31mred', 'x\u0085y', '\t \t', '\uFEFF'),
      fc.string({ unit: 'grapheme', minLength: 65, maxLength: 120 }).filter((s) => s.trim().length > 64),
    ),
  }),
  fc.record({
    kind: fc.constant('huge' as const),
    column: fc.constantFrom('dossier_code' as const, 'agency_code' as const, 'received_at' as const),
    size: fc.integer({ min: 10_000, max: 200_000 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('extra_column' as const) }),
);

describe('importDossiers fuzz (fast-check, real SQLite files)', () => {
  let dir: string;
  let lookups: ReferenceLookups;
  /** Valid rows of a generated province, as column -> value, with the events each gives alone. */
  let good: Array<Record<string, string>>;
  let expectedStream: Map<string, string[]>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'province-fuzz-'));
    const files = await writeProvinceFiles(join(dir, 'province'), { seed: 'fuzz', from: '2025-06-02', to: '2025-06-30', dossiers: 120 });
    lookups = await loadReferenceCsv(files);
    good = parse(await readFile(files.dossiersFile, 'utf8'), { columns: true, bom: true }) as Array<Record<string, string>>;
    // The reference: the whole valid file into a fresh store; each stream is what its row gives alone
    // (one append per dossier, no dependency between rows).
    const store = await createSqliteEventStore({ file: join(dir, 'reference.sqlite') });
    try {
      const s = await importDossiers({ store, file: files.dossiersFile, lookups });
      expect(s.rejected).toBe(0);
      expectedStream = await streams(store);
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fileArb = fc.record({
    lines: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: mutationArb }), { minLength: 1, maxLength: 40 }),
    pick: fc.integer({ min: 0, max: 1_000_000 }),
    bom: fc.boolean(),
    crlf: fc.boolean(),
    columnOrder: fc.shuffledSubarray([...DOSSIER_COLUMNS], { minLength: DOSSIER_COLUMNS.length }),
    dropHeaderColumn: fc.option(fc.constantFrom(...REQUIRED_DOSSIER_COLUMNS), { freq: 8 }),
    unclosedQuoteAtEnd: fc.boolean(),
  });

  it('reports every bad line, imports every good one, writes whole streams or none, throws only ImportFileError', async () => {
    let run = 0;
    const seen = { good: 0, bad: 0, fileErrors: 0 };
    await fc.assert(
      fc.asyncProperty(fileArb, async (f) => {
        run++;
        const header = f.dropHeaderColumn ? f.columnOrder.filter((c) => c !== f.dropHeaderColumn) : f.columnOrder;
        const rows: string[][] = [];
        const goodLines = new Map<number, string>(); // physical line -> dossier code
        const badLines = new Set<number>();
        const used = new Set<number>();
        f.lines.forEach((m, i) => {
          let k = (f.pick + i * 7919) % good.length;
          while (used.has(k)) k = (k + 1) % good.length;
          used.add(k);
          const row: Record<string, string> = { ...good[k] };
          let cells: string[] | undefined;
          if (m) {
            switch (m.kind) {
              case 'empty_required':
                row[m.column] = '';
                break;
              case 'bad_received_at':
                row.received_at = m.value;
                break;
              case 'nasty':
                row[m.column] = m.value;
                break;
              case 'huge':
                row[m.column] = 'Ⅹ9'.repeat(m.size / 2);
                break;
              case 'truncate':
                cells = header.slice(0, m.keep).map((c) => row[c]);
                break;
              case 'extra_column':
                cells = [...header.map((c) => row[c]), 'extra'];
                break;
            }
          }
          rows.push(cells ?? header.map((c) => row[c]));
          const line = i + 2;
          // A row cut down to one empty cell is a blank line, which the importer skips (skip_empty_lines): not a bad line.
          const blank = cells !== undefined && cells.length === 1 && cells[0] === '';
          if (blank) return;
          if (m) badLines.add(line);
          else goodLines.set(line, good[k].dossier_code);
        });
        const eol = f.crlf ? '\r\n' : '\n';
        let text = stringify([header, ...rows], { record_delimiter: eol });
        const quoteLine = rows.length + 2;
        if (f.unclosedQuoteAtEnd) text += `"${good[0].dossier_code},H30${eol}`;
        const file = join(dir, `fuzz-${run}.csv`);
        await writeFile(file, (f.bom ? '\uFEFF' : '') + text, 'utf8');
        const store = await createSqliteEventStore({ file: join(dir, `fuzz-${run}.sqlite`) });
        try {
          let summary;
          try {
            summary = await importDossiers({ store, file, lookups, batchSize: 7 });
          } catch (err) {
            // The only documented failure: a header without a required column; nothing written then.
            expect(err).toBeInstanceOf(ImportFileError);
            expect(f.dropHeaderColumn).toBeTruthy();
            expect((await streams(store)).size).toBe(0);
            seen.fileErrors++;
            return;
          }
          expect(f.dropHeaderColumn).toBeFalsy();
          const reported = new Set(summary.errors.map((e) => e.line));
          expect([...badLines].filter((l) => !reported.has(l))).toEqual([]);
          expect([...goodLines.keys()].filter((l) => reported.has(l))).toEqual([]);
          if (f.unclosedQuoteAtEnd) expect(summary.errors.some((e) => e.line >= quoteLine)).toBe(true);
          expect(summary.imported).toBe(goodLines.size);
          expect(summary.rejected).toBe(badLines.size + (f.unclosedQuoteAtEnd ? 1 : 0));
          const stored = await streams(store);
          expect([...stored.keys()].sort()).toEqual([...goodLines.values()].map((c) => `dossier-${c}`).sort());
          for (const [id, types] of stored) expect(types).toEqual(expectedStream.get(id));
          seen.good += goodLines.size;
          seen.bad += badLines.size;
        } finally {
          await store.close();
          await rm(file, { force: true });
        }
      }),
      { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
    // The properties were exercised, not vacuously true.
    expect(seen.good).toBeGreaterThan(0);
    expect(seen.bad).toBeGreaterThan(0);
  });
});
