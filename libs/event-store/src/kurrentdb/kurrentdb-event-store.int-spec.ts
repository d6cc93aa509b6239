/**
 * KurrentDB adapter against a real server. No KurrentDB server can run on the development
 * machine (no container engine, no package), so the suite runs only when EVENTSTORE_URL is set,
 * e.g. `EVENTSTORE_URL=kurrentdb://admin:changeit@localhost:2113?tls=false npx jest kurrentdb`,
 * and is reported as skipped, with the reason, otherwise.
 */
import { randomUUID } from 'node:crypto';
import { describeEventStoreContract } from '../contract/event-store.contract';
import { InvalidEventError, StoreUnavailableError } from '../errors';
import type { NewEvent } from '../port';
import { createKurrentDbEventStore } from './kurrentdb-event-store';

const URL = process.env.EVENTSTORE_URL;
const SKIP_REASON = 'EVENTSTORE_URL not set (no KurrentDB server on this machine)';

if (!URL) {
  // Printed once per run of this file, so the skip is visible in the log, not only in the report.
  process.stderr.write(`KurrentDB contract suite skipped: ${SKIP_REASON}\n`);
}

describeEventStoreContract(
  'kurrentdb',
  async () => {
    const store = createKurrentDbEventStore({ connectionString: URL! });
    return { store, cleanup: () => store.close() };
  },
  {
    skipReason: URL ? undefined : SKIP_REASON,
    noTamperReason: 'KurrentDB is an append-only log with no API or SQL to edit a stored event in place',
  },
);

const ev = (n: number): NewEvent => ({
  type: 'test.happened.v1',
  data: { n, note: 'Hồ sơ đã tiếp nhận' },
  metadata: { actor: 'tester', correlationId: `c-${n}` },
});

/** A test that needs the server: skipped, saying why in its own title, when there is none. */
const withServer = URL ? it : (title: string, fn: () => Promise<void>) => it.skip(`${title} (skipped: ${SKIP_REASON})`, fn);

(URL ? describe : describe.skip)(`KurrentDB adapter specifics${URL ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  jest.setTimeout(30_000);
  const store = URL ? createKurrentDbEventStore({ connectionString: URL }) : undefined!;
  afterAll(() => store?.close());

  withServer('dedupes a retried command long after, with other appends in between (not only "in quick succession")', async () => {
    const s = `kdb-${randomUUID()}`;
    const first = await store.append(s, [ev(1), ev(2)], { expectedRevision: 'no_stream', commandId: 'cmd-a' });
    await store.append(s, [ev(3)], { commandId: 'cmd-b' });
    const retry = await store.append(s, [ev(1), ev(2)], { expectedRevision: 'no_stream', commandId: 'cmd-a' });
    expect(retry).toEqual({ ...first, duplicate: true });
    expect((await store.readStream(s)).map((e) => e.data.n)).toEqual([1, 2, 3]);
  });

  withServer('hides its command-claim streams from the global log', async () => {
    const s = `kdb-${randomUUID()}`;
    const head = await store.headPosition();
    await store.append(s, [ev(1)], { commandId: 'cmd-x' });
    const all = await store.readAll({ after: head, maxCount: 10_000 });
    expect(all.every((e) => !e.streamId.startsWith('motcua-cmd-'))).toBe(true);
    expect(all.filter((e) => e.streamId === s)).toHaveLength(1);
  });
});

/** These need no server: a closed port stands for an unreachable cluster. */
describe('KurrentDB adapter without a server', () => {
  const store = createKurrentDbEventStore({ connectionString: 'kurrentdb://127.0.0.1:1?tls=false' });
  afterAll(() => store.close());

  it('reports an unreachable server as StoreUnavailableError (the API answers 503)', async () => {
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.append('dossier-1', [ev(1)])).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('validates before any I/O: a malformed event is InvalidEventError, not a connection error', async () => {
    await expect(store.append('dossier-1', [{ type: 'NotVersioned', data: {}, metadata: { actor: 'a', correlationId: 'c' } }])).rejects.toBeInstanceOf(
      InvalidEventError,
    );
  });
});
