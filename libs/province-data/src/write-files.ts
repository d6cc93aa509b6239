/**
 * Thin file writer around the pure generator: streams agencies.csv, procedures.csv and dossiers.csv
 * through csv-stringify with back-pressure, so a province-year is never held in memory.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify';
import { AGENCY_COLUMNS, DOSSIER_COLUMNS, PROCEDURE_COLUMNS } from './csv-format';
import { generateProvince, type ProvinceOptions } from './generator';

export interface WriteProvinceResult {
  dir: string;
  agenciesFile: string;
  proceduresFile: string;
  dossiersFile: string;
  agencies: number;
  procedures: number;
  dossiers: number;
  elapsedMs: number;
}

export async function writeCsv<T extends object>(
  file: string,
  columns: readonly string[],
  rows: Iterable<T>,
  onRow?: (count: number) => void,
): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  const csv = stringify({ header: true, columns: [...columns] });
  csv.pipe(out);
  let count = 0;
  for (const row of rows) {
    count++;
    if (!csv.write(columns.map((c) => String((row as Record<string, unknown>)[c] ?? '')))) await once(csv, 'drain');
    if (onRow && count % 10_000 === 0) onRow(count);
  }
  csv.end();
  await once(out, 'finish');
  onRow?.(count);
  return count;
}

/** Generates a province and writes its three CSV files into `dir` (created if missing). */
export async function writeProvinceFiles(dir: string, options: ProvinceOptions, onProgress?: (dossiersWritten: number) => void): Promise<WriteProvinceResult> {
  // performance.now(): elapsed time for the report only, never a domain value.
  const started = performance.now();
  await mkdir(dir, { recursive: true });
  const province = generateProvince(options);
  const agenciesFile = join(dir, 'agencies.csv');
  const proceduresFile = join(dir, 'procedures.csv');
  const dossiersFile = join(dir, 'dossiers.csv');
  const agencies = await writeCsv(agenciesFile, AGENCY_COLUMNS, province.agencies);
  const procedures = await writeCsv(proceduresFile, PROCEDURE_COLUMNS, province.procedures);
  const dossiers = await writeCsv(dossiersFile, DOSSIER_COLUMNS, province.dossiers(), onProgress);
  return {
    dir,
    agenciesFile,
    proceduresFile,
    dossiersFile,
    agencies,
    procedures,
    dossiers,
    elapsedMs: performance.now() - started,
  };
}
