/**
 * The architecture rules (.dependency-cruiser.js, drawn in docs/architecture.md) hold on the tree, and
 * each rule does fail `npm test` when broken: a probe file with one forbidden import is written into the
 * tree, dependency-cruiser is run on it as `npm test` runs it, and the rule it breaks must be reported.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

function cruise(...paths: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, '--config', '.dependency-cruiser.js', '--output-type', 'err', ...paths], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Writes `source` at `path` (relative to the repository) for the duration of `fn`. */
function withProbe<T>(path: string, source: string, fn: (path: string) => T): T {
  const file = join(ROOT, path);
  writeFileSync(file, source);
  try {
    return fn(path);
  } finally {
    rmSync(file, { force: true });
  }
}

const probeName = () => `rule-probe-${randomBytes(4).toString('hex')}.ts`;

describe('architecture rules', () => {
  it('the tree (apps, libs, test, bench) has no violation', () => {
    const r = cruise('apps', 'libs', 'test', 'bench');
    expect(r.out).toMatch(/no dependency violations found/);
    expect(r.status).toBe(0);
  });

  it.each([
    ['an app importing a sibling app (worker from api)', `apps/api/src/${probeName()}`, "import '../../worker/src/leader';\n", 'no-sibling-app'],
    ['an app importing a file inside a lib', `apps/api/src/${probeName()}`, "import '../../../libs/domain/src/state';\n", 'lib-through-its-entry'],
    [
      'production code importing a testing folder',
      `apps/worker/src/${probeName()}`,
      "import '../../../libs/read-models/src/testing/fixtures';\n",
      'production-code-imports-no-testing',
    ],
    ['the domain importing Node I/O', `libs/domain/src/${probeName()}`, "import 'node:fs';\n", 'domain-is-pure'],
    ['a lib importing a lib above its layer (event-store from domain)', `libs/event-store/src/${probeName()}`, "import '@motcua/domain';\n", 'lib-layering'],
    ['a lib importing an app', `libs/read-models/src/${probeName()}`, "import '../../../apps/api/src/cluster';\n", 'libs-do-not-import-apps'],
  ])('%s fails the rules', (_what, path, source, rule) => {
    withProbe(path, source, (p) => {
      const r = cruise(p);
      expect(r.status).not.toBe(0);
      expect(r.out).toContain(`error ${rule}:`);
    });
  });
});
