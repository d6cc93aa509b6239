/**
 * The CLI's argument parser: positional words and `--flag value` / `--flag=value` / `--flag` options, checked
 * against the options the command declares (no dependency for a handful of options). A flag the command does
 * not declare, a value-taking flag without its value, or a value given to a boolean flag is a UsageError, so a
 * misspelt option fails loudly instead of being ignored. No imports: the dispatcher loads this before it knows
 * which (heavy) command module it needs.
 */

/** What an option takes: the next word (or `=value`), or nothing (present means true). */
export type FlagKind = 'value' | 'boolean';
export type FlagSpec = Readonly<Record<string, FlagKind>>;
export type Flags = Record<string, string | true>;

export interface ParsedArgs {
  positional: string[];
  flags: Flags;
}

/** A mistake in how the CLI was called: the message and the command's usage go to stderr, exit code 2. */
export class UsageError extends Error {}

/** Parses `argv` strictly against `spec`. After a bare `--` every word is positional. */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const positional: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const option = optionName(a);
    if (option === undefined) {
      positional.push(a);
      continue;
    }
    const { name, inline } = option;
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined || !a.startsWith('--')) throw new UsageError(unknownOption(a, name, Object.keys(spec)));
    if (kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = inline ?? (i + 1 < argv.length && !argv[i + 1].startsWith('--') ? argv[++i] : undefined);
    if (value === undefined || value === '') throw new UsageError(`option --${name} needs a value`);
    flags[name] = value;
  }
  return { positional, flags };
}

/**
 * The positional words of `argv` when the command is not known yet (to find it): options in `known` that take
 * a value skip their value; any other option is taken to stand alone, so a misspelt one cannot swallow the
 * command's name (the strict parse then reports it).
 */
export function positionalWords(argv: readonly string[], known: FlagSpec): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    const option = optionName(a);
    if (option === undefined) words.push(a);
    else if (option.inline === undefined && a.startsWith('--') && known[option.name] === 'value' && i + 1 < argv.length && !argv[i + 1].startsWith('--')) i++;
  }
  return words;
}

/**
 * The closest of `candidates` to `word` when it is close enough to be a likely typo (a transposition, a
 * missing or extra letter, or the start of exactly one candidate), else undefined.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3))) return best;
  const prefixed = word ? candidates.filter((c) => c.startsWith(word)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** `--name`, `--name=value`, and the single-dash spellings (`-name`, `-h`) that are never valid here. */
function optionName(a: string): { name: string; inline?: string } | undefined {
  if (!a.startsWith('-') || a === '-' || /^-\d/.test(a)) return undefined;
  const body = a.replace(/^--?/, '');
  const eq = body.indexOf('=');
  return eq < 0 ? { name: body } : { name: body.slice(0, eq), inline: body.slice(eq + 1) };
}

function unknownOption(written: string, name: string, known: readonly string[]): string {
  const shown = written.includes('=') ? written.slice(0, written.indexOf('=')) : written;
  const near = suggest(name, known);
  return `unknown option ${shown}${near ? ` (did you mean --${near}?)` : ''}`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions cost 1. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
