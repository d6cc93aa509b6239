/**
 * `npm run cli -- audit ...`: the auditors' tools on the configured stores (same environment as the
 * API and the worker). Read-only on events and read models; every command appends its own
 * `audit.access-recorded.v1` (libs/audit/src/access-log.ts) with the OS user as actor.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { SingleBar } from 'cli-progress';
import {
  auditReplay,
  BrokenChainsError,
  checkSeal,
  dossierStateAt,
  InvalidSealError,
  parseSeal,
  historySheet,
  readDossierHistory,
  recordAccess,
  sealStore,
  sheetsToCsv,
  slaReport,
  slaSheets,
  toCsv,
  toXlsx,
  verifyStore,
  verifyStream,
  vnLocal,
  type AccessRecord,
  type SealCheck,
  type VerifyReport,
} from '@motcua/audit';
import type { EventStore } from '@motcua/event-store';
import type { SlaBy } from '@motcua/read-models';
import { auditScratch, loadConfig, openEventStore, openReadModels } from '@motcua/platform';
import { UsageError } from '../args';

/** A usage mistake found once the audit command runs (cli.ts prints it with the command's usage, exit code 2). */
export class AuditUsageError extends UsageError {}

type Flags = Record<string, string | true>;
const str = (flags: Flags, name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);

export interface AuditIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Progress bars only on a terminal. */
  tty: boolean;
  now: () => Date;
}

const defaultIo: AuditIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  tty: Boolean(process.stderr.isTTY),
  now: () => new Date(),
};

/** A bar when the total is known (SQLite positions count events), a running count otherwise. */
function progress(io: AuditIo, label: string, total?: number) {
  if (!io.tty) {
    let last = 0;
    return {
      update(n: number) {
        if (n - last >= 50_000) {
          last = n;
          io.err(`${label}: ${n} events\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: total ? `${label} [{bar}] {percentage}% {value}/{total} events {eta_formatted}` : `${label} {value} events`,
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(total ?? 0, 0);
  return { update: (n: number) => bar.update(total ? Math.min(n, total) : n), stop: () => bar.stop() };
}

async function estimateEvents(store: EventStore): Promise<number | undefined> {
  const head = await store.headPosition();
  return store.engine === 'sqlite' && head ? Number(head) : undefined;
}

function printVerify(io: AuditIo, r: VerifyReport): void {
  io.out(`${r.ok ? 'OK' : 'BROKEN'}: ${r.events} events in ${r.streams} stream(s) verified in ${Math.round(r.elapsedMs)} ms\n`);
  for (const b of r.broken) {
    io.out(
      `  first broken link: stream ${b.streamId}${b.dossierCode ? ` (dossier ${b.dossierCode})` : ''} revision ${b.revision}${b.position ? ` position ${b.position}` : ''}: ${b.reason}\n`,
    );
  }
  if (r.truncated) io.out('  (stopped after the first broken streams)\n');
}

function printSealCheck(io: AuditIo, r: SealCheck): void {
  io.out(
    `${r.ok ? 'OK' : 'ALTERED'}: the log up to position ${r.seal.position} ${r.ok ? 'is' : 'is not'} what was sealed at ${r.seal.sealedAt} ` +
      `(${r.found.events} events in ${r.found.streams} stream(s); checked in ${Math.round(r.elapsedMs)} ms)\n`,
  );
  for (const d of r.differences) io.out(`  ${d}\n`);
  for (const b of r.broken) io.out(`  first broken link: stream ${b.streamId} revision ${b.revision}: ${b.reason}\n`);
}

export async function runAudit(positional: string[], flags: Flags, io: AuditIo = defaultIo): Promise<number> {
  const [sub, ...args] = positional;
  const commands = ['verify', 'seal', 'replay', 'history', 'as-of', 'sla'];
  if (!sub || !commands.includes(sub)) throw new AuditUsageError(`audit needs one of: ${commands.join(', ')}`);
  const config = loadConfig();
  const store = await openEventStore(config.eventStore);
  const actor = `cli:${userInfo().username}`;
  const record = (r: Omit<AccessRecord, 'actor'>) => recordAccess(store, { actor, role: 'auditor', ...r }, io.now());
  try {
    switch (sub) {
      case 'verify': {
        const sealFile = str(flags, 'seal');
        if (sealFile) {
          let seal;
          try {
            seal = parseSeal(readFileSync(sealFile, 'utf8'));
          } catch (e) {
            if (e instanceof InvalidSealError || (e as NodeJS.ErrnoException).code === 'ENOENT')
              throw new AuditUsageError(`--seal ${sealFile}: ${(e as Error).message}`);
            throw e;
          }
          await record({ action: 'seal', details: { check: true, position: seal.position, digest: seal.digest } });
          const bar = progress(io, 'check seal', Number(seal.position) || undefined);
          let r: SealCheck;
          try {
            r = await checkSeal(store, seal, { onProgress: (p) => bar.update(p.events) });
          } finally {
            bar.stop();
          }
          printSealCheck(io, r);
          return r.ok ? 0 : 1;
        }
        const stream = str(flags, 'stream');
        await record({ action: 'verify', details: { stream: stream ?? null } });
        let r: VerifyReport;
        if (stream) r = await verifyStream(store, stream);
        else {
          const bar = progress(io, 'verify', await estimateEvents(store));
          try {
            r = await verifyStore(store, { onProgress: (p) => bar.update(p.events) });
          } finally {
            bar.stop();
          }
        }
        printVerify(io, r);
        return r.ok ? 0 : 1;
      }
      case 'seal': {
        await record({ action: 'seal', details: { check: false } });
        const bar = progress(io, 'seal', await estimateEvents(store));
        try {
          const seal = await sealStore(store, io.now(), { onProgress: (p) => bar.update(p.events) });
          const text = JSON.stringify(seal, null, 2) + '\n';
          const out = str(flags, 'out');
          if (out) {
            writeFileSync(out, text);
            io.err(`sealed ${seal.events} events in ${seal.streams} stream(s) up to position ${seal.position}: ${out}\n`);
          } else io.out(text);
          return 0;
        } catch (e) {
          if (!(e instanceof BrokenChainsError)) throw e;
          io.err(`not sealed: ${e.message}\n`);
          return 1;
        } finally {
          bar.stop();
        }
      }
      case 'replay': {
        await record({ action: 'replay' });
        const live = openReadModels(config);
        const scratch = await auditScratch(live, config)('replay');
        const bar = progress(io, 'replay', await estimateEvents(store));
        try {
          const r = await auditReplay({ store, live, scratch: scratch.db, onProgress: (p) => bar.update(p.events) });
          bar.stop();
          io.out(
            `${r.ok ? 'OK' : 'DISAGREEMENTS'}: replayed ${r.replayedEvents} events up to the live checkpoint ${r.livePosition || '(empty)'} of ${r.liveTableSet} in ${Math.round(r.elapsedMs)} ms\n`,
          );
          for (const t of r.tables) io.out(`  ${t.table}: live ${t.liveRows} rows, replay ${t.replayRows} rows, ${t.disagreements} disagreement(s)\n`);
          for (const d of r.disagreements) {
            const cols = d.columns?.map((c) => `${c.column}: live ${JSON.stringify(c.live)} vs replay ${JSON.stringify(c.replay)}`).join('; ');
            io.out(`  ${d.table} ${JSON.stringify(d.key)} ${d.kind}${cols ? `: ${cols}` : ''}\n`);
          }
          if (r.truncated) io.out(`  ... ${r.disagreementCount - r.disagreements.length} more\n`);
          if (r.liveMoved) io.out('  warning: the live projection moved during the comparison; re-run on a quiet store to confirm\n');
          return r.ok ? 0 : 1;
        } finally {
          bar.stop();
          await scratch.dispose();
          await live.close();
        }
      }
      case 'history': {
        const code = args[0];
        if (!code) throw new AuditUsageError('audit history needs a DOSSIER_CODE');
        const csv = str(flags, 'csv');
        const xlsx = str(flags, 'xlsx');
        await record({ action: csv || xlsx ? 'export' : 'history', dossierCode: code, details: { format: csv ? 'csv' : xlsx ? 'xlsx' : 'text' } });
        const h = await readDossierHistory(store, code);
        if (csv) writeFileSync(csv, toCsv(historySheet(h)));
        if (xlsx) writeFileSync(xlsx, await toXlsx([historySheet(h)], { title: `Lịch sử hồ sơ ${code}` }));
        if (flags.json) io.out(JSON.stringify(h, null, 2) + '\n');
        else if (!csv && !xlsx) {
          for (const e of h.entries) {
            io.out(
              `#${e.revision} ${vnLocal(e.occurredAt)} (recorded ${vnLocal(e.recordedAt)}) [${e.statusCode ?? '-'}] ${e.typeLabel.vi} / ${e.typeLabel.en} by ${e.actor}${e.agencyCode ? ` @${e.agencyCode}` : ''}\n` +
                `    ${e.invalid ? `INVALID: ${e.invalid}` : `${e.effect.vi}\n    ${e.effect.en}`}\n`,
            );
          }
        } else io.err(`history of ${code}: ${h.entries.length} event(s) written to ${csv ?? xlsx}\n`);
        return 0;
      }
      case 'as-of': {
        const code = args[0];
        if (!code) throw new AuditUsageError('audit as-of needs a DOSSIER_CODE');
        const at = {
          asOf: str(flags, 'at'),
          knownAt: str(flags, 'known-at'),
          revision: str(flags, 'revision') === undefined ? undefined : Number(str(flags, 'revision')),
        };
        if (at.asOf === undefined && at.knownAt === undefined && at.revision === undefined)
          throw new AuditUsageError('audit as-of needs --at, --known-at or --revision');
        await record({ action: 'state', dossierCode: code, details: { at: at.asOf ?? null, knownAt: at.knownAt ?? null, revision: at.revision ?? null } });
        const s = await dossierStateAt(store, code, at);
        io.out(JSON.stringify(s, null, 2) + '\n');
        return 0;
      }
      case 'sla': {
        const from = str(flags, 'from');
        const to = str(flags, 'to');
        if (!from || !to) throw new AuditUsageError('audit sla needs --from and --to (YYYY-MM-DD)');
        const by = (str(flags, 'by') ?? 'agency') as SlaBy;
        if (!['agency', 'level', 'procedure'].includes(by)) throw new AuditUsageError('--by must be agency, level or procedure');
        const knownAt = str(flags, 'known-at');
        const csv = str(flags, 'csv');
        const xlsx = str(flags, 'xlsx');
        await record({ action: csv || xlsx ? 'export' : 'sla', details: { from, to, by, knownAt: knownAt ?? null, agency: str(flags, 'agency') ?? null } });
        const live = openReadModels(config);
        const bar = progress(io, 'sla replay', await estimateEvents(store));
        try {
          const r = await slaReport({
            store,
            scratch: auditScratch(live, config),
            query: { from, to, by, agency: str(flags, 'agency'), knownAt },
            onProgress: (p) => bar.update(p.events),
          });
          bar.stop();
          if (csv) writeFileSync(csv, sheetsToCsv(slaSheets(r)));
          if (xlsx) writeFileSync(xlsx, await toXlsx(slaSheets(r), { title: `SLA ${from}..${to}` }));
          if (csv || xlsx) io.err(`SLA ${from}..${to}: ${r.today.length} row(s) written to ${csv ?? xlsx}\n`);
          else io.out(JSON.stringify(r, null, 2) + '\n');
          if (r.differences) io.err(`${r.differences.length} figure(s) differ between as known at ${knownAt} and today\n`);
          return 0;
        } finally {
          bar.stop();
          await live.close();
        }
      }
    }
    return 2;
  } finally {
    await store.close();
  }
}
