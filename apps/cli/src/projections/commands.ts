/**
 * CLI commands of the projections and the CSV acceptance check of a province's figures:
 *   projections rebuild [--keep N]     blue/green rebuild of the SLA read models, progress bar on a TTY
 *   projections status                 active table set, its checkpoint and how far behind the log head
 *   projections check-csv DIR [--from YYYY-MM-DD --to YYYY-MM-DD]
 *                                      SLA figures of the read models vs the figures computed from DIR's CSV
 * (Their options are declared in ../commands.ts.)
 * Event store and read models from the platform's configuration (EVENT_STORE, EVENT_STORE_URL, DATA_DIR,
 * READ_MODELS_*, as the worker and the API read them). cli.ts only dispatches here.
 */
import { join } from 'node:path';
import type { EventStore } from '@motcua/event-store';
import { expectedFiguresFromCsv } from '@motcua/province-data';
import { activeSet, dropRetiredSets, readCheckpoint, rebuildSla, SlaQueryService, type SqlDb } from '@motcua/read-models';
import { loadConfig, openEventStore, openReadModels } from '@motcua/platform';
import { UsageError } from '../args';
import { rebuildWithProgressBar } from './progress-bar';
import { checkSlaAgainstCsv, formatCheck } from './csv-check';

/** A usage mistake found once the command runs (cli.ts prints it with the command's usage, exit code 2). */
export class ProjectionsUsageError extends UsageError {}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function str(flags: Record<string, string | true>, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

async function withStores<T>(fn: (store: EventStore, db: SqlDb) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openEventStore(config.eventStore);
  try {
    const db = openReadModels(config);
    try {
      return await fn(store, db);
    } finally {
      await db.close();
    }
  } finally {
    await store.close();
  }
}

async function rebuild(flags: Record<string, string | true>): Promise<number> {
  const keepRaw = str(flags, 'keep');
  const keep = keepRaw === undefined ? undefined : Number(keepRaw);
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 0)) throw new ProjectionsUsageError('--keep must be a whole number');
  return withStores(async (store, db) => {
    const r = process.stderr.isTTY
      ? await rebuildWithProgressBar({ store, db })
      : await rebuildSla({
          store,
          db,
          // Not a terminal (a log file, CI): one line per write of the rebuild.
          onProgress: (p) =>
            process.stderr.write(
              `rebuild ${p.phase}: ${p.events} events (${Math.round(p.eventsPerSecond)} ev/s), position ${p.position}, head ${p.headPosition ?? '-'}\n`,
            ),
        });
    const dropped = keep === undefined ? [] : await dropRetiredSets(db, keep);
    process.stdout.write(
      `rebuilt ${r.tableSet} (was ${r.previousTableSet ?? '-'}): ${r.events} events in ${(r.elapsedMs / 1000).toFixed(1)} s ` +
        `(${Math.round(r.eventsPerSecond)} events/s; ` +
        (r.parallel
          ? `${r.parallel.threads} threads: replay ${Math.round(r.parallel.scanMs / 1000)} s, counters summed ${Math.round(r.parallel.sumMs / 1000)} s beside the indexes, copied ${Math.round(r.parallel.copyMs / 1000)} s), `
          : `read ${Math.round(r.timings.readMs / 1000)} s, apply ${Math.round(r.timings.applyMs / 1000)} s, write ${Math.round(r.timings.writeMs / 1000)} s), `) +
        `peak RSS ${Math.round(r.peakRssBytes / 1048576)} MB, position ${r.position}${dropped.length ? `; dropped ${dropped.join(', ')}` : ''}\n`,
    );
    return 0;
  });
}

async function status(): Promise<number> {
  return withStores(async (store, db) => {
    const active = await activeSet(db);
    if (!active) {
      process.stdout.write('no SLA table set yet: start the worker or run `projections rebuild`\n');
      return 0;
    }
    const cp = await readCheckpoint(db, active.tableSet);
    const w = await new SlaQueryService({ db, store }).watermark();
    process.stdout.write(
      `active ${active.tableSet}: ${cp?.events ?? 0} events applied, position ${w.position || '-'}, head ${w.headPosition ?? '-'}, behind ${w.behind}${w.behindCapped ? '+' : ''}\n`,
    );
    return 0;
  });
}

async function checkCsv(dir: string | undefined, flags: Record<string, string | true>): Promise<number> {
  if (!dir) throw new ProjectionsUsageError('projections check-csv needs DIR (with agencies.csv, procedures.csv, dossiers.csv)');
  const files = { agenciesFile: join(dir, 'agencies.csv'), proceduresFile: join(dir, 'procedures.csv'), dossiersFile: join(dir, 'dossiers.csv') };
  const from = str(flags, 'from') ?? '2025-01-01';
  const to = str(flags, 'to') ?? '2025-12-31';
  if (!DATE.test(from) || !DATE.test(to)) throw new ProjectionsUsageError('--from and --to are YYYY-MM-DD (inclusive local dates)');
  const t0 = performance.now();
  const expected = await expectedFiguresFromCsv(files);
  const t1 = performance.now();
  return withStores(async (store, db) => {
    const r = await checkSlaAgainstCsv({ q: new SlaQueryService({ db, store }), db, expected, from, to });
    const t2 = performance.now();
    process.stdout.write(formatCheck(r) + '\n');
    process.stdout.write(
      `csv figures ${((t1 - t0) / 1000).toFixed(1)} s, read-model queries ${((t2 - t1) / 1000).toFixed(1)} s; ${r.diffs.length === 0 ? 'MATCH' : 'MISMATCH'}\n`,
    );
    return r.diffs.length === 0 ? 0 : 1;
  });
}

export async function projectionsCmd(positional: string[], flags: Record<string, string | true>): Promise<number> {
  const [sub, ...rest] = positional;
  if (sub === 'rebuild') return rebuild(flags);
  if (sub === 'status') return status();
  if (sub === 'check-csv') return checkCsv(rest[0], flags);
  throw new ProjectionsUsageError('projections needs: rebuild | status | check-csv DIR');
}
