/**
 * The CLI as a process, from its TypeScript sources (transpiled on require, no build): exit codes and
 * messages of main.ts, and that `token` loads none of the heavy modules other commands need.
 */
jest.setTimeout(60_000);

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
// Registers a .ts loader, then runs `code` with process.argv as if main.ts had been started with `args`.
const register = `const ts = require('typescript'), fs = require('fs');
require.extensions['.ts'] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, 'utf8'), { fileName: f, compilerOptions: {
  module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true } }).outputText, f);`;

function run(code: string, args: string[]) {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-cli-'));
  try {
    const r = spawnSync(process.execPath, ['-e', `${register}\nprocess.argv.splice(1, 0, 'main');\n${code}`, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: dataDir, EVENT_STORE: 'sqlite', AUTH_JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const main = (args: string[]) => run(`require(${JSON.stringify(join(__dirname, 'main.ts'))});`, args);

describe('CLI process (main.ts)', () => {
  it('a misspelt option: exit code 2, the suggestion and the command usage on stderr, no token', () => {
    const r = main(['token', '--role', 'admin', '--agnecy', 'X']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown option --agnecy (did you mean --agency?)\nusage:\n  npm run cli -- token --role');
  });

  it('an option without its value: exit code 2', () => {
    const r = main(['token', '--role']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^option --role needs a value\nusage:/);
  });

  it('token: exit code 0, a JWT on stdout, and none of the other commands’ modules loaded', () => {
    const r = run(
      `require('reflect-metadata');
       require(${JSON.stringify(join(__dirname, 'cli.ts'))}).runCli(process.argv.slice(2)).then((code) => {
         const loaded = Object.keys(require.cache);
         const heavy = ['@nestjs/core/', '@nestjs/cqrs/', 'cli-progress', 'cli.module', 'audit-cli', 'reference-import', 'province-data/commands', 'projections/commands'];
         process.stderr.write('loaded: ' + JSON.stringify(heavy.filter((h) => loaded.some((f) => f.includes(h)))) + '\\n');
         process.exit(code);
       });`,
      ['token', '--role', 'admin', '--ttl', '1h'],
    );
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(r.stderr).toContain('token for sub=dev-admin role=admin, valid 3600 s');
    expect(r.stderr).toContain('loaded: []');
  });
});
