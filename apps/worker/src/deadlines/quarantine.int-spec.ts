/**
 * The deadline watcher with things it cannot process, against real Redis (BullMQ), a real SQLite event
 * store and a real SQLite alerts database, deadlines of a few working seconds on a 24/7 calendar:
 * - the incident: a deadline row due in year 10000 (left by a version before the alerts read model checked
 *   its events) made the start-up reconcile throw `Invalid local date "10000-01-29"`, so every start of the
 *   worker failed; now the row is quarantined (alert-schedule) and the start goes on;
 * - an event the alerts read model cannot read is quarantined by the log follower (alerts_v1);
 * - a dossier whose stream the domain refuses when its deadline falls due is quarantined by the process
 *   manager (deadline-process) instead of failing its tick at every retry.
 * Every other dossier's alerts arrive on time; each quarantine row is reported once, and a restart neither
 * adds one nor reports one again.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@motcua/platform';
import { createSqliteEventStore, type EventStore } from '@motcua/event-store';
import { sqlQuarantine, type QuarantinedEvent, type SqlDb } from '@motcua/read-models';
import {
  ALERT_SCHEDULE_CONSUMER,
  ALERTS_CHECKPOINT,
  applyAlertsBatch,
  DEADLINE_PROCESS_CONSUMER,
  deadlineMissedAlertId,
  getAlert,
  getDeadline,
  loadAlertsConfig,
  openAlertsDb,
  type AlertsConfig,
} from '@motcua/alerts';
import { deadlineMissedEvents, deletePrefix, describeUnless, holidayReason, receiveAlwaysOpen, secondsDeadline, until } from '@motcua/testing';
import { DeadlineWorker } from './deadline-worker';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// A deadline in working seconds needs "now" to be working time, even on a 24/7 calendar.
const skipped = holidayReason();
const d = describeUnless(skipped);
if (skipped) console.warn(`deadline quarantine int tests skipped: ${skipped}`);

jest.setTimeout(40_000);

const YEAR_10000 = '+010000-01-07T00:00:00.000Z';

d('DeadlineWorker: what it cannot process is quarantined, the rest goes on (real Redis, real SQLite)', () => {
  let dir: string;
  let store: EventStore;
  let db: SqlDb;
  let config: AlertsConfig;
  let prefix: string;
  let reported: QuarantinedEvent[];
  const workers: DeadlineWorker[] = [];
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'quarantine-test');

  const startWorker = async () => {
    const w = new DeadlineWorker({ store, db, redisUrl: REDIS_URL, config, logger, onQuarantined: (q) => reported.push(...q) });
    workers.push(w);
    await w.start();
    return w;
  };
  const stopWorker = async (w: DeadlineWorker) => {
    await w.stop();
    workers.splice(workers.indexOf(w), 1);
  };
  const raw = (streamId: string, type: string, data: Record<string, unknown>) =>
    store.append(streamId, [{ type, data, metadata: { actor: 'legacy-import', agencyCode: 'H30.01', correlationId: `legacy-${streamId}` } }], {
      expectedRevision: 'any',
    });
  const quarantine = async () => (await sqlQuarantine(db).list({ limit: 100 })).items;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-alerts-q-'));
    store = await createSqliteEventStore({ file: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    prefix = `t-alertsq-${randomBytes(5).toString('hex')}:`;
    config = loadAlertsConfig({ ALERT_RECONCILE_MS: '500' }, { dataDir: dir, redisKeyPrefix: prefix });
    db = await openAlertsDb(config.db);
    reported = [];
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await deletePrefix(REDIS_URL, prefix);
    await db.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a deadline row due in year 10000 left by an older version no longer fails the start: quarantined once, every other alert raised', async () => {
    await receiveAlwaysOpen(store, 'H30-Q-OLD', 'H30.01', secondsDeadline(3600));
    const receipt = (await store.readStream('dossier-H30-Q-OLD'))[0].data;
    await raw('dossier-H30-Q-BAD', 'dossier.received.v1', {
      ...receipt,
      dossierCode: 'H30-Q-BAD',
      occurredAt: '9999-12-31T16:59:59.000Z',
      clockStartAt: '9999-12-31T16:59:59.000Z',
      deadline: { value: 5, unit: 'working_days' },
      dueAt: YEAR_10000,
    });
    const dueBefore = await receiveAlwaysOpen(store, 'H30-Q-BEFORE', 'H30.01', secondsDeadline(1.5));
    // What the older version left: its read model applied the bad receipt as any other (its row is written
    // here as that version wrote it) and its checkpoint is past it.
    const all = await store.readAll({ maxCount: 100 });
    const bad = all.find((e) => e.streamId === 'dossier-H30-Q-BAD')!;
    await applyAlertsBatch(
      db,
      all.filter((e) => e !== bad),
      '',
    );
    await db.run(
      `INSERT INTO ${db.table('alert_deadlines')} (code, agency_code, due_at, due_iso, unit, calendar_version, clock_start_at, original_due_at, paused, missed_due, due_soon_due)
       VALUES (?, 'H30.01', ?, ?, 'working_days', ?, ?, ?, 0, NULL, NULL)`,
      ['H30-Q-BAD', Date.parse(YEAR_10000), YEAR_10000, String(receipt.calendarVersion), Date.parse('9999-12-31T16:59:59.000Z'), Date.parse(YEAR_10000)],
    );

    const w = await startWorker(); // threw `Invalid local date "10000-01-29"` before the quarantine
    expect(reported).toEqual([
      expect.objectContaining({
        consumer: ALERT_SCHEDULE_CONSUMER,
        streamId: 'dossier-H30-Q-BAD',
        revision: 0,
        position: bad.position,
        eventType: 'dossier.received.v1',
        reason: expect.stringMatching(/^Invalid local date "10000-01-\d\d".*; the event's schema: dueAt must be an ISO-8601 UTC instant$/),
      }),
    ]);
    expect(await getDeadline(db, 'H30-Q-BAD')).toBeUndefined();
    const dueAfter = await receiveAlwaysOpen(store, 'H30-Q-AFTER', 'H30.01', secondsDeadline(1.5));
    for (const [code, due] of [
      ['H30-Q-BEFORE', dueBefore],
      ['H30-Q-AFTER', dueAfter],
    ]) {
      await until(() => getAlert(db, deadlineMissedAlertId(code, due)), 8000, `the missed deadline of ${code}`);
    }
    await stopWorker(w);

    const listed = await quarantine();
    await startWorker();
    expect(reported).toHaveLength(1);
    expect(await quarantine()).toEqual(listed);
    expect(listed).toHaveLength(1);
  });

  it('an unreadable receipt and a dossier whose stream the domain refuses are quarantined; the other deadline fires on time, once', async () => {
    const w = await startWorker();
    const dueOk = await receiveAlwaysOpen(store, 'H30-Q-OK', 'H30.01', secondsDeadline(1.5));
    const receipt = (await store.readStream('dossier-H30-Q-OK'))[0].data;
    const { dueAt: _dueAt, ...noDue } = receipt;
    await raw('dossier-H30-Q-NODUE', 'dossier.received.v1', { ...noDue, dossierCode: 'H30-Q-NODUE' });
    const dueBad = await receiveAlwaysOpen(store, 'H30-Q-STEP', 'H30.01', secondsDeadline(1.5));
    // A step without its units: the alerts read model does not read steps, the domain refuses it.
    await raw('dossier-H30-Q-STEP', 'dossier.step-recorded.v1', { occurredAt: new Date().toISOString(), kind: 'transfer' });

    const missed = await until(() => getAlert(db, deadlineMissedAlertId('H30-Q-OK', dueOk)), 8000, 'the good deadline');
    expect(Date.parse(missed.detectedAt) - Date.parse(dueOk)).toBeLessThan(1500);
    await until(() => reported.find((q) => q.consumer === DEADLINE_PROCESS_CONSUMER), 8000, 'the unreadable dossier at its deadline');
    await until(async () => (await w.scheduledCount()) === 0, 4000, 'an empty schedule');
    expect(await deadlineMissedEvents(store, 'H30-Q-STEP')).toHaveLength(0);
    expect(await getAlert(db, deadlineMissedAlertId('H30-Q-STEP', dueBad))).toBeUndefined();
    expect(await w.queueCounts()).toMatchObject({ failed: 0 });

    const step = (await store.readStream('dossier-H30-Q-STEP'))[1];
    const nodue = (await store.readStream('dossier-H30-Q-NODUE'))[0];
    const listed = await quarantine();
    expect(listed.map(({ firstSeenAt: _f, ...q }) => q)).toEqual([
      {
        consumer: ALERTS_CHECKPOINT,
        streamId: nodue.streamId,
        revision: 0,
        position: nodue.position,
        eventType: 'dossier.received.v1',
        reason: 'dueAt must be an ISO-8601 UTC instant, got missing',
      },
      {
        consumer: DEADLINE_PROCESS_CONSUMER,
        streamId: step.streamId,
        revision: 1,
        position: step.position,
        eventType: 'dossier.step-recorded.v1',
        reason: "invalid event 'dossier.step-recorded.v1': fromUnit is required; toUnit is required",
      },
    ]);
    expect(reported.map((q) => q.position).sort()).toEqual(listed.map((q) => q.position).sort());

    // A restart reconciles: nothing of the quarantined dossiers comes back, nothing is reported again.
    await stopWorker(w);
    const again = await startWorker();
    await again.reconcile();
    await new Promise((r) => setTimeout(r, 700));
    expect(await again.scheduledCount()).toBe(0);
    expect(reported).toHaveLength(2);
    expect(await quarantine()).toEqual(listed);
    expect(await deadlineMissedEvents(store, 'H30-Q-OK')).toHaveLength(1);
  });
});
