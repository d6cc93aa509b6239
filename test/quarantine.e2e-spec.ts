/**
 * Poison events end to end, over real HTTP, on SQLite and on PostgreSQL (event store, read models and
 * alerts database all on the engine): events no version of the API would write today are put straight into
 * the store with the adapter's own append (a receipt in year 9999 due in year 10000 — the incident, whose due
 * date then failed every start of the worker —, a receipt without a due date, a completion without its
 * instant). The worker runs in this process exactly as its process composes it (apps/worker/src/worker.ts:
 * the projection job and the deadline watcher, their quarantine reporter and metrics), against the API's
 * configuration, its log captured.
 *
 * Asserted: the worker starts and goes on; the SLA figures, the dossier list and the deadline alerts of
 * every other dossier, received before and after the bad events, arrive; the bad events are in
 * GET /api/admin/quarantine (admin only, paged, query validated), in /metrics and the projections' admin
 * status; a deadline row due in year 10000 as an older version left it is quarantined at the next start;
 * and after a further restart everything is listed once, nothing reported again.
 *
 * Deadlines are a few working seconds on a 24/7 calendar (receipts through the real decider, as
 * test/alerts.e2e-spec.ts does); the suite skips, saying why, on a Vietnamese official holiday.
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { createLogger } from '@motcua/platform';
import { deadlineMissedAlertId, openAlertsDb } from '@motcua/alerts';
import { deletePrefix, holidayNow, receiveAlwaysOpen, secondsDeadline, until } from '@motcua/testing';
import { Worker } from '../apps/worker/src/worker';
import { PG_URL, startTestApp, STORES, type StoreKind, type TestApp } from './support/app';

jest.setTimeout(120_000);

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const holiday = holidayNow();
const skipped = holiday ? `skipped: ${holiday} is an official holiday (no working time, even on a 24/7 calendar)` : undefined;
const each = skipped ? describe.skip.each(STORES) : describe.each(STORES);
if (skipped) console.warn(`quarantine e2e ${skipped}`);

const AGENCY = 'H30.01';
const YEAR_10000 = '+010000-01-07T00:00:00.000Z';

interface Item {
  consumer: string;
  streamId: string;
  revision: number;
  position: string;
  eventType: string;
  reason: string;
  firstSeenAt: string;
}

each(`poison events: quarantined, and everything else goes on (%s)${skipped ? ` (${skipped})` : ''}`, (kind: StoreKind) => {
  let t: TestApp;
  let admin: string;
  let monitor: string;
  const rmSchema = `rm_q_${randomBytes(4).toString('hex')}`;
  const alSchema = `al_q_${randomBytes(4).toString('hex')}`;
  const workers: Array<{ stop(): Promise<void> }> = [];

  /** The worker as its process starts it (worker.ts), with its log lines at warn and above captured. */
  const startWorker = async () => {
    const lines: Array<Record<string, any>> = [];
    const logger = createLogger('warn', 'worker-e2e', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const worker = new Worker(t.config, logger);
    expect(await worker.start()).toBe(true);
    const w = {
      worker,
      lines,
      /** The error lines of newly quarantined rows. */
      quarantined: () => lines.filter((l) => l.event === 'event-quarantined'),
      async caughtUp() {
        const head = await t.store.headPosition();
        await worker.projections!.projections.runner.waitFor(head);
        await worker.deadlines!.worker.waitFor(head);
      },
      async stop() {
        workers.splice(workers.indexOf(w), 1);
        expect(await worker.stop()).toBe(true);
      },
    };
    workers.push(w);
    return w;
  };

  const raw = (code: string, type: string, data: Record<string, unknown>) =>
    t.store.append(`dossier-${code}`, [{ type, data, metadata: { actor: 'legacy-import', agencyCode: AGENCY, correlationId: `legacy-${code}` } }], {
      expectedRevision: 'any',
    });
  const quarantine = async (query = ''): Promise<{ items: Item[]; nextCursor: string | null; counts: Record<string, number>; total: number }> => {
    const r = await t.request('GET', `/api/admin/quarantine${query}`, { token: admin });
    if (r.status !== 200) throw new Error(`quarantine: ${r.status} ${r.text}`);
    return r.body;
  };
  const today = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
  const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  /** The agency's SLA figures around today, once the projection has applied the whole log. */
  const figures = async () => {
    const day = today();
    const r = await t.request('GET', `/api/sla?from=${addDays(day, -1)}&to=${addDays(day, 1)}&agency=${AGENCY}`, { token: monitor });
    expect(r.status).toBe(200);
    expect(r.body.watermark.behind).toBe(0);
    return r.body.rows.find((x: { agencyCode: string }) => x.agencyCode === AGENCY);
  };
  const alertFor = (code: string, dueAt: string) =>
    until(
      async () => {
        const r = await t.request('GET', '/api/alerts', { token: monitor });
        return r.body.items.find((a: { id: string }) => a.id === deadlineMissedAlertId(code, dueAt));
      },
      10_000,
      `the missed-deadline alert of ${code} over HTTP`,
    );

  beforeAll(async () => {
    const env: Record<string, string> = { ALERT_RECONCILE_MS: '1000' };
    if (kind === 'postgres') {
      Object.assign(env, {
        READ_MODELS_ENGINE: 'postgres',
        READ_MODELS_PG_URL: PG_URL,
        READ_MODELS_PG_SCHEMA: rmSchema,
        ALERTS_DB: PG_URL,
        ALERTS_DB_SCHEMA: alSchema,
      });
    }
    t = await startTestApp({ store: kind, env });
    admin = await t.token('admin', undefined, { sub: 'admin-q' });
    monitor = await t.token('monitor', 'H30', { sub: 'monitor-q' });
    for (const body of [
      { code: 'H30', name: 'Tỉnh Hải Dương', level: 'province' },
      { code: AGENCY, name: 'Sở Tư pháp', level: 'department', parentCode: 'H30', workingHours: 'Mon-Sun 00:00-24:00' },
    ]) {
      const r = await t.request('POST', '/api/agencies', { token: admin, body });
      if (r.status !== 201) throw new Error(`${r.status} ${r.text}`);
    }
  });

  afterAll(async () => {
    for (const w of [...workers]) await w.stop();
    await t?.close();
    if (t) await deletePrefix(REDIS_URL, t.config.redisKeyPrefix);
    if (kind === 'postgres') {
      const pool = new Pool({ connectionString: PG_URL, max: 1 });
      for (const s of [rmSchema, alSchema]) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await pool.end();
    }
  });

  it('the worker passes the bad events; figures and alerts of the others arrive; the quarantine lists them once, however often it restarts', async () => {
    // Before the worker starts: a good dossier, then the bad events, written straight into the store.
    const dueBefore = await receiveAlwaysOpen(t.store, 'Q-BEFORE', AGENCY, secondsDeadline(2));
    const receipt = (await t.store.readStream('dossier-Q-BEFORE'))[0].data;
    await raw('Q-BAD-YEAR', 'dossier.received.v1', {
      ...receipt,
      dossierCode: 'Q-BAD-YEAR',
      occurredAt: '9999-12-31T16:59:59.000Z',
      clockStartAt: '9999-12-31T16:59:59.000Z',
      deadline: { value: 5, unit: 'working_days' },
      dueAt: YEAR_10000,
    });
    const { dueAt: _dueAt, ...noDue } = receipt;
    await raw('Q-BAD-NODUE', 'dossier.received.v1', { ...noDue, dossierCode: 'Q-BAD-NODUE' });
    await receiveAlwaysOpen(t.store, 'Q-HELD', AGENCY, secondsDeadline(3600));
    await raw('Q-HELD', 'dossier.completed.v1', { outcome: 'approved', electronicResult: true });

    // First start: both jobs come up and go past them; a dossier received while they run is served too.
    const first = await startWorker();
    const dueAfter = await receiveAlwaysOpen(t.store, 'Q-AFTER', AGENCY, secondsDeadline(2));
    await first.caughtUp();
    for (const [code, due] of [
      ['Q-BEFORE', dueBefore],
      ['Q-AFTER', dueAfter],
    ]) {
      expect(await alertFor(code, due)).toMatchObject({ kind: 'deadline_missed', dossierCode: code, agencyCode: AGENCY });
    }
    await first.caughtUp();
    expect(await figures()).toMatchObject({ received: 3, completed: 0 }); // Q-BEFORE, Q-HELD (its receipt), Q-AFTER
    const list = await t.request('GET', `/api/dossiers?agency=${AGENCY}&limit=50`, { token: monitor });
    expect(list.body.items.map((x: { code: string; status: string }) => [x.code, x.status]).sort()).toEqual([
      ['Q-AFTER', 'received'],
      ['Q-BEFORE', 'received'],
      ['Q-HELD', 'quarantined'],
    ]);
    const alerts = (await t.request('GET', '/api/alerts', { token: monitor })).body.items.map((a: { dossierCode: string }) => a.dossierCode);
    expect(alerts).not.toEqual(expect.arrayContaining(['Q-HELD']));

    // The quarantine route: log order, each bad event once per consumer that could not read it.
    const log = await t.store.readAll({ maxCount: 1000 });
    const at = (code: string, revision: number) => log.find((e) => e.streamId === `dossier-${code}` && e.revision === revision)!;
    const one = await quarantine();
    expect(one.items.map((q) => [q.consumer, q.streamId, q.revision, q.position, q.eventType])).toEqual([
      ['alerts_v1', 'dossier-Q-BAD-YEAR', 0, at('Q-BAD-YEAR', 0).position, 'dossier.received.v1'],
      ['sla_v3', 'dossier-Q-BAD-YEAR', 0, at('Q-BAD-YEAR', 0).position, 'dossier.received.v1'],
      ['alerts_v1', 'dossier-Q-BAD-NODUE', 0, at('Q-BAD-NODUE', 0).position, 'dossier.received.v1'],
      ['sla_v3', 'dossier-Q-BAD-NODUE', 0, at('Q-BAD-NODUE', 0).position, 'dossier.received.v1'],
      ['sla_v3', 'dossier-Q-HELD', 1, at('Q-HELD', 1).position, 'dossier.completed.v1'],
    ]);
    expect(one.items[0].reason).toBe(`dueAt must be an ISO-8601 UTC instant, got "${YEAR_10000}"`);
    expect(one.items[4].reason).toBe("occurredAt is missing; the event's schema: occurredAt is required");
    expect(one).toMatchObject({ counts: { alerts_v1: 2, sla_v3: 3 }, total: 5, nextCursor: null });
    // The worker said so once per row: an error line each, and its counter.
    const sorted = (rows: unknown[][]) => rows.map((r) => r.join(' ')).sort();
    expect(sorted(first.quarantined().map((l) => [l.level, l.quarantine.consumer, l.quarantine.streamId, l.quarantine.revision]))).toEqual(
      sorted(one.items.map((q) => [50, q.consumer, q.streamId, q.revision])),
    );
    expect(first.quarantined()[0].msg).toMatch(/^event quarantined by \S+: dossier\.\S+ dossier-Q-\S+@\d+ \(position \d+\): /);
    const workerMetrics = await first.worker.metrics.scrape();
    expect(workerMetrics).toContain('events_quarantined_total{consumer="sla_v3"} 3');
    expect(workerMetrics).toContain('events_quarantined_total{consumer="alerts_v1"} 2');
    // The API's signals: /metrics and the projections' admin status.
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.text).toContain('events_quarantined{consumer="sla_v3"} 3');
    expect(metrics.text).toContain('events_quarantined{consumer="alerts_v1"} 2');
    expect((await t.request('GET', '/api/admin/projections', { token: admin })).body.quarantine).toEqual({
      total: 5,
      counts: { alerts_v1: 2, sla_v3: 3 },
      link: '/api/admin/quarantine',
    });

    // Paged, filtered, validated like the other query DTOs; admins only.
    const pages: Item[] = [];
    for (let cursor = ''; ;) {
      const p = await quarantine(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...p.items);
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    expect(pages).toEqual(one.items);
    expect((await quarantine('?consumer=sla_v3')).items.map((q) => q.streamId)).toEqual(['dossier-Q-BAD-YEAR', 'dossier-Q-BAD-NODUE', 'dossier-Q-HELD']);
    for (const [query, field] of [
      ['?foo=1', 'foo'],
      ['?limit=0', 'limit'],
      ['?limit=501', 'limit'],
      ['?limit=abc', 'limit'],
      ['?consumer=SLA%20v3', 'consumer'],
      ['?cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ]) {
      const r = await t.request('GET', `/api/admin/quarantine${query}`, { token: admin });
      expect([query, r.status, r.body.error.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      expect(JSON.stringify(r.body.error)).toContain(field);
    }
    expect((await t.request('GET', '/api/admin/quarantine', { token: monitor })).status).toBe(403);
    expect((await t.request('GET', '/api/admin/quarantine')).status).toBe(401);
    const openapi = await t.request('GET', '/api/docs-json');
    expect(Object.keys(openapi.body.paths['/api/admin/quarantine'].get.parameters.reduce((o: any, p: any) => ({ ...o, [p.name]: p }), {})).sort()).toEqual([
      'consumer',
      'cursor',
      'limit',
    ]);

    // Restart, with the deadline row an older version wrote for the year-10000 receipt (the incident:
    // the start-up reconcile then failed every start). It is quarantined at this start, and the start goes on.
    await first.stop();
    const alertsDb = await openAlertsDb(t.config.alerts.db);
    try {
      await alertsDb.run(
        `INSERT INTO ${alertsDb.table('alert_deadlines')} (code, agency_code, due_at, due_iso, unit, calendar_version, clock_start_at, original_due_at, paused, missed_due, due_soon_due)
         VALUES ('Q-BAD-YEAR', ?, ?, ?, 'working_days', ?, ?, ?, 0, NULL, NULL)`,
        [AGENCY, Date.parse(YEAR_10000), YEAR_10000, String(receipt.calendarVersion), Date.parse('9999-12-31T16:59:59.000Z'), Date.parse(YEAR_10000)],
      );
    } finally {
      await alertsDb.close();
    }
    const second = await startWorker();
    expect(second.quarantined().map((l) => [l.quarantine.consumer, l.quarantine.streamId])).toEqual([['alert-schedule', 'dossier-Q-BAD-YEAR']]);
    // At each start the worker says what lies in quarantine.
    expect(second.lines.find((l) => l.msg?.startsWith('events lie in quarantine'))).toMatchObject({ level: 40, total: 6 });
    const dueAfter2 = await receiveAlwaysOpen(t.store, 'Q-AFTER-2', AGENCY, secondsDeadline(2));
    await alertFor('Q-AFTER-2', dueAfter2);
    await second.caughtUp();
    expect(await figures()).toMatchObject({ received: 4, completed: 0 });
    const two = await quarantine();
    expect(two.total).toBe(6);
    expect(two.items.filter((q) => q.consumer === 'alert-schedule')).toEqual([
      expect.objectContaining({
        streamId: 'dossier-Q-BAD-YEAR',
        revision: 0,
        position: at('Q-BAD-YEAR', 0).position,
        reason: expect.stringContaining('Invalid local date'),
      }),
    ]);
    expect(two.items.filter((q) => q.consumer !== 'alert-schedule')).toEqual(one.items);

    // Another restart: nothing new in the quarantine, nothing reported, and dossiers are still served.
    await second.stop();
    const third = await startWorker();
    const dueAfter3 = await receiveAlwaysOpen(t.store, 'Q-AFTER-3', AGENCY, secondsDeadline(2));
    await alertFor('Q-AFTER-3', dueAfter3);
    await third.caughtUp();
    expect(await figures()).toMatchObject({ received: 5, completed: 0 });
    expect(await quarantine()).toEqual(two);
    expect(third.quarantined()).toEqual([]);
    expect(await third.worker.metrics.scrape()).not.toContain('events_quarantined_total{');
    for (const code of ['Q-BEFORE', 'Q-AFTER', 'Q-AFTER-2', 'Q-AFTER-3']) {
      expect((await t.store.readStream(`dossier-${code}`)).filter((e) => e.type === 'dossier.deadline-missed.v1')).toHaveLength(1);
    }
    await third.stop();
  });
});
