import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../contract/event-store.contract';
import { CommandIdTakenError, StoreFullError, WrongExpectedRevisionError } from '../errors';
import { GENESIS_HASH, verifyStreamChain } from '../hash';
import { prepareAppend, sealEvents } from '../validation';
import type { NewEvent, RecordedEvent } from '../port';
import { createSqliteEventStore } from './sqlite-event-store';

function tempFile(): { file: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-es-sqlite-'));
  return { file: join(dir, 'events.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describeEventStoreContract('sqlite', async () => {
  const { file, remove } = tempFile();
  const store = await createSqliteEventStore({ file });
  return {
    store,
    // A person with the file and the sqlite3 shell: drop the append-only trigger, edit the row.
    async tamper(streamId, revision, newDataJson) {
      const db = new Database(file);
      try {
        db.exec('DROP TRIGGER IF EXISTS events_no_update');
        db.prepare('UPDATE events SET data = ? WHERE stream_id = ? AND revision = ?').run(newDataJson, streamId, revision);
      } finally {
        db.close();
      }
    },
    async cleanup() {
      await store.close();
      remove();
    },
  };
});

const ev = (i: number, extra: Record<string, unknown> = {}): NewEvent => ({
  type: 'dossier.received.v1',
  data: { i },
  metadata: { actor: 'clerk-01', correlationId: `c-${i}`, ...extra },
});

describe('SQLite adapter specifics', () => {
  let file: string;
  let remove: () => void;
  beforeEach(() => ({ file, remove } = tempFile()));
  afterEach(() => remove());

  it('group commit: appends of one turn share a transaction, each with its own revision check, command id and error', async () => {
    const store = await createSqliteEventStore({ file });
    const [a, b, c, d, e] = await Promise.allSettled([
      store.append('s-1', [ev(1)], { expectedRevision: 'no_stream', commandId: 'cmd-1' }),
      store.append('s-1', [ev(2)], { expectedRevision: 0 }), // sees the append before it in the batch
      store.append('s-1', [ev(3)], { expectedRevision: 0 }), // stale by then: fails alone
      store.append('s-2', [ev(4), ev(5)], { expectedRevision: 'no_stream' }),
      store.append('s-1', [ev(1)], { expectedRevision: 'no_stream', commandId: 'cmd-1' }), // retry of the first
    ]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0, duplicate: false } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1, duplicate: false } });
    expect(c.status).toBe('rejected');
    expect((c as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect(d).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1 } });
    expect(e).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0, duplicate: true } });
    expect((await store.readStream('s-1')).map((x) => x.data.i)).toEqual([1, 2]);
    expect((await store.readStream('s-2')).map((x) => x.data.i)).toEqual([4, 5]);
    expect(verifyStreamChain(await store.readStream('s-1')).ok).toBe(true);
    // Accepted appends are written even when the store is closed right after the call.
    const late = store.append('s-3', [ev(6)]);
    await store.close();
    await expect(late).resolves.toMatchObject({ nextExpectedRevision: 0 });
    const again = await createSqliteEventStore({ file });
    expect(await again.streamRevision('s-3')).toBe(0);
    await again.close();
  });

  it('uses WAL with synchronous NORMAL', async () => {
    const store = await createSqliteEventStore({ file });
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
  });

  it('keeps idempotency across a restart: the retry after reopening the file is still a duplicate', async () => {
    let store = await createSqliteEventStore({ file });
    const first = await store.append('dossier-1', [ev(1)], { expectedRevision: 'no_stream', commandId: 'cmd-1' });
    await store.append('dossier-1', [ev(2)]);
    await store.close();
    store = await createSqliteEventStore({ file });
    expect(await store.append('dossier-1', [ev(1)], { expectedRevision: 'no_stream', commandId: 'cmd-1' })).toEqual({
      ...first,
      duplicate: true,
    });
    expect(await store.streamRevision('dossier-1')).toBe(1);
    await store.close();
  });

  it('two stores on one file (two connections) see each other and conflict on one stream', async () => {
    const a = await createSqliteEventStore({ file });
    const b = await createSqliteEventStore({ file, pollIntervalMs: 20 });
    await a.append('dossier-2', [ev(0)], { expectedRevision: 'no_stream' });
    await expect(b.append('dossier-2', [ev(1)], { expectedRevision: 'no_stream' })).rejects.toMatchObject({
      constructor: WrongExpectedRevisionError,
      expected: 'no_stream',
      actual: 0,
    });
    // b's subscriber hears of a's appends only through the poll fallback (no shared emitter).
    const got: RecordedEvent[] = [];
    const sub = b.subscribeToAll((events) => void got.push(...events));
    for (let i = 1; i <= 20; i++) await a.append('dossier-2', [ev(i)], { expectedRevision: i - 1 });
    const deadline = Date.now() + 5000;
    while (got.length < 21 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await sub.close();
    expect(got.map((e) => e.revision)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect(verifyStreamChain(await b.readStream('dossier-2'))).toEqual({ ok: true });
    await a.close();
    await b.close();
  });

  it("waits for another connection's write lock without blocking the event loop, keeps call order, and gives up after busyTimeoutMs", async () => {
    const store = await createSqliteEventStore({ file, busyTimeoutMs: 400 });
    // Another process holding the write lock (here a second connection of this thread: SQLite's own
    // busy handler would sleep this very thread, so the lock could never be released).
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const first = store.append('dossier-7', [ev(0)], { expectedRevision: 'no_stream' });
    await new Promise((r) => setTimeout(r, 20)); // the loop runs on while the batch waits
    const second = store.append('dossier-7', [ev(1)], { expectedRevision: 0 }); // made meanwhile: commits after
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    await new Promise((r) => setTimeout(r, 100));
    clearInterval(ticker);
    expect(ticks).toBeGreaterThanOrEqual(10);
    other.exec('COMMIT');
    expect((await first).nextExpectedRevision).toBe(0);
    expect((await second).nextExpectedRevision).toBe(1);

    other.exec('BEGIN IMMEDIATE');
    const t0 = performance.now();
    await expect(store.append('dossier-7', [ev(2)], { expectedRevision: 1 })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    other.exec('COMMIT');
    // Nothing of the failed append was written; the store goes on.
    expect((await store.readStream('dossier-7')).map((e) => e.revision)).toEqual([0, 1]);
    expect((await store.append('dossier-7', [ev(2)], { expectedRevision: 1 })).nextExpectedRevision).toBe(2);
    other.close();
    await store.close();
  });

  it('opens a version 1 file (UNIQUE index on events, commands table): history, heads and command ids carry over', async () => {
    // Write a version 1 file as the previous release did, with a valid hash chain.
    const v1 = new Database(file);
    v1.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
        type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, hash TEXT NOT NULL,
        prev_hash TEXT NOT NULL, command_id TEXT, UNIQUE (stream_id, revision));
      CREATE TABLE streams (stream_id TEXT PRIMARY KEY, metadata TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE commands (stream_id TEXT NOT NULL, command_id TEXT NOT NULL, revision INTEGER NOT NULL,
        position INTEGER NOT NULL, PRIMARY KEY (stream_id, command_id)) WITHOUT ROWID;`);
    const sealed = sealEvents(prepareAppend('dossier-7', [ev(0), ev(1)], { commandId: 'cmd-7' }), -1, GENESIS_HASH, '2024-07-01T01:00:00.000Z');
    for (const e of sealed) {
      v1.prepare(
        'INSERT INTO events (stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run('dossier-7', e.revision, e.type, e.dataJson, e.metadataJson, e.recordedAt, e.hash, e.prevHash, 'cmd-7');
    }
    v1.prepare('INSERT INTO commands VALUES (?, ?, ?, ?)').run('dossier-7', 'cmd-7', 1, 2);
    v1.close();

    const store = await createSqliteEventStore({ file });
    expect(await store.streamRevision('dossier-7')).toBe(1);
    expect(await store.append('dossier-7', [ev(0), ev(1)], { expectedRevision: 'no_stream', commandId: 'cmd-7' })).toEqual({
      streamId: 'dossier-7',
      nextExpectedRevision: 1,
      position: '2',
      duplicate: true,
    });
    await expect(store.append('dossier-7', [ev(2)], { expectedRevision: 0 })).rejects.toMatchObject({ expected: 0, actual: 1 });
    await store.append('dossier-7', [ev(2)], { expectedRevision: 1, commandId: 'cmd-8' });
    const events = await store.readStream('dossier-7');
    expect(events.map((e) => [e.revision, e.position])).toEqual([
      [0, '1'],
      [1, '2'],
      [2, '3'],
    ]);
    expect(verifyStreamChain(events)).toEqual({ ok: true });
    await store.close();
    // Reopening does not migrate twice.
    const again = await createSqliteEventStore({ file });
    expect((await again.readStream('dossier-7')).length).toBe(3);
    await again.close();
  });

  it('opens a version 2 file: it gets the command claims, and claims hold across a restart', async () => {
    const v2 = await createSqliteEventStore({ file });
    await v2.append('dossier-20', [ev(0)], { commandId: 'cmd-20' });
    await v2.close();
    const db = new Database(file);
    db.exec('DROP TABLE command_claims');
    db.pragma('user_version = 2');
    db.close();

    const store = await createSqliteEventStore({ file });
    await store.append('dossier-21', [ev(1)], { commandId: 'cmd-21', commandIdScope: 'store' });
    await store.close();
    const again = await createSqliteEventStore({ file });
    await expect(again.append('dossier-22', [ev(2)], { commandId: 'cmd-21', commandIdScope: 'store' })).rejects.toBeInstanceOf(CommandIdTakenError);
    expect(await again.append('dossier-21', [ev(1)], { commandId: 'cmd-21', commandIdScope: 'store' })).toMatchObject({ duplicate: true });
    expect(await again.streamRevision('dossier-20')).toBe(0);
    await again.close();
  });

  it('a full database (max_page_count reached) fails appends with StoreFullError, nothing written; writable again once it has room', async () => {
    const store = await createSqliteEventStore({ file });
    // The page limit is the connection's own: set it on the store's connection, as an operator's quota would be.
    const db = (store as unknown as { db: Database.Database }).db;
    await store.append('dossier-30', [ev(0)]);
    expect(await store.writability()).toMatchObject({ writable: true, freeBytes: expect.any(Number), minFreeBytes: 64 * 1024 * 1024 });
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    expect(await store.writability()).toMatchObject({ writable: false, reason: 'low_disk_space', freeBytes: 0 });
    const big = (i: number): NewEvent => ({ ...ev(i), data: { i, s: 'x'.repeat(3000) } });
    let failure: unknown;
    for (let i = 1; i < 50 && failure === undefined; i++) {
      // Two appends of one group commit: each fails or is written whole, on its own.
      const streams = [`dossier-31-${i}`, `dossier-32-${i}`];
      const r = await Promise.allSettled(streams.map((s) => store.append(s, [big(i)])));
      for (const [k, x] of r.entries()) {
        expect(await store.streamRevision(streams[k])).toBe(x.status === 'fulfilled' ? 0 : -1);
        if (x.status === 'rejected') failure = x.reason;
      }
    }
    expect(failure).toBeInstanceOf(StoreFullError);
    expect(failure).toMatchObject({ code: 'STORE_FULL' });
    expect(await store.writability()).toMatchObject({ writable: false, reason: 'disk_full', since: expect.any(String), error: expect.stringMatching(/full/) });
    expect(await store.readStream('dossier-30')).toHaveLength(1); // reads go on
    db.pragma('max_page_count = 1073741823');
    expect(await store.writability()).toMatchObject({ writable: true });
    await store.append('dossier-33', [big(99)]);
    await store.close();
  });

  it('reports low_disk_space when the room is below minFreeBytes (appends still go on)', async () => {
    const store = await createSqliteEventStore({ file, minFreeBytes: Number.MAX_SAFE_INTEGER });
    expect(await store.writability()).toMatchObject({ writable: false, reason: 'low_disk_space', since: expect.any(String) });
    await store.append('dossier-40', [ev(0)]);
    expect(await store.writability()).toMatchObject({ writable: false, reason: 'low_disk_space' });
    await store.close();
    const unmeasured = await createSqliteEventStore({ file, minFreeBytes: 0 });
    expect(await unmeasured.writability()).toMatchObject({ writable: true, minFreeBytes: 0 });
    await unmeasured.close();
  });

  it('refuses UPDATE and DELETE on events (append-only triggers)', async () => {
    const store = await createSqliteEventStore({ file });
    await store.append('dossier-3', [ev(0)]);
    await store.close();
    const db = new Database(file);
    expect(() => db.prepare("UPDATE events SET data = '{}'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    db.close();
  });

  it('honours a configured maxEventBytes', async () => {
    const store = await createSqliteEventStore({ file, maxEventBytes: 1000 });
    await expect(store.append('dossier-4', [{ ...ev(0), data: { s: 'x'.repeat(2000) } }])).rejects.toMatchObject({
      code: 'INVALID_EVENT',
    });
    await store.close();
  });

  it('works on :memory: too', async () => {
    const store = await createSqliteEventStore({ file: ':memory:' });
    await store.append('dossier-5', [ev(0), ev(1)]);
    expect((await store.readAll()).map((e) => e.position)).toEqual(['1', '2']);
    await store.close();
  });

  it('reports a closed store as unavailable', async () => {
    const store = await createSqliteEventStore({ file });
    await store.close();
    await expect(store.readAll()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.append('dossier-6', [ev(0)])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
