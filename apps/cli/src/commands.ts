/**
 * The CLI's commands as data: the words that name each one, its usage lines and the options it accepts.
 * Kept apart from the code that runs them so that finding the command and checking its options loads no
 * framework, driver or library (cli.ts requires a command's module only once its arguments are valid).
 */
import type { FlagSpec } from './args';

export interface CommandDef {
  /** The words that name it, e.g. ['audit', 'verify']. */
  path: readonly string[];
  usage: string;
  flags: FlagSpec;
}

const V = 'value' as const;
const B = 'boolean' as const;

export const COMMANDS = {
  token: {
    path: ['token'],
    usage: '  npm run cli -- token --role clerk|monitor|auditor|admin [--agency CODE] [--sub NAME] [--ttl 8h]',
    flags: { role: V, agency: V, sub: V, ttl: V },
  },
  'import agencies': {
    path: ['import', 'agencies'],
    usage: '  npm run cli -- import agencies FILE.csv|FILE.json',
    flags: {},
  },
  'import procedures': {
    path: ['import', 'procedures'],
    usage: '  npm run cli -- import procedures FILE.csv|FILE.json [--effective-from YYYY-MM-DD]',
    flags: { 'effective-from': V },
  },
  generate: {
    path: ['generate'],
    usage: '  npm run cli -- generate --out DIR [--seed S] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--dossiers N] [--province H30]',
    flags: { out: V, seed: V, from: V, to: V, dossiers: V, province: V },
  },
  'import dossiers': {
    path: ['import', 'dossiers'],
    usage: '  npm run cli -- import dossiers FILE.csv [--agencies agencies.csv --procedures procedures.csv] [--batch 256]',
    flags: { agencies: V, procedures: V, batch: V },
  },
  'projections rebuild': {
    path: ['projections', 'rebuild'],
    usage: '  npm run cli -- projections rebuild [--keep N]       (blue/green; N retired table sets kept, default all)',
    flags: { keep: V },
  },
  'projections status': {
    path: ['projections', 'status'],
    usage: '  npm run cli -- projections status',
    flags: {},
  },
  'projections check-csv': {
    path: ['projections', 'check-csv'],
    usage: '  npm run cli -- projections check-csv DIR [--from YYYY-MM-DD --to YYYY-MM-DD]   (read models vs the figures of DIR/*.csv)',
    flags: { from: V, to: V },
  },
  'quarantine list': {
    path: ['quarantine', 'list'],
    usage: '  npm run cli -- quarantine list [--consumer NAME] [--limit N] [--cursor C] [--json]   (events the worker set aside, in log order)',
    flags: { consumer: V, limit: V, cursor: V, json: B },
  },
  'audit verify': {
    path: ['audit', 'verify'],
    usage: '  npm run cli -- audit verify [--stream STREAM_ID | --seal FILE]',
    flags: { stream: V, seal: V },
  },
  'audit seal': {
    path: ['audit', 'seal'],
    usage: '  npm run cli -- audit seal [--out FILE]',
    flags: { out: V },
  },
  'audit replay': {
    path: ['audit', 'replay'],
    usage: '  npm run cli -- audit replay',
    flags: {},
  },
  'audit history': {
    path: ['audit', 'history'],
    usage: '  npm run cli -- audit history DOSSIER_CODE [--csv FILE | --xlsx FILE | --json]',
    flags: { csv: V, xlsx: V, json: B },
  },
  'audit as-of': {
    path: ['audit', 'as-of'],
    usage: '  npm run cli -- audit as-of DOSSIER_CODE (--at ISO | --known-at ISO | --revision N)...',
    flags: { at: V, 'known-at': V, revision: V },
  },
  'audit sla': {
    path: ['audit', 'sla'],
    usage:
      '  npm run cli -- audit sla --from YYYY-MM-DD --to YYYY-MM-DD [--known-at ISO] [--by agency|level|procedure] [--agency CODE] [--csv FILE | --xlsx FILE]',
    flags: { from: V, to: V, 'known-at': V, by: V, agency: V, csv: V, xlsx: V },
  },
} satisfies Record<string, CommandDef>;

export type CommandName = keyof typeof COMMANDS;

/** Words that only group commands, and what to say when the second word is missing or unknown. */
export const GROUPS: Readonly<Record<string, string>> = {
  import: 'import needs: agencies|procedures|dossiers FILE',
  audit: `audit needs one of: ${commandsOf('audit')
    .map((c) => c.path[1])
    .join(', ')}`,
  projections: 'projections needs: rebuild | status | check-csv DIR',
  quarantine: 'quarantine needs: list',
};

/** Accepted by every command (and alone): prints the usage, exit code 0. */
export const HELP_FLAG: FlagSpec = { help: B };

const AUDIT_NOTE = '  (audit: read models from READ_MODELS_ENGINE / READ_MODELS_SQLITE_FILE / READ_MODELS_PG_URL; scratch under AUDIT_SCRATCH_DIR)';

export const USAGE = `usage:
${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join('\n')}
${AUDIT_NOTE}
Configuration is read from the environment like the API (DATA_DIR, EVENT_STORE, EVENT_STORE_URL, AUTH_JWT_SECRET).`;

export function commandsOf(group: string): CommandDef[] {
  return Object.values(COMMANDS as Record<string, CommandDef>).filter((c) => c.path[0] === group);
}

/** The usage lines of one command, or of every command of a group. */
export function usageOf(words: readonly string[]): string {
  const defs =
    words.length > 1 ? Object.values(COMMANDS as Record<string, CommandDef>).filter((c) => c.path.join(' ') === words.join(' ')) : commandsOf(words[0]);
  const lines = defs.map((c) => c.usage);
  if (words[0] === 'audit') lines.push(AUDIT_NOTE);
  return `usage:\n${lines.join('\n')}`;
}

/** Every option some command accepts, for finding the command before its own options are checked. */
export const ALL_FLAGS: FlagSpec = Object.assign({}, HELP_FLAG, ...Object.values(COMMANDS as Record<string, CommandDef>).map((c) => c.flags));
