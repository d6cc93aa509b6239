import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TS_REGISTER = join(__dirname, '..', '..', '..', 'read-models', 'src', 'testing', 'ts-register.js');

/** A process entry point (loadConfigOrExit) opening the embedded stores, in a child process of its own (umask is per process). */
function runEntry(dataDir: string): void {
  const code = `
    const { loadConfigOrExit, openEventStore, openReadModels, openPersonalDataProtector } = require(${JSON.stringify(join(__dirname, '..', 'index.ts'))});
    (async () => {
      const config = loadConfigOrExit();
      const store = await openEventStore(config.eventStore);
      await store.append('probe-1', [{ type: 'probe.written.v1', data: {}, metadata: { actor: 't', correlationId: 'c' } }]);
      await store.close();
      const db = openReadModels(config);
      await db.exec('CREATE TABLE IF NOT EXISTS t (x INTEGER)');
      await db.close();
      await openPersonalDataProtector(config.personalData).close();
    })().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-r', TS_REGISTER, '-e', code], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`entry failed: ${r.stderr}`);
}

describe('data files are their owner only', () => {
  it('a new DATA_DIR is 0700 and every file the process creates in it is 0600', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'motcua-modes-')), 'data');
    runEntry(dataDir);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dataDir);
    expect(files).toEqual(expect.arrayContaining(['events.sqlite', 'read-models.sqlite', 'keys.sqlite', 'dev-jwt-secret', 'dev-personal-data-master-key']));
    for (const f of files) expect({ f, mode: (statSync(join(dataDir, f)).mode & 0o777).toString(8) }).toEqual({ f, mode: '600' });
  });
});
