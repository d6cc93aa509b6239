/**
 * `/api/health` does not say ok while the event store cannot take writes, over real HTTP:
 * - SQLite filled to its page limit (PRAGMA max_page_count on the store's own connection: the limit is per
 *   connection): writes answer 503 STORE_FULL and write nothing, health answers 503 `degraded` with
 *   `checks.store.writable: false` and the reason, reads and /api/ping go on; once there is room, health is
 *   ok again and the refused write goes through;
 * - SQLite below EVENT_STORE_MIN_FREE_BYTES: 503 `low_disk_space` before anything failed;
 * - a real full file system (a small tmpfs; needs root): SQLite on it gets ENOSPC, health says disk_full,
 *   deleting a file frees it;
 * - PostgreSQL with the events table on a tablespace on a small tmpfs (needs root, a local server and a
 *   superuser): a real 53100 disk_full, 503 STORE_FULL, health disk_full until a write succeeds again.
 */
import type Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { PG_URL, startTestApp, type StartOptions } from './support/app';
import { mountTmpfs, type Tmpfs } from './support/tmpfs';

const MiB = 1024 * 1024;

/** An app with a province, a procedure and a clerk; `receive(i)` posts the receipt of dossier number i. */
async function clerkApp(opts: StartOptions) {
  const t = await startTestApp(opts);
  const admin = await t.token('admin', undefined, { sub: 'admin-disk' });
  for (const [path, b] of [
    ['/api/agencies', { code: 'H34', name: 'Tỉnh Khóa', level: 'province' }],
    ['/api/procedures', { code: 'P1', name: 'Cấp giấy phép', deadlineValue: 3, deadlineUnit: 'working_days', paymentPausesClock: false }],
  ] as const) {
    const r = await t.request('POST', path, { token: admin, body: b });
    if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
  }
  const clerk = await t.token('clerk', 'H34', { sub: 'clerk-disk' });
  const code = (i: number) => `H34-250602-${String(i).padStart(4, '0')}`;
  const receive = (i: number) =>
    t.request('POST', '/api/dossiers', {
      token: clerk,
      body: { code: code(i), agencyCode: 'H34', procedureCode: 'P1', channel: 'counter', occurredAt: '2025-06-02T09:00:00+07:00' },
      headers: { 'idempotency-key': `k-${i}` },
    });
  /** Receipts until one is refused: its number and answer. */
  const fill = async (from: number, max: number) => {
    for (let i = from; i < from + max; i++) {
      const r = await receive(i);
      if (r.status !== 201) return { i, r };
    }
    throw new Error(`${max} receipts and the store is still not full`);
  };
  return { t, clerk, code, receive, fill };
}

const expectStoreFull = (r: { status: number; body: any; headers: Headers }) => {
  expect(r.status).toBe(503);
  expect(r.body.error).toMatchObject({ code: 'STORE_FULL', message: expect.stringMatching(/out of disk space/) });
  expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
};

const expectDegraded = (r: { status: number; body: any; headers: Headers }, reason: 'disk_full' | 'low_disk_space') => {
  expect(r.status).toBe(503);
  expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(r.body).toMatchObject({
    status: 'degraded',
    checks: { store: { status: 'ok', writable: false, reason, since: expect.any(String) }, redis: { status: 'ok' } },
  });
};

describe('health and a full SQLite store (page limit)', () => {
  let app: Awaited<ReturnType<typeof clerkApp>>;
  const db = () => (app.t.store as unknown as { db: Database.Database }).db;
  beforeAll(async () => {
    app = await clerkApp({ store: 'sqlite' });
  });
  afterAll(() => app?.t.close());

  it('writes answer 503 STORE_FULL and health 503 degraded disk_full; reads and liveness go on; room again: ok, and the write goes through', async () => {
    const { t, clerk, code, receive, fill } = app;
    expect(await receive(1)).toMatchObject({ status: 201 });
    expect((await t.request('GET', '/api/health')).body).toMatchObject({ status: 'ok', checks: { store: { writable: true } } });

    db().pragma(`max_page_count = ${db().pragma('page_count', { simple: true }) as number}`);
    // Full before anything failed: the room is measured (0 bytes under the page limit).
    const before = await t.request('GET', '/api/health');
    expectDegraded(before, 'low_disk_space');
    expect(before.body.checks.store.freeBytes).toBe(0);

    const { i, r } = await fill(2, 500);
    expectStoreFull(r);
    expect(await t.store.readStream(`dossier-${code(i)}`)).toEqual([]);
    const health = await t.request('GET', '/api/health');
    expectDegraded(health, 'disk_full');
    expect(health.body.checks.store.error).toMatch(/full/);
    // The same write again: refused again (it is not answered from the idempotency cache: only 2xx are kept).
    expectStoreFull(await receive(i));
    // Reads and liveness are not affected.
    expect((await t.request('GET', `/api/dossiers/${code(1)}`, { token: clerk })).status).toBe(200);
    expect((await t.request('GET', '/api/ping')).status).toBe(200);

    db().pragma('max_page_count = 1073741823');
    const recovered = await t.request('GET', '/api/health');
    expect(recovered.status).toBe(200);
    expect(recovered.body).toMatchObject({ status: 'ok', checks: { store: { status: 'ok', writable: true } } });
    expect(recovered.body.checks.store).not.toHaveProperty('reason');
    expect(await receive(i)).toMatchObject({ status: 201 });
    expect(await t.store.readStream(`dossier-${code(i)}`)).toHaveLength(1);
  });
});

describe('health below EVENT_STORE_MIN_FREE_BYTES (sqlite)', () => {
  let app: Awaited<ReturnType<typeof clerkApp>>;
  beforeAll(async () => {
    app = await clerkApp({ store: 'sqlite', env: { EVENT_STORE_MIN_FREE_BYTES: String(2 ** 50) } });
  });
  afterAll(() => app?.t.close());

  it('503 degraded low_disk_space with the measured room and the threshold; writes are not refused for it', async () => {
    const r = await app.t.request('GET', '/api/health');
    expectDegraded(r, 'low_disk_space');
    expect(r.body.checks.store).toMatchObject({ freeBytes: expect.any(Number), minFreeBytes: 2 ** 50 });
    expect(r.body.checks.store.freeBytes).toBeLessThan(2 ** 50);
    expect(await app.receive(1)).toMatchObject({ status: 201 });
  });
});

const tmpfsProbe = mountTmpfs('probe', MiB);
const noTmpfs = 'unavailable' in tmpfsProbe ? tmpfsProbe.unavailable : undefined;
if (!('unavailable' in tmpfsProbe)) tmpfsProbe.unmount();

(noTmpfs ? describe.skip : describe)(`health and a full file system (sqlite on a 4 MiB tmpfs)${noTmpfs ? ` (skipped: ${noTmpfs})` : ''}`, () => {
  let fs: Tmpfs;
  let app: Awaited<ReturnType<typeof clerkApp>>;
  beforeAll(async () => {
    fs = mountTmpfs('full', 4 * MiB) as Tmpfs;
    // Ballast: what an operator deletes to free the disk.
    writeFileSync(join(fs.dir, 'ballast'), randomBytes(MiB));
    app = await clerkApp({ store: 'sqlite', env: { EVENT_STORE_URL: join(fs.dir, 'events.sqlite'), EVENT_STORE_MIN_FREE_BYTES: String(256 * 1024) } });
  });
  afterAll(async () => {
    await app?.t.close();
    fs?.unmount();
  });

  it('ENOSPC: writes 503 STORE_FULL, health disk_full; a file deleted: ok again and the write goes through', async () => {
    const { t, code, receive, fill } = app;
    expect((await t.request('GET', '/api/health')).status).toBe(200);
    const { i, r } = await fill(1, 5000);
    expectStoreFull(r);
    expect(await t.store.readStream(`dossier-${code(i)}`)).toEqual([]);
    const health = await t.request('GET', '/api/health');
    expectDegraded(health, 'disk_full');
    expect(health.body.checks.store.freeBytes).toBeLessThan(256 * 1024);

    rmSync(join(fs.dir, 'ballast'));
    const recovered = await t.request('GET', '/api/health');
    expect(recovered.status).toBe(200);
    expect(recovered.body.checks.store).toMatchObject({ writable: true, freeBytes: expect.any(Number) });
    expect(await receive(i)).toMatchObject({ status: 201 });
  });
});

/**
 * Why PostgreSQL's disk cannot be filled here, or undefined when it can: a tmpfs for a tablespace, owned by the
 * server's OS user, on this machine's server (the test then needs a superuser for CREATE TABLESPACE, as the
 * test set-up's `postgres` role is).
 */
function pgTablespaceUnavailable(): string | undefined {
  if (noTmpfs) return noTmpfs;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(PG_URL).hostname)) return 'the PostgreSQL server is not on this machine';
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe' });
  } catch {
    return 'no postgres OS user to own the tablespace';
  }
  return undefined;
}
const noPgTablespace = pgTablespaceUnavailable();

(noPgTablespace ? describe.skip : describe)(
  `health and a full PostgreSQL tablespace (53100 disk_full)${noPgTablespace ? ` (skipped: ${noPgTablespace})` : ''}`,
  () => {
    let fs: Tmpfs | undefined;
    let app: Awaited<ReturnType<typeof clerkApp>> | undefined;
    let admin: Client | undefined;
    const schema = `e2e_${randomBytes(6).toString('hex')}`;
    const tablespace = `motcua_full_${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
      fs = mountTmpfs('pg-full', MiB, { uid: id('-u'), gid: id('-g') }) as Tmpfs;
      admin = new Client({ connectionString: PG_URL });
      await admin.connect();
      const role = await admin.query<{ super: boolean }>('SELECT rolsuper AS super FROM pg_roles WHERE rolname = current_user');
      if (!role.rows[0]?.super) throw new Error(`CREATE TABLESPACE needs a superuser; ${PG_URL} connects as a role that is not`);
      await admin.query(`CREATE TABLESPACE ${tablespace} LOCATION '${fs.dir}'`);
      app = await clerkApp({ store: 'postgres', pgSchema: schema });
      // The log's heap on the small file system (its indexes stay where they are), and ballast beside it.
      await admin.query(`ALTER TABLE "${schema}".events SET TABLESPACE ${tablespace}`);
      await admin.query(`CREATE TABLE "${schema}".ballast (n bigint) TABLESPACE ${tablespace}`);
      for (let i = 0; i < 1000; i++) {
        try {
          await admin.query(`INSERT INTO "${schema}".ballast SELECT g FROM generate_series(1, 2000) g`);
        } catch (e) {
          if ((e as { code?: string }).code === '53100') return;
          throw e;
        }
      }
      throw new Error('the tablespace never filled');
    });
    afterAll(async () => {
      await app?.t.close(); // drops the schema, with its tables in the tablespace
      if (admin) {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.query(`DROP TABLESPACE IF EXISTS ${tablespace}`);
        await admin.end();
      }
      fs?.unmount();
    });

    it('writes answer 503 STORE_FULL (a real 53100), health 503 disk_full; space freed and a write through: ok', async () => {
      const { t, code, receive, fill } = app!;
      const { i, r } = await fill(1, 2000);
      expectStoreFull(r);
      expect(await t.store.readStream(`dossier-${code(i)}`)).toEqual([]);
      const health = await t.request('GET', '/api/health');
      expectDegraded(health, 'disk_full');
      expect(health.body.checks.store).toMatchObject({ engine: 'postgres', error: expect.stringMatching(/No space left on device/) });
      expect(health.body.checks.store).not.toHaveProperty('freeBytes'); // the server's disk is not measured from here

      await admin!.query(`DROP TABLE "${schema}".ballast`);
      // Nothing measures the server's disk: the next write tells, and health follows it.
      expect(await receive(i)).toMatchObject({ status: 201 });
      const recovered = await t.request('GET', '/api/health');
      expect(recovered.status).toBe(200);
      expect(recovered.body).toMatchObject({ status: 'ok', checks: { store: { engine: 'postgres', writable: true } } });
    });
  },
);
