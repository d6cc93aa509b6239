/**
 * Deadline alerts end to end over real HTTP: two API instances (same store, alerts DB and Redis prefix),
 * the deadline worker in-process (real BullMQ on real Redis), SSE clients reading the raw stream.
 *
 * The procedure's deadline is 2.16 working SECONDS on a 24/7 calendar. The procedure DTO only takes whole
 * working hours, so those receipts are written through the real decider straight into the store (the
 * same event POST /api/dossiers writes); completion goes through POST /api/dossiers/{code}/completion.
 */
import { randomBytes } from 'node:crypto';
import { DeadlineWorker } from '../apps/worker/src/deadlines';
import { createLogger } from '@motcua/platform';
import { deadlineMissedAlertId, dueSoonAlertId, loadAlertsConfig, openAlertsDb } from '@motcua/alerts';
import type { SqlDb } from '@motcua/read-models';
import { deadlineMissedEvents, deletePrefix, describeUnless, holidayReason, receiveAlwaysOpen, secondsDeadline, until } from '@motcua/testing';
import { startTestApp, type TestApp } from './support/app';

jest.setTimeout(60_000);

interface SseEvent {
  id?: string;
  event?: string;
  data?: any;
}

/** A raw SSE client on fetch: collects parsed events until closed. */
function sse(url: string, headers: Record<string, string> = {}) {
  const events: SseEvent[] = [];
  const ac = new AbortController();
  let status = 0;
  const opened = fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal }).then(async (res) => {
    status = res.status;
    if (!res.body) return;
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const ev: SseEvent = {};
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) ev.id = line.slice(4);
              else if (line.startsWith('event: ')) ev.event = line.slice(7);
              else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
            }
            if (ev.event) events.push(ev);
          }
        }
      } catch {
        /* aborted */
      }
    })();
  });
  return { events, opened, status: () => status, close: () => ac.abort() };
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const skipped = holidayReason();
const d = describeUnless(skipped);
if (skipped) console.warn(`alerts e2e skipped: ${skipped}`);

d('deadline alerts over HTTP (SQLite store, real Redis, two API instances)', () => {
  let a: TestApp;
  let b: TestApp;
  let worker: DeadlineWorker;
  let db: SqlDb;
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    const prefix = `e2e-alerts-${randomBytes(5).toString('hex')}:`;
    a = await startTestApp({ store: 'sqlite', env: { REDIS_KEY_PREFIX: prefix } });
    b = await startTestApp({
      store: 'sqlite',
      dataDir: a.dataDir,
      keep: true,
      env: { REDIS_KEY_PREFIX: prefix, AUTH_JWT_SECRET: a.config.auth.jwtSecret!, REFERENCE_POLL_MS: '100' },
    });
    const admin = await a.token('admin');
    for (const body of [
      { code: 'H30', name: 'Tỉnh Hải Dương', level: 'province' },
      { code: 'H30.01', name: 'Sở Tư pháp', level: 'department', parentCode: 'H30', workingHours: 'Mon-Sun 00:00-24:00' },
      { code: 'H31', name: 'Tỉnh khác', level: 'province' },
    ]) {
      expect((await a.request('POST', '/api/agencies', { token: admin, body })).status).toBe(201);
    }
    const config = loadAlertsConfig({ ALERT_RECONCILE_MS: '1000' }, a.config);
    db = await openAlertsDb(config.db);
    worker = new DeadlineWorker({
      store: a.store,
      db,
      redisUrl: REDIS_URL,
      config,
      logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'worker-e2e'),
    });
    await worker.start();
  });

  afterAll(async () => {
    for (const c of closers) c();
    await worker?.stop();
    await db?.close();
    await b?.close();
    await a?.close();
    if (a) await deletePrefix(REDIS_URL, a.config.redisKeyPrefix);
  });

  it('pushes due-soon and missed-deadline alerts to monitors of the subtree on both instances; none for a dossier completed in time', async () => {
    const monitorA = await a.token('monitor', 'H30', { sub: 'monitor-a' });
    const monitorB = await a.token('monitor', 'H31', { sub: 'monitor-b' });
    const viaHeader = sse(`${a.baseUrl}/api/alerts/stream`, { authorization: `Bearer ${monitorA}` });
    const viaQuery = sse(`${b.baseUrl}/api/alerts/stream?access_token=${encodeURIComponent(monitorA)}`); // EventSource style, other instance
    const other = sse(`${b.baseUrl}/api/alerts/stream?access_token=${encodeURIComponent(monitorB)}`);
    const anonymous = sse(`${a.baseUrl}/api/alerts/stream`);
    closers.push(viaHeader.close, viaQuery.close, other.close, anonymous.close);
    await Promise.all([viaHeader.opened, viaQuery.opened, other.opened, anonymous.opened]);
    expect([viaHeader.status(), viaQuery.status(), other.status(), anonymous.status()]).toEqual([200, 200, 200, 401]);

    const late = 'H30.01-261127-0001';
    const onTime = 'H30.01-261127-0002';
    const dueLate = await receiveAlwaysOpen(a.store, late, 'H30.01', secondsDeadline(2.16));
    await receiveAlwaysOpen(a.store, onTime, 'H30.01', secondsDeadline(2.16));
    const clerk = await a.token('clerk', 'H30.01', { sub: 'clerk-1' });
    const done = await a.request('POST', `/api/dossiers/${onTime}/completion`, {
      token: clerk,
      body: { occurredAt: new Date().toISOString(), outcome: 'approved' },
    });
    expect(done.status).toBe(200);

    const missedId = deadlineMissedAlertId(late, dueLate);
    for (const client of [viaHeader, viaQuery]) {
      await until(() => client.events.some((e) => e.data?.id === missedId), 8000, 'the missed-deadline alert on SSE');
    }
    const ids = viaHeader.events.map((e) => e.data.id);
    expect(ids).toEqual([dueSoonAlertId(late, dueLate), missedId]);
    expect(viaQuery.events.map((e) => e.data.id)).toEqual(ids);
    expect(viaHeader.events.map((e) => e.event)).toEqual(['alert', 'alert']);
    expect(viaHeader.events[1].data).toMatchObject({ kind: 'deadline_missed', dossierCode: late, agencyCode: 'H30.01', status: 'open', dueAt: dueLate });
    expect(Number(viaHeader.events[1].id)).toBeGreaterThan(Number(viaHeader.events[0].id)); // ids are global positions
    expect(Date.parse(viaHeader.events[1].data.detectedAt) - Date.parse(dueLate)).toBeLessThan(1500);

    // The completed dossier: past its due date now, nothing raised; monitor B saw nothing at all.
    await new Promise((r) => setTimeout(r, 1000));
    expect(viaHeader.events.filter((e) => e.data.dossierCode === onTime)).toEqual([]);
    expect(await deadlineMissedEvents(a.store, onTime)).toHaveLength(0);
    expect(other.events).toEqual([]);

    // The list, scoped by subtree.
    const list = await b.request('GET', '/api/alerts?status=open', { token: monitorA });
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: { id: string }) => x.id).sort()).toEqual([...ids].sort());
    expect((await a.request('GET', '/api/alerts', { token: monitorB })).body.items).toEqual([]);
    expect((await a.request('GET', '/api/alerts', { token: clerk })).status).toBe(403);

    // Acknowledge (recorded as an event), pushed live; the first acknowledgement wins.
    expect((await a.request('POST', `/api/alerts/${encodeURIComponent(missedId)}/acknowledge`, { token: monitorB })).status).toBe(404);
    const ack = await a.request('POST', `/api/alerts/${encodeURIComponent(missedId)}/acknowledge`, { token: monitorA });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ id: missedId, status: 'acknowledged', acknowledgedBy: 'monitor-a' });
    const again = await b.request('POST', `/api/alerts/${encodeURIComponent(missedId)}/acknowledge`, {
      token: await a.token('monitor', 'H30', { sub: 'monitor-a2' }),
    });
    expect(again.body).toMatchObject({ acknowledgedBy: 'monitor-a', acknowledgedAt: ack.body.acknowledgedAt });
    await until(() => viaQuery.events.some((e) => e.event === 'alert-acknowledged'), 5000, 'the acknowledgement on SSE');
    const acks = (await a.store.readStream('alerts-H30.01')).filter((e) => e.type === 'alert.acknowledged.v1');
    expect(acks).toHaveLength(1);
    await until(async () => (await a.request('GET', '/api/alerts?status=open', { token: monitorA })).body.items.length === 1, 5000, 'the read model');

    // Resume after the first event: exactly what came after it, in order.
    const resumed = sse(`${b.baseUrl}/api/alerts/stream?access_token=${encodeURIComponent(monitorA)}`, { 'last-event-id': viaHeader.events[0].id! });
    closers.push(resumed.close);
    await resumed.opened;
    await until(() => resumed.events.length >= 2, 5000, 'the replay');
    expect(resumed.events.map((e) => [e.event, e.data.id])).toEqual([
      ['alert', missedId],
      ['alert-acknowledged', missedId],
    ]);
    expect(await deadlineMissedEvents(a.store, late)).toHaveLength(1);

    // Queue counts in the API's metrics.
    const metrics = await a.request('GET', '/metrics');
    expect(metrics.text).toMatch(/alerts_queue_jobs\{state="delayed"\} \d+/);
  });
});
