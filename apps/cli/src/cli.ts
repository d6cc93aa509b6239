/**
 * `npm run cli -- ...`: finds the command (commands.ts), checks its options (args.ts), then requires the
 * module that runs it. Commands load very different things (a token needs the configuration and jose, an
 * import a Nest context, an audit export exceljs), so nothing of theirs is imported at the top of this file:
 * `token` starts without Nest, the stores or the audit library's dependencies.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each command's module is required when it runs (above) */
import { parseArgs, positionalWords, suggest, UsageError, type Flags } from './args';
import { ALL_FLAGS, COMMANDS, GROUPS, HELP_FLAG, USAGE, usageOf, commandsOf, type CommandDef, type CommandName } from './commands';

type Run = (args: string[], flags: Flags) => Promise<number>;

// Each entry requires its module when it runs (the literal paths keep the dependency visible to the tools).
const RUN: Record<CommandName, Run> = {
  token: (_, flags) => (require('./token') as typeof import('./token')).token(flags),
  'import agencies': ([file], flags) => (require('./reference-import') as typeof import('./reference-import')).importReferenceCmd('agencies', file, flags),
  'import procedures': ([file], flags) => (require('./reference-import') as typeof import('./reference-import')).importReferenceCmd('procedures', file, flags),
  'import dossiers': ([file], flags) => (require('./province-data/commands') as typeof import('./province-data/commands')).importDossiersCmd(file, flags),
  generate: (_, flags) => (require('./province-data/commands') as typeof import('./province-data/commands')).generateCmd(flags),
  'projections rebuild': (args, flags) => projections('rebuild', args, flags),
  'projections status': (args, flags) => projections('status', args, flags),
  'projections check-csv': (args, flags) => projections('check-csv', args, flags),
  'quarantine list': (_, flags) => (require('./quarantine') as typeof import('./quarantine')).quarantineList(flags),
  'audit verify': (args, flags) => audit('verify', args, flags),
  'audit seal': (args, flags) => audit('seal', args, flags),
  'audit replay': (args, flags) => audit('replay', args, flags),
  'audit history': (args, flags) => audit('history', args, flags),
  'audit as-of': (args, flags) => audit('as-of', args, flags),
  'audit sla': (args, flags) => audit('sla', args, flags),
};

function projections(sub: string, args: string[], flags: Flags): Promise<number> {
  return (require('./projections/commands') as typeof import('./projections/commands')).projectionsCmd([sub, ...args], flags);
}

function audit(sub: string, args: string[], flags: Flags): Promise<number> {
  return (require('./audit/audit-cli') as typeof import('./audit/audit-cli')).runAudit([sub, ...args], flags);
}

/** The command named by the first positional words, if any. */
function findCommand(words: readonly string[]): CommandName | undefined {
  return (Object.keys(COMMANDS) as CommandName[]).find((name) => (COMMANDS[name] as CommandDef).path.every((w, i) => words[i] === w));
}

/** The error for a word that names no command (or no command of its group), with the nearest one. */
function unknownCommand(words: readonly string[]): UsageError {
  const [first, second] = words;
  if (Object.hasOwn(GROUPS, first)) {
    const near =
      second === undefined
        ? undefined
        : suggest(
            second,
            commandsOf(first).map((c) => c.path[1]),
          );
    return new UsageError(`${GROUPS[first]}${near ? ` (did you mean ${first} ${near}?)` : ''}`);
  }
  const near = suggest(first, [...new Set(Object.values(COMMANDS as Record<string, CommandDef>).map((c) => c.path[0]))]);
  return new UsageError(`unknown command ${first}${near ? ` (did you mean ${near}?)` : ''}`);
}

function isConfigError(e: unknown): boolean {
  // Only a command that loaded the platform can throw one, so requiring it here costs nothing more.
  return e instanceof (require('@motcua/platform') as typeof import('@motcua/platform')).ConfigError;
}

/** Runs one CLI invocation; resolves to the process exit code (2: usage, 78: configuration). */
export async function runCli(argv: string[]): Promise<number> {
  let usage = USAGE;
  try {
    const words = positionalWords(argv, ALL_FLAGS);
    if (words.length === 0) {
      parseArgs(argv, HELP_FLAG); // only --help is valid without a command
      process.stderr.write(USAGE + '\n');
      return 0;
    }
    const name = findCommand(words);
    if (name === undefined) {
      if (Object.hasOwn(GROUPS, words[0])) {
        usage = usageOf([words[0]]);
        if (words.length === 1 && argv.includes('--help')) {
          process.stderr.write(usage + '\n');
          return 0;
        }
      }
      throw unknownCommand(words);
    }
    const def: CommandDef = COMMANDS[name];
    usage = usageOf(def.path);
    const { positional, flags } = parseArgs(argv, { ...def.flags, ...HELP_FLAG });
    if (flags.help) {
      process.stderr.write(usage + '\n');
      return 0;
    }
    return await RUN[name](positional.slice(def.path.length), flags);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${usage}\n`);
      return 2;
    }
    if (isConfigError(e)) {
      process.stderr.write((e as Error).message + '\n');
      return 78;
    }
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}
