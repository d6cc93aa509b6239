/**
 * Legacy dossier import: streams a dossiers.csv, turns each row into its events through the domain
 * (row-to-commands.ts) and appends them, one append per dossier (all of a dossier's events or none),
 * in batches. Idempotent: each append carries `commandId = import:{dossier code}` and expects
 * `no_stream`, so a second run of the same file writes nothing (the store answers "duplicate").
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse, type CsvError } from 'csv-parse';
import { ulid } from 'ulid';
import { DossierCommands, type CommandOrigin } from '@motcua/application';
import { initialState } from '@motcua/domain';
import { WrongExpectedRevisionError, type EventStore } from '@motcua/event-store';
import { DOSSIER_COLUMNS, REQUIRED_DOSSIER_COLUMNS } from './csv-format';
import type { ReferenceLookups } from './reference';
import { RowRejected, rowToEvents, type DecidedDossier, type RowError } from './row-to-commands';

export const IMPORT_ACTOR = 'import';

export interface ImportProgress {
  read: number;
  imported: number;
  alreadyImported: number;
  rejected: number;
  bytesRead: number;
  totalBytes: number;
}

export interface ImportDossiersOptions {
  store: EventStore;
  file: string;
  lookups: ReferenceLookups;
  onProgress?: (progress: ImportProgress) => void;
  /** Called for every rejected line as it is found (the summary keeps at most `maxErrorsKept`). */
  onRejected?: (error: RowError) => void;
  /** Dossiers decided before their appends are awaited together (default 256). */
  batchSize?: number;
  /** One id for every event of this run (default: a new ULID). */
  correlationId?: string;
  maxErrorsKept?: number;
}

export interface ImportSummary {
  file: string;
  correlationId: string;
  /** Data lines read (header excluded). */
  read: number;
  /** Dossiers written by this run. */
  imported: number;
  /** Dossiers an earlier run of an import already wrote (nothing written now). */
  alreadyImported: number;
  rejected: number;
  eventsAppended: number;
  /** Rows whose due_at differed from the domain's computed due date (the file's was kept). */
  dueAtOverridden: number;
  errors: RowError[];
  /** Header columns this importer does not know (ignored). */
  ignoredColumns: string[];
  elapsedMs: number;
}

/** The file cannot be imported at all (no header, a required column missing from the header). */
export class ImportFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ImportFileError';
  }
}

/** Who the import's events are written by: the importer, one command per dossier, the source line as metadata. */
function importOrigin(d: DecidedDossier, correlationId: string, source: string): CommandOrigin {
  return { actor: IMPORT_ACTOR, correlationId, commandId: `import:${d.parsed.dossierCode}`, extra: { source: `${source}:${d.parsed.line}` } };
}

export async function importDossiers(options: ImportDossiersOptions): Promise<ImportSummary> {
  const { store, file, lookups } = options;
  const commands = new DossierCommands(store);
  // performance.now(): elapsed time for the summary only.
  const started = performance.now();
  const correlationId = options.correlationId ?? ulid();
  const batchSize = Math.max(1, options.batchSize ?? 256);
  const maxErrorsKept = options.maxErrorsKept ?? 10_000;
  const source = basename(file);
  const totalBytes = (await stat(file)).size;
  const summary: ImportSummary = {
    file,
    correlationId,
    read: 0,
    imported: 0,
    alreadyImported: 0,
    rejected: 0,
    eventsAppended: 0,
    dueAtOverridden: 0,
    errors: [],
    ignoredColumns: [],
    elapsedMs: 0,
  };
  let bytesRead = 0;
  const progress = () =>
    options.onProgress?.({
      read: summary.read,
      imported: summary.imported,
      alreadyImported: summary.alreadyImported,
      rejected: summary.rejected,
      bytesRead,
      totalBytes,
    });
  const reject = (error: RowError) => {
    summary.rejected++;
    if (summary.errors.length < maxErrorsKept) summary.errors.push(error);
    options.onRejected?.(error);
  };

  const input = createReadStream(file);
  input.on('data', (chunk) => (bytesRead += chunk.length));
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true, info: true }));
  // A record the CSV parser cannot read (e.g. an unclosed quote): reported, the rest goes on.
  parser.on('skip', (err: CsvError & { lines?: number }) => {
    summary.read++;
    reject({ line: err.lines ?? 0, kind: 'bad_value', reason: `unreadable CSV record: ${err.message}` });
  });

  let header: string[] | undefined;
  const seen = new Set<string>();
  let batch: DecidedDossier[] = [];

  const flush = async () => {
    const current = batch;
    batch = [];
    const results = await Promise.allSettled(
      current.map((d) =>
        commands.append(d.parsed.dossierCode, initialState, d.events, {
          origin: importOrigin(d, correlationId, source),
          agencyCode: d.parsed.agency.code,
          expectedRevision: 'no_stream',
        }),
      ),
    );
    results.forEach((r, i) => {
      const d = current[i];
      if (r.status === 'fulfilled') {
        if (r.value.duplicate) summary.alreadyImported++;
        else {
          summary.imported++;
          summary.eventsAppended += d.events.length;
          if (d.dueAtOverride) summary.dueAtOverridden++;
        }
      } else if (r.reason instanceof WrongExpectedRevisionError) {
        // The stream exists but not from an import of this dossier (e.g. received live through the API).
        reject({
          line: d.parsed.line,
          dossierCode: d.parsed.dossierCode,
          kind: 'already_exists',
          reason: 'the dossier already exists in the store (not written by an import): left untouched',
        });
      } else {
        throw r.reason;
      }
    });
    progress();
  };

  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const line = info.lines;
    if (!header) {
      header = record.map((h) => h.trim());
      const missing = REQUIRED_DOSSIER_COLUMNS.filter((c) => !header!.includes(c));
      if (missing.length > 0) {
        input.destroy();
        throw new ImportFileError(file, `header lacks required column(s): ${missing.join(', ')}`);
      }
      summary.ignoredColumns = header.filter((h) => !(DOSSIER_COLUMNS as readonly string[]).includes(h));
      continue;
    }
    summary.read++;
    if (record.length > header.length) {
      reject({
        line,
        dossierCode: record[header.indexOf('dossier_code')]?.trim() || undefined,
        kind: 'extra_column',
        reason: `${record.length} fields, the header has ${header.length}`,
      });
      continue;
    }
    // Short rows leave cells undefined: rowToCommands reports them as missing columns. Optional
    // columns absent from the header read as empty.
    const row: Record<string, string | undefined> = {};
    for (const c of DOSSIER_COLUMNS) if (!header.includes(c)) row[c] = '';
    for (let i = 0; i < record.length; i++) row[header[i]] = record[i];
    try {
      const decided = rowToEvents(row, line, lookups);
      if (seen.has(decided.parsed.dossierCode)) {
        reject({ line, dossierCode: decided.parsed.dossierCode, kind: 'duplicate_in_file', reason: 'dossier code already on an earlier line of this file' });
        continue;
      }
      seen.add(decided.parsed.dossierCode);
      batch.push(decided);
    } catch (err) {
      if (!(err instanceof RowRejected)) throw err;
      reject(err.error);
    }
    if (batch.length >= batchSize) await flush();
    else if (summary.read % 1000 === 0) progress();
  }
  if (!header) throw new ImportFileError(file, 'empty file (no header row)');
  await flush();
  summary.elapsedMs = performance.now() - started;
  return summary;
}
