import { parseArgs, positionalWords, suggest, UsageError } from './args';
import { ALL_FLAGS, COMMANDS, USAGE, usageOf } from './commands';

const TOKEN = COMMANDS.token.flags;
const HISTORY = COMMANDS['audit history'].flags;

describe('parseArgs', () => {
  it('reads positional words, --flag value and --flag=value', () => {
    expect(parseArgs(['token', '--role', 'clerk', '--agency=H30.01', '--ttl', '1h'], TOKEN)).toEqual({
      positional: ['token'],
      flags: { role: 'clerk', agency: 'H30.01', ttl: '1h' },
    });
    expect(parseArgs(['import', 'procedures', 'p.csv', '--effective-from', '2025-07-01'], COMMANDS['import procedures'].flags)).toEqual({
      positional: ['import', 'procedures', 'p.csv'],
      flags: { 'effective-from': '2025-07-01' },
    });
  });

  it('an unknown flag is a usage error naming the nearest declared one', () => {
    expect(() => parseArgs(['token', '--role', 'admin', '--agnecy', 'X'], TOKEN)).toThrow(new UsageError('unknown option --agnecy (did you mean --agency?)'));
    expect(() => parseArgs(['token', '--rol=admin'], TOKEN)).toThrow('unknown option --rol (did you mean --role?)');
    expect(() => parseArgs(['token', '--verbose'], TOKEN)).toThrow(/^unknown option --verbose$/);
    // A flag another command declares is still unknown here.
    expect(() => parseArgs(['token', '--json'], TOKEN)).toThrow(/^unknown option --json$/);
    // Single-dash spellings are never options of this CLI.
    expect(() => parseArgs(['token', '-role', 'admin'], TOKEN)).toThrow('unknown option -role (did you mean --role?)');
  });

  it('a flag that takes a value needs one', () => {
    expect(() => parseArgs(['token', '--role'], TOKEN)).toThrow(new UsageError('option --role needs a value'));
    expect(() => parseArgs(['token', '--agency', '--role', 'clerk'], TOKEN)).toThrow('option --agency needs a value');
    expect(() => parseArgs(['token', '--role='], TOKEN)).toThrow('option --role needs a value');
    // A value may start with a single dash (a negative number).
    expect(parseArgs(['audit', 'as-of', 'C', '--revision', '-1'], COMMANDS['audit as-of'].flags).flags).toEqual({ revision: '-1' });
  });

  it('a boolean flag takes no value and leaves the next word positional', () => {
    expect(parseArgs(['audit', 'history', '--json', 'H30-250623-0001'], HISTORY)).toEqual({
      positional: ['audit', 'history', 'H30-250623-0001'],
      flags: { json: true },
    });
    expect(() => parseArgs(['audit', 'history', 'C', '--json=yes'], HISTORY)).toThrow('option --json takes no value');
  });

  it('after a bare -- every word is positional; the last of a repeated flag wins', () => {
    expect(parseArgs(['import', 'agencies', '--', '--odd-name.csv'], {})).toEqual({ positional: ['import', 'agencies', '--odd-name.csv'], flags: {} });
    expect(parseArgs(['token', '--ttl', '1h', '--ttl', '2h'], TOKEN).flags).toEqual({ ttl: '2h' });
  });

  it('a flag named like an Object property is unknown, not inherited', () => {
    expect(() => parseArgs(['token', '--constructor'], TOKEN)).toThrow(/^unknown option --constructor$/);
  });
});

describe('positionalWords (finding the command before its options are known)', () => {
  it('skips the values of known value flags, and takes unknown flags to stand alone', () => {
    expect(positionalWords(['--ttl', '1h', 'token', '--role', 'admin'], ALL_FLAGS)).toEqual(['token']);
    expect(positionalWords(['audit', 'history', '--json', 'C'], ALL_FLAGS)).toEqual(['audit', 'history', 'C']);
    expect(positionalWords(['--agnecy', 'token'], ALL_FLAGS)).toEqual(['token']);
  });
});

describe('suggest', () => {
  it('finds transpositions, missing and extra letters, and unique prefixes; nothing for unrelated words', () => {
    const flags = ['role', 'agency', 'sub', 'ttl'];
    expect(suggest('agnecy', flags)).toBe('agency');
    expect(suggest('rol', flags)).toBe('role');
    expect(suggest('roles', flags)).toBe('role');
    expect(suggest('ag', flags)).toBe('agency');
    expect(suggest('verbose', flags)).toBeUndefined();
    expect(suggest('known-ta', ['at', 'known-at', 'revision'])).toBe('known-at');
  });
});

describe('command table', () => {
  it('every command has its usage line in the full usage, and each usage names the options it declares', () => {
    for (const c of Object.values(COMMANDS)) {
      expect(USAGE).toContain(c.usage);
      for (const flag of Object.keys(c.flags)) expect(c.usage).toContain(`--${flag}`);
      expect(usageOf(c.path)).toContain(c.usage);
    }
  });
});
