import { NestFactory } from '@nestjs/core';
import { SingleBar } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { extname } from 'node:path';
import { ConfigError, loadConfig } from '@motcua/platform';
import { ReferenceImporter, ImportReport } from '@motcua/application';
import { isLocalDate } from '@motcua/reference-data';
import { isRole, ROLES } from '@motcua/platform';
import { parseTtl, signDevToken } from '@motcua/platform';
import { createLogger, PinoNestLogger } from '@motcua/platform';
import { parseArgs } from './args';
import { CliModule } from './cli.module';
import { AUDIT_USAGE, AuditUsageError, runAudit } from './audit/audit-cli';
import { generateCmd, importDossiersCmd, PROVINCE_DATA_USAGE, ProvinceDataUsageError } from './province-data/commands';
import { projectionsCmd, PROJECTIONS_USAGE, ProjectionsUsageError } from './projections/commands';

const USAGE = `usage:
  npm run cli -- token --role clerk|monitor|auditor|admin [--agency CODE] [--sub NAME] [--ttl 8h]
  npm run cli -- import agencies FILE.csv|FILE.json
  npm run cli -- import procedures FILE.csv|FILE.json [--effective-from YYYY-MM-DD]
${PROVINCE_DATA_USAGE}
${PROJECTIONS_USAGE}
${AUDIT_USAGE}
Configuration is read from the environment like the API (DATA_DIR, EVENT_STORE, EVENT_STORE_URL, AUTH_JWT_SECRET).`;

class UsageError extends Error {}

async function token(flags: Record<string, string | true>): Promise<number> {
  const role = flags.role;
  if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const agency = typeof flags.agency === 'string' ? flags.agency : undefined;
  if ((role === 'clerk' || role === 'monitor') && !agency) throw new UsageError(`a ${role} token needs --agency CODE`);
  const ttl = parseTtl(typeof flags.ttl === 'string' ? flags.ttl : '8h');
  const config = loadConfig();
  if (!config.auth.jwtSecret) throw new UsageError('AUTH_JWKS_URL is set and AUTH_JWT_SECRET is not: tokens come from the identity provider');
  const sub = typeof flags.sub === 'string' ? flags.sub : `dev-${role}${agency ? '-' + agency : ''}`;
  const jwt = await signDevToken(config.auth.jwtSecret, { sub, role, agency }, ttl);
  process.stderr.write(`token for sub=${sub} role=${role}${agency ? ` agency=${agency}` : ''}, valid ${ttl} s, signed with the ${config.auth.secretSource === 'env' ? 'AUTH_JWT_SECRET' : `development secret in ${config.auth.devSecretFile}`}\n`);
  process.stdout.write(jwt + '\n');
  return 0;
}

function printReport(r: ImportReport): void {
  for (const e of r.errors) process.stderr.write(`  line ${e.line}${e.field ? ` [${e.field}]` : ''}: ${e.message}\n`);
  process.stdout.write(`${r.kind}: ${r.rows} row(s), ${r.written} written, ${r.unchanged} unchanged, ${r.errors.length} problem(s)\n`);
}

async function importCmd(positional: string[], flags: Record<string, string | true>): Promise<number> {
  const [kind, file] = positional;
  if (kind === 'dossiers') return importDossiersCmd(file, flags);
  if ((kind !== 'agencies' && kind !== 'procedures') || !file) throw new UsageError('import needs: agencies|procedures FILE');
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

export async function runCli(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv);
  const [cmd, ...rest] = positional;
  try {
    if (cmd === 'token') return await token(flags);
    if (cmd === 'import') return await importCmd(rest, flags);
    if (cmd === 'audit') return await runAudit(rest, flags);
    if (cmd === 'generate') return await generateCmd(flags);
    if (cmd === 'projections') return await projectionsCmd(rest, flags);
    process.stderr.write(USAGE + '\n');
    return cmd === undefined || flags.help ? 0 : 2;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ProvinceDataUsageError || e instanceof AuditUsageError || e instanceof ProjectionsUsageError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(e.message + '\n');
      return 78;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}
