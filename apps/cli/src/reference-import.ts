/**
 * `npm run cli -- import agencies|procedures FILE`: the reference data through the same importer (and command
 * handlers) as the API, in a Nest application context without HTTP. Progress on stderr: a bar on a terminal,
 * a line every 500 rows otherwise.
 */
import { NestFactory } from '@nestjs/core';
import { SingleBar } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { extname } from 'node:path';
import { ReferenceImporter, type ImportReport } from '@motcua/application';
import { isLocalDate } from '@motcua/reference-data';
import { createLogger, loadConfig, PinoNestLogger } from '@motcua/platform';
import { UsageError, type Flags } from './args';
import { CliModule } from './cli.module';

function printReport(r: ImportReport): void {
  for (const e of r.errors) process.stderr.write(`  line ${e.line}${e.field ? ` [${e.field}]` : ''}: ${e.message}\n`);
  process.stdout.write(`${r.kind}: ${r.rows} row(s), ${r.written} written, ${r.unchanged} unchanged, ${r.errors.length} problem(s)\n`);
}

export async function importReferenceCmd(kind: 'agencies' | 'procedures', file: string | undefined, flags: Flags): Promise<number> {
  if (!file) throw new UsageError(`import ${kind} needs FILE`);
  const ext = extname(file).toLowerCase();
  const format = ext === '.json' ? 'json' : ext === '.csv' ? 'csv' : undefined;
  if (!format) throw new UsageError('FILE must end in .csv or .json');
  const effectiveFrom = typeof flags['effective-from'] === 'string' ? flags['effective-from'] : undefined;
  if (effectiveFrom !== undefined && !isLocalDate(effectiveFrom)) throw new UsageError('--effective-from must be a date YYYY-MM-DD');
  const content = readFileSync(file, 'utf8');
  const config = { ...loadConfig(), referencePollMs: 0 };
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', 'cli');
  const ctx = await NestFactory.createApplicationContext(CliModule.forRoot(config, logger), { logger: new PinoNestLogger(logger), abortOnError: false });
  try {
    const importer = ctx.get(ReferenceImporter);
    const actor = { sub: `cli:${userInfo().username}`, role: 'admin' as const };
    const tty = process.stderr.isTTY;
    const bar = tty ? new SingleBar({ format: `${kind} [{bar}] {value}/{total}`, stream: process.stderr }) : undefined;
    let started = false;
    let lastPrinted = 0;
    const progress = (done: number, total: number) => {
      if (bar) {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      } else if (done - lastPrinted >= 500 || done === total) {
        lastPrinted = done;
        process.stderr.write(`${kind}: ${done}/${total}\n`);
      }
    };
    const report =
      kind === 'agencies'
        ? await importer.importAgencies(content, format, actor, progress)
        : await importer.importProcedures(content, format, actor, { effectiveFrom }, progress);
    bar?.stop();
    printReport(report);
    return report.errors.length ? 1 : 0;
  } finally {
    await ctx.close();
  }
}
