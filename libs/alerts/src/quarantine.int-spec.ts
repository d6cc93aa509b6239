/**
 * The alerts read model and the watcher's dossier quarantine on a real SQLite event store and a real alerts
 * database (SQLite and PostgreSQL): an event the read model cannot read is quarantined in its batch's
 * transaction while every other event of the batch applies and the checkpoint passes it; a dossier whose
 * deadline the watcher cannot follow is set aside once, blaming the event of its stream the domain's
 * schema refuses, and its deadline row goes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createSqliteEventStore, type EventStore } from '@motcua/event-store';
import { sqlQuarantine, type SqlDb } from '@motcua/read-models';
import { receiveAlwaysOpen, secondsDeadline, commandAlwaysOpen } from '@motcua/testing';
import { openAlertsDb } from './db';
import { ALERTS_CHECKPOINT, applyAlertsBatch, getDeadline, listDeadlines, readAlertsCheckpoint } from './projection';
import { culpritEvent, DEADLINE_PROCESS_CONSUMER, quarantineDossier, quarantineReason } from './quarantine';

const PG_URL = process.env.READ_MODELS_TEST_PG_URL ?? `postgres://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:5432/test`;

jest.setTimeout(30_000);

async function raw(store: EventStore, streamId: string, type: string, data: Record<string, unknown>): Promise<void> {
  await store.append(streamId, [{ type, data, metadata: { actor: 'legacy-import', agencyCode: 'H30.01', correlationId: `legacy-${streamId}` } }], {
    expectedRevision: 'any',
  });
}

describe.each(['sqlite', 'postgres'] as const)('alerts read model: unreadable events are quarantined (%s alerts database)', (kind) => {
  let dir: string;
  let store: EventStore;
  let db: SqlDb;
  const schema = `alq_${randomBytes(4).toString('hex')}`;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-alerts-q-'));
    store = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
    db = await openAlertsDb(kind === 'sqlite' ? { kind, file: join(dir, 'alerts.sqlite') } : { kind, connectionString: PG_URL, schema });
  });
  afterEach(async () => {
    await db.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const admin = new Pool({ connectionString: PG_URL, max: 1 });
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });

  it('a batch with unreadable events applies the rest, quarantines those once and moves its checkpoint past them', async () => {
    const hour = secondsDeadline(3600);
    await receiveAlwaysOpen(store, 'G-1', 'H30.01', hour);
    const receipt = (await store.readStream('dossier-G-1'))[0].data;
    await raw(store, 'dossier-BAD-DUE', 'dossier.received.v1', { ...receipt, dossierCode: 'BAD-DUE', dueAt: '+010000-01-07T00:00:00.000Z' });
    await receiveAlwaysOpen(store, 'G-2', 'H30.01', hour);
    await receiveAlwaysOpen(store, 'D-3', 'H30.01', hour);
    await commandAlwaysOpen(store, 'D-3', { type: 'request_supplement', occurredAt: new Date().toISOString(), reason: 'thiếu giấy tờ' });
    await raw(store, 'dossier-D-3', 'dossier.supplement-supplied.v1', { occurredAt: new Date().toISOString(), dueAt: 'next week', pausedWorkingMs: 0 });
    await raw(store, 'alerts-H30.01', 'alert.acknowledged.v1', { alertId: 'due-soon-G-1-1', occurredAt: new Date().toISOString() });
    await commandAlwaysOpen(store, 'G-1', { type: 'complete', occurredAt: new Date().toISOString(), outcome: 'approved', electronicResult: true });
    const events = await store.readAll({ maxCount: 1000 });

    const fx = (await applyAlertsBatch(db, events, ''))!;
    expect(fx.position).toBe(events[events.length - 1].position);
    expect(await readAlertsCheckpoint(db)).toBe(fx.position);
    expect((await listDeadlines(db, '', 100)).map((r) => r.code)).toEqual(['G-2']);
    expect(fx.obsolete.map((o) => o.code).sort()).toEqual(['D-3', 'G-1']);
    const at = (streamId: string, type: string) => events.find((e) => e.streamId === streamId && e.type === type)!;
    const expected = [
      [at('dossier-BAD-DUE', 'dossier.received.v1'), 'dueAt must be an ISO-8601 UTC instant, got "+010000-01-07T00:00:00.000Z"'],
      [at('dossier-D-3', 'dossier.supplement-supplied.v1'), 'dueAt must be an ISO-8601 UTC instant, got a string of 9 characters'],
      [at('alerts-H30.01', 'alert.acknowledged.v1'), 'by must be a non-empty string, got missing'],
    ] as const;
    const want = expected.map(([e, reason]) => ({
      consumer: ALERTS_CHECKPOINT,
      streamId: e.streamId,
      revision: e.revision,
      position: e.position,
      eventType: e.type,
      reason,
    }));
    expect(fx.quarantined.map(({ firstSeenAt: _f, ...q }) => q)).toEqual(want);
    const listed = await sqlQuarantine(db).list({ limit: 10 });
    expect(listed.items).toEqual(fx.quarantined);

    // Later batches go on as usual.
    await receiveAlwaysOpen(store, 'G-4', 'H30.01', hour);
    const next = await store.readAll({ after: fx.position, maxCount: 1000 });
    const fx2 = (await applyAlertsBatch(db, next, fx.position))!;
    expect(fx2.quarantined).toEqual([]);
    expect(await getDeadline(db, 'G-4')).toBeDefined();
    expect(await sqlQuarantine(db).counts()).toEqual({ [ALERTS_CHECKPOINT]: 3 });
  });

  it('a dossier set aside by the watcher: the event the schema refuses is blamed, the row dropped, once', async () => {
    const due = await receiveAlwaysOpen(store, 'P-1', 'H30.01', secondsDeadline(3600));
    await raw(store, 'dossier-P-1', 'dossier.step-recorded.v1', { occurredAt: new Date().toISOString(), kind: 'transfer' });
    await applyAlertsBatch(db, await store.readAll({ maxCount: 100 }), '');
    expect(await getDeadline(db, 'P-1')).toBeDefined();

    const culprit = await culpritEvent(store, 'P-1', due);
    expect(culprit).toMatchObject({ streamId: 'dossier-P-1', revision: 1, type: 'dossier.step-recorded.v1' });
    const err = new Error("invalid event 'dossier.step-recorded.v1': fromUnit is required; toUnit is required");
    const reason = quarantineReason(err, culprit);
    const first = await quarantineDossier(db, DEADLINE_PROCESS_CONSUMER, 'P-1', culprit, reason);
    expect(first.inserted).toEqual([expect.objectContaining({ consumer: DEADLINE_PROCESS_CONSUMER, streamId: 'dossier-P-1', revision: 1, reason })]);
    expect(first.obsolete).toEqual([{ code: 'P-1', dueAtMs: Date.parse(due) }]);
    expect(await getDeadline(db, 'P-1')).toBeUndefined();
    const again = await quarantineDossier(db, DEADLINE_PROCESS_CONSUMER, 'P-1', culprit, reason);
    expect(again).toEqual({ inserted: [], obsolete: [] });
    expect((await sqlQuarantine(db).list({ limit: 10 })).items).toEqual(first.inserted);
  });

  it('without a refused event, the one that set the due date is blamed; an empty stream names the row', async () => {
    const due = await receiveAlwaysOpen(store, 'R-1', 'H30.01', secondsDeadline(3600));
    await commandAlwaysOpen(store, 'R-1', { type: 'request_supplement', occurredAt: new Date().toISOString(), reason: 'thiếu giấy tờ' });
    expect(await culpritEvent(store, 'R-1', due)).toMatchObject({ revision: 0, type: 'dossier.received.v1' });
    expect(await culpritEvent(store, 'NONE', due)).toBeUndefined();
    const q = await quarantineDossier(db, DEADLINE_PROCESS_CONSUMER, 'NONE', undefined, 'no stream');
    expect(q.inserted).toEqual([expect.objectContaining({ streamId: 'dossier-NONE', revision: -1, position: '', eventType: 'alert_deadlines row' })]);
  });
});
