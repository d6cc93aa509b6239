/**
 * API_PROCESSES=2 on the embedded default: the compiled app as `npm start` runs it (a script, so it can fork),
 * two API processes behind one port, one SQLite file, the local Redis. Each request below goes on a new
 * connection, so consecutive requests land on different processes (the primary hands connections out in turn).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildOnce, freePort, ROOT, RUNNER, sleep } from '../../../test/faults/cluster';
import { signDevToken } from '@motcua/platform';
import { registerProcedureBody, workingDays } from '@motcua/testing';

const PROCEDURE = '1.000001.000.00.00.T01';

function children(pid: number): number[] {
  try {
    const t = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return t ? t.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

describe('API_PROCESSES=2 (node:cluster on one port)', () => {
  let dir: string;
  let proc: ChildProcess;
  let base: string;
  let secret: string;
  let exited: Promise<number | null>;
  const prefix = `test-cluster:${process.pid}-${randomBytes(3).toString('hex')}:`;

  beforeAll(async () => {
    const dist = await buildOnce();
    dir = mkdtempSync(path.join(tmpdir(), 'motcua-cluster-'));
    const launcher = path.join(dir, 'launch.js');
    writeFileSync(launcher, RUNNER);
    const port = await freePort();
    secret = randomBytes(32).toString('base64url');
    const log = openSync(path.join(dir, 'api.log'), 'a');
    proc = spawn(process.execPath, [launcher], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: path.join(ROOT, 'node_modules'),
        MOTCUA_DIST: dist,
        MOTCUA_ENTRY: 'apps/api/src/main.js',
        API_PROCESSES: '2',
        PORT: String(port),
        DATA_DIR: dir,
        AUTH_JWT_SECRET: secret,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: prefix,
        REFERENCE_POLL_MS: '600000', // so only read-after-write across processes can make the tests pass
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    exited = new Promise((r) => proc.once('exit', (code) => r(code)));
    base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/api/ping`)).ok) break;
      } catch {
        /* not yet */
      }
      if (i > 300 || proc.exitCode !== null) throw new Error(`the API did not start:\n${readFileSync(path.join(dir, 'api.log'), 'utf8').slice(-3000)}`);
      await sleep(100);
    }
  }, 600_000);

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, p: string, token?: string, body?: unknown) => {
    const r = await fetch(base + p, {
      method,
      headers: { connection: 'close', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };

  it('runs two API processes, and a write made through one is seen at once through the other', async () => {
    expect(children(proc.pid!)).toHaveLength(2);
    // Log lines are written at least every second (bufferedStdout).
    for (let i = 0; i < 30 && !/"msg":"api listening"/.test(readFileSync(path.join(dir, 'api.log'), 'utf8')); i++) await sleep(100);
    expect(readFileSync(path.join(dir, 'api.log'), 'utf8')).toMatch(/"msg":"api listening"/);
    const admin = await signDevToken(secret, { sub: 'admin-1', role: 'admin' }, 600);
    const clerk = await signDevToken(secret, { sub: 'clerk-1', role: 'clerk', agency: 'T01' }, 600);
    // Each on a new connection: parent and child, procedure, then dossiers (the other process has not polled).
    expect((await call('POST', '/api/agencies', admin, { code: 'T01', name: 'Tỉnh Thử', level: 'province' })).status).toBe(201);
    const child = await call('POST', '/api/agencies', admin, { code: 'T01.01', name: 'Sở Thử', level: 'department', parentCode: 'T01' });
    expect(child.status).toBe(201);
    const proc1 = await call(
      'POST',
      '/api/procedures',
      admin,
      registerProcedureBody({ code: PROCEDURE, name: 'Thủ tục', deadline: workingDays(5), cutoffTime: '15:00', paymentPausesClock: true }),
    );
    expect(proc1.status === 201 ? '' : proc1.text).toBe('');
    for (let i = 0; i < 4; i++) {
      const r = await call('POST', '/api/dossiers', clerk, {
        code: `T01.01-C-${i}`,
        agencyCode: 'T01.01',
        procedureCode: PROCEDURE,
        channel: 'counter',
        occurredAt: '2025-03-03T09:00:00+07:00',
      });
      expect(r.status === 201 ? '' : r.text).toBe('');
    }
    for (let i = 0; i < 4; i++) expect((await call('GET', `/api/dossiers/T01.01-C-${i}`, clerk)).status).toBe(200);
  }, 30_000);

  it('serves /metrics summed over the processes', async () => {
    const before = await call('GET', '/metrics');
    expect(before.status).toBe(200);
    const count = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('http_request_duration_seconds_count{') && l.includes('route="/api/ping"'))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    const n0 = count(before.text);
    for (let i = 0; i < 6; i++) expect((await call('GET', '/api/ping')).status).toBe(200);
    expect(count((await call('GET', '/metrics')).text)).toBe(n0 + 6);
  }, 30_000);

  it('stops every process on SIGTERM', async () => {
    const workers = children(proc.pid!);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    await sleep(200);
    for (const w of workers) expect(() => process.kill(w, 0)).toThrow();
  }, 30_000);
});
