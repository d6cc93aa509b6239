/**
 * `npm run cli -- quarantine list` as a process, from its TypeScript sources: the rows of the read models'
 * and the alerts database's quarantine tables of DATA_DIR (SQLite files, as a default deployment has
 * them), in log order, as lines or JSON, filtered and paged; bad options are usage errors (exit code 2).
 */
jest.setTimeout(60_000);

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createQuarantineTable, createSqliteDb, recordQuarantined, type QuarantineCandidate } from '@motcua/read-models';

const root = join(__dirname, '../../..');
const register = `const ts = require('typescript'), fs = require('fs');
require.extensions['.ts'] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, 'utf8'), { fileName: f, compilerOptions: {
  module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true } }).outputText, f);`;

const row = (consumer: string, position: string, streamId: string, revision = 0): QuarantineCandidate => ({
  consumer,
  streamId,
  revision,
  position,
  eventType: 'dossier.received.v1',
  reason: `bad ${streamId}`,
});

describe('CLI: quarantine list', () => {
  let dataDir: string;
  const cli = (...args: string[]) => {
    const r = spawnSync(
      process.execPath,
      ['-e', `${register}\nprocess.argv.splice(1, 0, 'main');\nrequire(${JSON.stringify(join(__dirname, 'main.ts'))});`, ...args],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, DATA_DIR: dataDir, EVENT_STORE: 'sqlite', AUTH_JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' },
      },
    );
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'motcua-cli-q-'));
    // The two databases a default deployment keeps in DATA_DIR, each with what its consumers set aside.
    for (const [file, rows] of [
      ['read-models.sqlite', [row('sla_v3', '4', 'dossier-B'), row('sla_v3', '12', 'dossier-C', 3)]],
      ['alerts.sqlite', [row('alerts_v1', '4', 'dossier-B'), row('deadline-process', '9', 'dossier-D', 1)]],
    ] as const) {
      const db = createSqliteDb({ file: join(dataDir, file) });
      await createQuarantineTable(db);
      await db.transaction((tx) => recordQuarantined(tx, rows, Date.parse('2026-12-04T03:00:00.000Z')));
      await db.close();
    }
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lists both databases’ rows in log order, one line each, then the counts', () => {
    const r = cli('quarantine', 'list');
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout.trim().split('\n')).toEqual([
      '4\talerts_v1\tdossier-B@0\tdossier.received.v1\t2026-12-04T03:00:00.000Z\tbad dossier-B',
      '4\tsla_v3\tdossier-B@0\tdossier.received.v1\t2026-12-04T03:00:00.000Z\tbad dossier-B',
      '9\tdeadline-process\tdossier-D@1\tdossier.received.v1\t2026-12-04T03:00:00.000Z\tbad dossier-D',
      '12\tsla_v3\tdossier-C@3\tdossier.received.v1\t2026-12-04T03:00:00.000Z\tbad dossier-C',
      '4 in quarantine (alerts_v1: 1, deadline-process: 1, sla_v3: 2)',
    ]);
  });

  it('--json pages with --limit and --cursor; --consumer filters', () => {
    const first = cli('quarantine', 'list', '--json', '--limit', '3');
    expect(first.status).toBe(0);
    const p1 = JSON.parse(first.stdout);
    expect(p1).toMatchObject({ total: 4, counts: { sla_v3: 2, alerts_v1: 1, 'deadline-process': 1 } });
    expect(p1.items.map((x: { position: string }) => x.position)).toEqual(['4', '4', '9']);
    const p2 = JSON.parse(cli('quarantine', 'list', '--json', '--limit', '3', '--cursor', p1.nextCursor).stdout);
    expect(p2.items.map((x: { streamId: string }) => x.streamId)).toEqual(['dossier-C']);
    expect(p2.nextCursor).toBeNull();
    const only = cli('quarantine', 'list', '--consumer', 'sla_v3', '--limit', '1');
    expect(only.stdout).toContain('4\tsla_v3\tdossier-B@0');
    expect(only.stdout).toContain('4 in quarantine (alerts_v1: 1, deadline-process: 1, sla_v3: 2); listed: sla_v3 only');
    expect(only.stdout).toMatch(/more: npm run cli -- quarantine list --cursor \S+ --consumer sla_v3\n$/);
  });

  it('usage errors: exit code 2 with the usage; --help: exit code 0', () => {
    for (const args of [
      ['quarantine', 'list', '--limit', '0'],
      ['quarantine', 'list', '--cursor', 'bm9wZQ'],
      ['quarantine', 'list', '--consumr', 'x'],
      ['quarantine'],
    ]) {
      const r = cli(...args);
      expect([args.join(' '), r.status, r.stdout]).toEqual([args.join(' '), 2, '']);
      expect(r.stderr).toContain('usage:');
    }
    expect(cli('quarantine', 'list', '--consumr', 'x').stderr).toContain('unknown option --consumr (did you mean --consumer?)');
    const help = cli('quarantine', 'list', '--help');
    expect(help.status).toBe(0);
    expect(help.stderr).toContain('npm run cli -- quarantine list [--consumer NAME]');
  });
});
