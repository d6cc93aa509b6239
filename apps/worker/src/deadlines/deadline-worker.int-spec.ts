/**
 * The deadline watcher against real Redis (BullMQ), a real SQLite event store and a real SQLite alerts
 * database. Dossiers are written through the real decider (@motcua/testing's always-open dossiers) with a
 * 24/7 working calendar and deadlines of a few working seconds. Each run uses its own Redis key prefix;
 * "FLUSHALL" is simulated by deleting every key under that prefix (other suites share the Redis).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@motcua/platform';
import { createSqliteEventStore, type EventStore } from '@motcua/event-store';
import type { SqlDb } from '@motcua/read-models';
import { getAlert, loadAlertsConfig, openAlertsDb, queryAlerts, deadlineMissedAlertId, dueSoonAlertId, type AlertsConfig } from '@motcua/alerts';
import {
  completeAlwaysOpen,
  deadlineMissedEvents,
  deletePrefix,
  describeUnless,
  holidayReason,
  receiveAlwaysOpen,
  secondsDeadline,
  until,
} from '@motcua/testing';
import { DeadlineWorker } from './deadline-worker';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// A deadline in working seconds needs "now" to be working time, even on a 24/7 calendar.
const skipped = holidayReason();
const d = describeUnless(skipped);
if (skipped) console.warn(`deadline-worker int tests skipped: ${skipped}`);

jest.setTimeout(40_000);

d('DeadlineWorker (real Redis, real SQLite)', () => {
  let dir: string;
  let store: EventStore;
  let db: SqlDb;
  let config: AlertsConfig;
  let prefix: string;
  const workers: DeadlineWorker[] = [];
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'worker-test');

  const startWorker = async () => {
    const w = new DeadlineWorker({ store, db, redisUrl: REDIS_URL, config, logger });
    workers.push(w);
    await w.start();
    return w;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-alerts-'));
    store = await createSqliteEventStore({ file: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    prefix = `t-alerts-${randomBytes(5).toString('hex')}:`;
    config = { ...loadAlertsConfig({ ALERT_RECONCILE_MS: '500' }, { dataDir: dir, redisKeyPrefix: prefix }) };
    db = await openAlertsDb(config.db);
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await deletePrefix(REDIS_URL, prefix);
    await db.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises due-soon then deadline-missed for a dossier due in ~2 s, and nothing for one completed in time', async () => {
    const w = await startWorker();
    const dueAt = await receiveAlwaysOpen(store, 'H30-LATE-0001', 'H30.01', secondsDeadline(2));
    const dueAtOk = await receiveAlwaysOpen(store, 'H30-OK-0001', 'H30.01', secondsDeadline(2));
    await w.waitFor();
    await completeAlwaysOpen(store, 'H30-OK-0001');

    const missedId = deadlineMissedAlertId('H30-LATE-0001', dueAt);
    const missed = await until(() => getAlert(db, missedId), 6000, 'the missed-deadline alert');
    const dueSoon = await getAlert(db, dueSoonAlertId('H30-LATE-0001', dueAt));
    expect(dueSoon).toMatchObject({ kind: 'due_soon', agencyCode: 'H30.01', dossierCode: 'H30-LATE-0001', status: 'open' });
    expect(Date.parse(dueSoon!.detectedAt)).toBeLessThan(Date.parse(dueAt));
    expect(missed).toMatchObject({ kind: 'deadline_missed', agencyCode: 'H30.01', dueAt, occurredAt: new Date(Date.parse(dueAt) + 1).toISOString() });
    // Raised promptly after the domain's instant (dueAt + 1 ms for working-hour deadlines).
    expect(Date.parse(missed.detectedAt) - Date.parse(dueAt)).toBeLessThan(1500);

    const ev = await deadlineMissedEvents(store, 'H30-LATE-0001');
    expect(ev).toHaveLength(1);
    expect(ev[0].metadata).toMatchObject({ actor: 'system', agencyCode: 'H30.01', commandId: missedId });

    // The completed dossier: past its due date now, and nothing raised for it.
    await until(() => Date.now() > Date.parse(dueAtOk) + 800, 5000, 'the second due date');
    await w.waitFor();
    expect(await deadlineMissedEvents(store, 'H30-OK-0001')).toHaveLength(0);
    const all = await queryAlerts(db, { agencies: 'all', limit: 100 });
    expect(all.filter((a) => a.dossierCode === 'H30-OK-0001')).toEqual([]);
    expect(all.map((a) => a.kind).sort()).toEqual(['deadline_missed', 'due_soon']);
  });

  it('after a Redis flush and a restart: open deadlines fire on time, one that passed while down is raised at once, never twice', async () => {
    let w = await startWorker();
    const dueEarly = await receiveAlwaysOpen(store, 'H30-DOWN-0001', 'H30.01', secondsDeadline(1.5));
    const dueLater = await receiveAlwaysOpen(store, 'H30-OPEN-0001', 'H30.01', secondsDeadline(6));
    await w.waitFor();
    expect(await w.queueCounts()).toMatchObject({ delayed: 4 });

    // Stop the worker; the early deadline passes while it is down; Redis loses everything.
    await w.stop();
    workers.splice(workers.indexOf(w), 1);
    await until(() => Date.now() > Date.parse(dueEarly) + 1000, 5000, 'the early due date to pass');
    expect(await deletePrefix(REDIS_URL, prefix)).toBeGreaterThan(0);
    expect(await deadlineMissedEvents(store, 'H30-DOWN-0001')).toHaveLength(0);

    const started = Date.now();
    w = await startWorker();
    const missed = await until(() => getAlert(db, deadlineMissedAlertId('H30-DOWN-0001', dueEarly)), 5000, 'the deadline missed while down');
    expect(Date.parse(missed.detectedAt) - started).toBeLessThan(2000);

    // The other dossier still fires on time although its jobs were flushed.
    const later = await until(() => getAlert(db, deadlineMissedAlertId('H30-OPEN-0001', dueLater)), 9000, 'the open dossier deadline');
    expect(Date.parse(later.detectedAt) - Date.parse(dueLater)).toBeLessThan(1500);
    expect(Date.parse(later.detectedAt)).toBeGreaterThan(Date.parse(dueLater));
    expect(await getAlert(db, dueSoonAlertId('H30-OPEN-0001', dueLater))).toBeDefined();

    // A second flush while running: the periodic reconciler re-creates jobs; raising again is a no-op.
    await deletePrefix(REDIS_URL, prefix);
    await new Promise((r) => setTimeout(r, 1200));
    await w.reconcile();
    for (const code of ['H30-DOWN-0001', 'H30-OPEN-0001']) expect(await deadlineMissedEvents(store, code)).toHaveLength(1);
  });

  it('a restart resumes from the durable checkpoint without re-raising; a duplicate deadline job writes nothing', async () => {
    const a = await startWorker();
    const codes = ['H30-PAR-0001', 'H30-PAR-0002', 'H30-PAR-0003'];
    const dues: string[] = [];
    for (const c of codes) dues.push(await receiveAlwaysOpen(store, c, 'H30.02', secondsDeadline(1)));
    for (let i = 0; i < codes.length; i++) await until(() => getAlert(db, deadlineMissedAlertId(codes[i], dues[i])), 6000, codes[i]);
    const position = a.position;
    await a.stop();
    workers.splice(workers.indexOf(a), 1);

    const b = await startWorker();
    expect(b.position).toBe(position); // the checkpoint is in the alerts DB, not in Redis
    // The same deadline job again under another id (a retry, a second worker): the decider sees the
    // due date already marked, and the store's command-id dedupe would catch a race.
    const job = await b.bullQueue.add(
      'deadline',
      { code: codes[0], agencyCode: 'H30.02', dueAt: dues[0], dueAtMs: Date.parse(dues[0]), at: Date.now() },
      { jobId: 'dup-test-1' },
    );
    await until(async () => (await job.isCompleted()) || undefined, 5000, 'the duplicate job');
    await b.reconcile();
    await new Promise((r) => setTimeout(r, 300));
    expect(b.counters.raisedMissed).toBe(0);
    for (const c of codes) expect(await deadlineMissedEvents(store, c)).toHaveLength(1);
    const alerts = await queryAlerts(db, { agencies: ['H30.02'], limit: 100 });
    expect(alerts.filter((x) => x.kind === 'deadline_missed')).toHaveLength(3);
  });
});
