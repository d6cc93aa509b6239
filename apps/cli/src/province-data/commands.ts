/**
 * CLI commands of the province-data tools: `generate` and `import dossiers FILE.csv`.
 * Kept in this folder; cli.ts only dispatches to them.
 */
import { NestFactory } from '@nestjs/core';
import { SingleBar } from 'cli-progress';
import { EVENT_STORE, type EventStore } from '@motcua/event-store';
import { importDossiers, loadReferenceCsv, writeProvinceFiles, type ReferenceLookups } from '@motcua/province-data';
import { loadConfig } from '@motcua/platform';
import { ReferenceDataService } from '@motcua/application';
import { createLogger, PinoNestLogger } from '@motcua/platform';
import { UsageError } from '../args';
import { CliModule } from '../cli.module';
import { lookupsFromReferenceData } from './reference-lookups';

/** A usage mistake found once the command runs (cli.ts prints it with the command's usage, exit code 2). */
export class ProvinceDataUsageError extends UsageError {}

function str(flags: Record<string, string | true>, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

function bar(label: string): SingleBar | undefined {
  return process.stderr.isTTY
    ? new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta}s`, stream: process.stderr })
    : undefined;
}

export async function generateCmd(flags: Record<string, string | true>): Promise<number> {
  const out = str(flags, 'out');
  if (!out) throw new ProvinceDataUsageError('generate needs --out DIR');
  const dossiers = Number(str(flags, 'dossiers') ?? 700_000);
  if (!Number.isInteger(dossiers) || dossiers < 0) throw new ProvinceDataUsageError('--dossiers must be a whole number');
  const options = {
    seed: str(flags, 'seed') ?? 'motcua',
    from: str(flags, 'from') ?? '2025-01-01',
    to: str(flags, 'to') ?? '2026-01-01',
    dossiers,
    ...(str(flags, 'province') ? { provinceCode: str(flags, 'province') } : {}),
  };
  const progress = bar('generate');
  progress?.start(dossiers, 0, { rate: 0 });
  const t0 = performance.now();
  const r = await writeProvinceFiles(out, options, (n) => progress?.update(n, { rate: Math.round(n / ((performance.now() - t0) / 1000)) }));
  progress?.stop();
  const secs = r.elapsedMs / 1000;
  process.stdout.write(
    `generated ${r.agencies} agencies, ${r.procedures} procedures, ${r.dossiers} dossiers in ${secs.toFixed(1)} s (${Math.round(r.dossiers / secs)} dossiers/s)\n` +
      `  ${r.agenciesFile}\n  ${r.proceduresFile}\n  ${r.dossiersFile}\n`,
  );
  return 0;
}

export async function importDossiersCmd(file: string | undefined, flags: Record<string, string | true>): Promise<number> {
  if (!file) throw new ProvinceDataUsageError('import dossiers needs FILE.csv');
  const agenciesFile = str(flags, 'agencies');
  const proceduresFile = str(flags, 'procedures');
  if (!!agenciesFile !== !!proceduresFile) throw new ProvinceDataUsageError('--agencies and --procedures go together');
  const config = { ...loadConfig(), referencePollMs: 0 };
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', 'cli');
  const ctx = await NestFactory.createApplicationContext(CliModule.forRoot(config, logger), { logger: new PinoNestLogger(logger), abortOnError: false });
  try {
    const store = ctx.get<EventStore>(EVENT_STORE);
    let lookups: ReferenceLookups;
    if (agenciesFile && proceduresFile) lookups = await loadReferenceCsv({ agenciesFile, proceduresFile });
    else {
      // The reference data imported earlier with `import agencies|procedures` (in the store).
      const reference = ctx.get(ReferenceDataService);
      await reference.refresh();
      lookups = lookupsFromReferenceData(reference.ready());
    }
    const progress = bar('dossiers');
    let started = false;
    const summary = await importDossiers({
      store,
      file,
      lookups,
      batchSize: Number(str(flags, 'batch') ?? 256),
      onProgress: (p) => {
        if (!progress) return;
        if (!started) progress.start(p.totalBytes, 0, { rate: 0 });
        started = true;
        progress.update(p.bytesRead, { rate: p.read });
      },
      onRejected: (e) => {
        if (!progress) process.stderr.write(`  line ${e.line}${e.dossierCode ? ` (${e.dossierCode})` : ''} [${e.kind}]: ${e.reason}\n`);
      },
    });
    progress?.stop();
    if (progress)
      for (const e of summary.errors) process.stderr.write(`  line ${e.line}${e.dossierCode ? ` (${e.dossierCode})` : ''} [${e.kind}]: ${e.reason}\n`);
    const secs = summary.elapsedMs / 1000;
    process.stdout.write(
      `dossiers: ${summary.read} read, ${summary.imported} imported (${summary.eventsAppended} events), ` +
        `${summary.alreadyImported} already imported, ${summary.rejected} rejected; ${summary.dueAtOverridden} kept a legacy due_at; ` +
        `${secs.toFixed(1)} s (${Math.round(summary.read / secs)} rows/s); correlation ${summary.correlationId}\n`,
    );
    return summary.rejected > 0 ? 1 : 0;
  } finally {
    await ctx.close();
  }
}
