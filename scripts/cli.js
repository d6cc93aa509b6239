#!/usr/bin/env node
// `npm run cli -- ...`: runs the compiled CLI (dist/apps/cli/src/main.js) with the given arguments, building
// the tree first (`npm run -s build`) only when there is no build yet or a source changed since the last one
// this script made. "Changed" is a fingerprint of the path, mtime and size of every file the build reads
// (apps/ and libs/ TypeScript and JSON outside tests, the tsconfigs, package.json, scripts/link-dist.js),
// taken just before building and written to dist/ after a successful build: an edit during the build, a
// deleted file or a file restored with an older mtime all count as a change. A build made another way (plain
// `npm run build`) writes no fingerprint, so the next call builds once more. `npm start` builds through
// `node scripts/cli.js --build-only` (build if needed, run nothing), so the CLI after it does not build again.
'use strict';
const fs = require('fs');
const path = require('path');
const { createHash } = require('crypto');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const entry = path.join(dist, 'apps', 'cli', 'src', 'main.js');
const stampFile = path.join(dist, '.cli-build-fingerprint');

// What tsconfig.build.json leaves out: test files and the contract suites.
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;
const SKIPPED_DIRS = new Set(['node_modules', 'contract']);

function sourceFiles() {
  const files = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/link-dist.js'].map((f) => path.join(root, f));
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) walk(p);
      } else if ((e.name.endsWith('.ts') && !TEST_FILE.test(e.name)) || e.name.endsWith('.json')) files.push(p);
    }
  };
  for (const top of ['apps', 'libs']) walk(path.join(root, top));
  return files.sort();
}

function fingerprint() {
  const hash = createHash('sha256');
  for (const f of sourceFiles()) {
    let line;
    try {
      const s = fs.statSync(f);
      line = `${path.relative(root, f)} ${s.mtimeMs} ${s.size}\n`;
    } catch {
      line = `${path.relative(root, f)} missing\n`; // deleted between the listing and the stat
    }
    hash.update(line);
  }
  return hash.digest('hex');
}

function readStamp() {
  try {
    return fs.readFileSync(stampFile, 'utf8').trim();
  } catch {
    return undefined;
  }
}

const current = fingerprint();
const stamp = readStamp();
if (!fs.existsSync(entry) || stamp !== current) {
  process.stderr.write(
    `cli: building (${!fs.existsSync(entry) ? 'no build yet' : stamp === undefined ? 'no fingerprint of the last build' : 'sources changed since the last build'}) ...\n`,
  );
  fs.rmSync(stampFile, { force: true }); // a failed or interrupted build leaves none
  // The build's output goes to stderr: stdout is the command's (TOKEN=$(npm run -s cli -- token ...)).
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  if (r.error) {
    process.stderr.write(`cli: could not run the build: ${r.error.message}\n`);
    process.exit(1);
  }
  if (r.status !== 0) {
    process.stderr.write(`cli: the build failed (exit ${r.status ?? r.signal}); not running the CLI\n`);
    process.exit(r.status || 1);
  }
  fs.writeFileSync(stampFile, current + '\n');
} else if (process.argv[2] === '--build-only') {
  process.stderr.write('cli: the build is up to date (no source changed since the last one)\n');
}
if (process.argv[2] === '--build-only') process.exit(0);

process.argv[1] = entry;
require(entry);
