/**
 * The tick schedule (one Redis sorted set of due alerts, one BullMQ delayed job per tick boundary) against
 * real Redis, a real SQLite event store and real SQLite alerts databases: a dossier joining a tick whose
 * job already ran or is running, duplicate scheduling by two watchers, pause and resume.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@motcua/platform';
import { createSqliteEventStore, type EventStore } from '@motcua/event-store';
import { dossierStreamId } from '@motcua/domain';
import type { SqlDb } from '@motcua/read-models';
import {
  ALERT_DUE_SOON_RAISED,
  alertStreamId,
  deadlineMissedAlertId,
  getAlert,
  loadAlertsConfig,
  openAlertsDb,
  tickFor,
  tickJobId,
  type AlertsConfig,
} from '@motcua/alerts';
import {
  commandAlwaysOpen,
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
if (skipped) console.warn(`tick schedule int tests skipped: ${skipped}`);

jest.setTimeout(40_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

d('DeadlineWorker tick schedule (real Redis, real SQLite)', () => {
  let dir: string;
  let store: EventStore;
  let db: SqlDb;
  let config: AlertsConfig;
  let prefix: string;
  const workers: DeadlineWorker[] = [];
  const dbs: SqlDb[] = [];
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'tick-test');

  const startWorker = async (opts: { store?: EventStore; db?: SqlDb } = {}) => {
    const w = new DeadlineWorker({ store: opts.store ?? store, db: opts.db ?? db, redisUrl: REDIS_URL, config, logger });
    workers.push(w);
    await w.start();
    return w;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-ticks-'));
    store = await createSqliteEventStore({ file: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    prefix = `t-ticks-${randomBytes(5).toString('hex')}:`;
    config = loadAlertsConfig({ ALERT_RECONCILE_MS: '60000' }, { dataDir: dir, redisKeyPrefix: prefix });
    db = await openAlertsDb(config.db);
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await deletePrefix(REDIS_URL, prefix);
    for (const x of dbs.splice(0)) await x.close();
    await db.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a dossier joining a tick whose job already ran is raised at the next tick', async () => {
    const w = await startWorker();
    const at = Date.now();
    const dueA = await receiveAlwaysOpen(store, 'H30-TICK-A', 'H30.01', secondsDeadline(1), at);
    await until(() => getAlert(db, deadlineMissedAlertId('H30-TICK-A', dueA)), 5000, 'the first deadline');
    const tick = tickJobId(tickFor(Date.parse(dueA) + 1, 0, config.tickMs));
    await until(async () => !(await w.bullQueue.getJob(tick)), 3000, 'the tick job of that instant to finish');

    // Same receipt instant, same deadline: the same due instant, whose tick job is gone.
    const received = Date.now();
    const dueB = await receiveAlwaysOpen(store, 'H30-TICK-B', 'H30.01', secondsDeadline(1), at);
    expect(dueB).toBe(dueA);
    const missed = await until(() => getAlert(db, deadlineMissedAlertId('H30-TICK-B', dueB)), 5000, 'the late joiner');
    expect(Date.parse(missed.detectedAt) - received).toBeLessThan(1000);
    for (const c of ['H30-TICK-A', 'H30-TICK-B']) expect(await deadlineMissedEvents(store, c)).toHaveLength(1);
    await until(async () => (await w.scheduledCount()) === 0, 2000, 'an empty schedule');
  });

  it('a dossier joining a tick while its job runs is raised right after, once', async () => {
    // The watcher reads the first dossier's stream slowly: its tick job is still running when the
    // second dossier, due at the same (already past) instant, is scheduled.
    let signal!: () => void;
    const draining = new Promise<void>((r) => (signal = r));
    const slowId = dossierStreamId('H30-SLOW-A');
    const slow = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'readStream') {
          return async (id: string, o?: Parameters<EventStore['readStream']>[1]) => {
            if (id === slowId) {
              signal();
              await sleep(800);
            }
            return target.readStream(id, o);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const w = await startWorker({ store: slow });
    const at = Date.now() - 5000; // due 4 s ago: due at the next tick
    const due = await receiveAlwaysOpen(store, 'H30-SLOW-A', 'H30.01', secondsDeadline(1), at);
    await draining;
    const received = Date.now();
    expect(await receiveAlwaysOpen(store, 'H30-SLOW-B', 'H30.01', secondsDeadline(1), at)).toBe(due);
    const b = await until(() => getAlert(db, deadlineMissedAlertId('H30-SLOW-B', due)), 5000, 'the joiner');
    expect(Date.parse(b.detectedAt) - received).toBeLessThan(2000); // the 800 ms read, then the next tick at most
    await until(() => getAlert(db, deadlineMissedAlertId('H30-SLOW-A', due)), 5000, 'the slow one');
    for (const c of ['H30-SLOW-A', 'H30-SLOW-B']) expect(await deadlineMissedEvents(store, c)).toHaveLength(1);
    await until(async () => (await w.scheduledCount()) === 0, 2000, 'an empty schedule');
    expect(await w.queueCounts()).toMatchObject({ failed: 0 });
  });

  it('duplicate scheduling (two watchers, repeated reconciles) keeps one entry per alert and one job per tick, and raises once', async () => {
    const db2 = await openAlertsDb({ kind: 'sqlite', file: join(dir, 'alerts-2.sqlite') });
    dbs.push(db2);
    const w1 = await startWorker();
    const w2 = await startWorker({ db: db2 });
    const at = Date.now();
    const codes = Array.from({ length: 10 }, (_, i) => `H30-DUP-${String(i).padStart(4, '0')}`);
    let due = '';
    for (const c of codes) due = await receiveAlwaysOpen(store, c, 'H30.03', secondsDeadline(2.5), at);
    await w1.waitFor();
    await w2.waitFor();
    await Promise.all([w1.reconcile(), w2.reconcile(), w1.reconcile(), w2.reconcile()]);
    // One member per alert (due soon + deadline of each dossier), one delayed job per tick: both
    // instants are the same for the ten dossiers.
    expect(await w1.scheduledCount()).toBe(20);
    expect(await w1.queueCounts()).toMatchObject({ delayed: 2, failed: 0 });

    for (const x of [db, db2]) {
      for (const c of codes) await until(() => getAlert(x, deadlineMissedAlertId(c, due)), 8000, `${c} missed`);
    }
    for (const c of codes) expect(await deadlineMissedEvents(store, c)).toHaveLength(1);
    const dueSoon = (await store.readStream(alertStreamId('H30.03'))).filter((e) => e.type === ALERT_DUE_SOON_RAISED);
    expect(dueSoon.map((e) => (e.data as { dossierCode: string }).dossierCode).sort()).toEqual(codes);
    expect(w1.counters.raisedMissed + w2.counters.raisedMissed).toBe(10);
    expect(w1.counters.raisedDueSoon + w2.counters.raisedDueSoon).toBe(10);
    expect(await w1.scheduledCount()).toBe(0);
  });

  it('an alert whose append fails stays scheduled; the tick job is retried with back-off and raises it once', async () => {
    config = { ...config, jobBackoffMs: 200 };
    let failures = 2;
    const failingId = dossierStreamId('H30-FAIL-1');
    const flaky = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'append') {
          return async (id: string, ...rest: unknown[]) => {
            if (id === failingId && failures > 0) {
              failures--;
              throw new Error('injected: store unavailable');
            }
            return (target.append as (...a: unknown[]) => unknown)(id, ...rest);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const w = await startWorker({ store: flaky });
    const due = await receiveAlwaysOpen(store, 'H30-FAIL-1', 'H30.01', secondsDeadline(1));
    await receiveAlwaysOpen(store, 'H30-FAIL-2', 'H30.01', secondsDeadline(1));
    const missed = await until(() => getAlert(db, deadlineMissedAlertId('H30-FAIL-1', due)), 8000, 'the alert after the retries');
    expect(failures).toBe(0);
    expect(w.counters.failedEntries).toBe(2);
    // Back-off 200 ms then 400 ms after the first try at the tick.
    expect(Date.parse(missed.detectedAt) - Date.parse(due)).toBeLessThan(2500);
    expect(await deadlineMissedEvents(store, 'H30-FAIL-1')).toHaveLength(1);
    expect(await deadlineMissedEvents(store, 'H30-FAIL-2')).toHaveLength(1);
    await until(async () => (await w.scheduledCount()) === 0, 2000, 'an empty schedule');
  });

  it('a paused dossier raises nothing and leaves the schedule; on resume its new due date is scheduled', async () => {
    const w = await startWorker();
    const due = await receiveAlwaysOpen(store, 'H30-PAUSE-1', 'H30.01', secondsDeadline(1.5));
    await w.waitFor();
    expect(await w.scheduledCount()).toBe(2);
    await commandAlwaysOpen(store, 'H30-PAUSE-1', { type: 'request_supplement', occurredAt: new Date().toISOString(), reason: 'thiếu giấy tờ' });
    await until(() => Date.now() > Date.parse(due) + 600, 5000, 'the first due date');
    await until(async () => (await w.scheduledCount()) === 0, 2000, 'the paused dossier to leave the schedule');
    expect(await deadlineMissedEvents(store, 'H30-PAUSE-1')).toHaveLength(0);

    await commandAlwaysOpen(store, 'H30-PAUSE-1', { type: 'supply_supplement', occurredAt: new Date().toISOString() });
    const events = await store.readStream(dossierStreamId('H30-PAUSE-1'));
    const newDue = (events[events.length - 1].data as { dueAt: string }).dueAt;
    expect(Date.parse(newDue)).toBeGreaterThan(Date.parse(due));
    const missed = await until(() => getAlert(db, deadlineMissedAlertId('H30-PAUSE-1', newDue)), 6000, 'the moved deadline');
    expect(Date.parse(missed.detectedAt) - Date.parse(newDue)).toBeLessThan(1500);
    expect(await deadlineMissedEvents(store, 'H30-PAUSE-1')).toHaveLength(1);
  });
});
