import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { describeEventStoreContract } from '../contract/event-store.contract';
import { StoreUnavailableError, WrongExpectedRevisionError } from '../errors';
import { verifyStreamChain } from '../hash';
import { comparePositions, type AppendResult, type NewEvent, type RecordedEvent } from '../port';
import { createPostgresEventStore, type PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';
import type { BeforeCommitHook, BeforeCommitInfo } from './write-context';
import { decodePosition } from './positions';

jest.setTimeout(30_000);

const CONNECTION = process.env.EVENT_STORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const ev = (n: number, extra: Record<string, unknown> = {}): NewEvent => ({
  type: 'test.happened.v1',
  data: { n, ...extra },
  metadata: { actor: 'tester', correlationId: `c-${n}` },
});

/** Every store a test opens, closed (and its schema dropped) after the test. */
const open: PostgresEventStore[] = [];
const schemas = new Set<string>();
let admin: Pool;

function newSchema(): string {
  const schema = `es_test_${randomBytes(6).toString('hex')}`;
  schemas.add(schema);
  return schema;
}

function store(schema: string, extra: Partial<PostgresEventStoreOptions> = {}): PostgresEventStore {
  const s = createPostgresEventStore({ connectionString: CONNECTION, schema, poolSize: 3, pollIntervalMs: 50, ...extra });
  open.push(s);
  return s;
}

/** Visibility waits for every older transaction of the cluster (other suites run beside us): poll. */
async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function readWholeLog(s: PostgresEventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const page = await s.readAll({ after: all.at(-1)?.position, maxCount: 500 });
    all.push(...page);
    if (page.length < 500) return all;
  }
}

beforeAll(() => {
  admin = new Pool({ connectionString: CONNECTION, max: 2 });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  schemas.clear();
});

afterAll(async () => {
  await admin.end();
});

describeEventStoreContract('postgres', async () => {
  const schema = `es_contract_${randomBytes(6).toString('hex')}`;
  const store = createPostgresEventStore({ connectionString: CONNECTION, schema, poolSize: 4, pollIntervalMs: 50 });
  await store.init();
  const pool = new Pool({ connectionString: CONNECTION, max: 1 });
  return {
    store,
    tamper: async (streamId, revision, newDataJson) => {
      await pool.query(`UPDATE "${schema}".events SET data = $3::json WHERE stream_id = $1 AND revision = $2`, [streamId, revision, newDataJson]);
    },
    cleanup: async () => {
      await store.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
});

describe('PostgreSQL event store: basics', () => {
  it('appends, reads a stream both ways, keeps the hash chain and detects a hand edit', async () => {
    const s = store(newSchema());
    const r1 = await s.append('dossier-1', [ev(0), ev(1, { tên: 'Nguyễn Văn Ánh' })], { expectedRevision: 'no_stream' });
    expect(r1).toMatchObject({ streamId: 'dossier-1', nextExpectedRevision: 1, duplicate: false });
    const r2 = await s.append('dossier-1', [ev(2)], { expectedRevision: 1 });
    expect(comparePositions(r2.position, r1.position)).toBeGreaterThan(0);

    const forwards = await s.readStream('dossier-1');
    expect(forwards.map((e) => e.revision)).toEqual([0, 1, 2]);
    expect(forwards[1].data).toEqual({ n: 1, tên: 'Nguyễn Văn Ánh' });
    expect(forwards[2].position).toBe(r2.position);
    expect(verifyStreamChain(forwards)).toEqual({ ok: true });
    const backwards = await s.readStream('dossier-1', { direction: 'backwards', fromRevision: 1 });
    expect(backwards.map((e) => e.revision)).toEqual([1, 0]);
    expect(await s.streamRevision('dossier-1')).toBe(2);
    expect(await s.streamRevision('nope')).toBe(-1);

    await admin.query(`UPDATE "${s.schema}".events SET data = '{"n":99}' WHERE stream_id = 'dossier-1' AND revision = 1`);
    const verdict = verifyStreamChain(await s.readStream('dossier-1'));
    expect(verdict).toMatchObject({ ok: false, streamId: 'dossier-1', revision: 1 });
  });

  it('rejects a wrong expected revision naming expected and actual', async () => {
    const s = store(newSchema());
    await s.append('x', [ev(0)]);
    await expect(s.append('x', [ev(1)], { expectedRevision: 'no_stream' })).rejects.toMatchObject({
      constructor: WrongExpectedRevisionError,
      streamId: 'x',
      expected: 'no_stream',
      actual: 0,
    });
    await expect(s.append('y', [ev(1)], { expectedRevision: 'stream_exists' })).rejects.toMatchObject({ actual: -1 });
    await expect(s.append('x', [ev(1)], { expectedRevision: 5 })).rejects.toMatchObject({ expected: 5, actual: 0 });
    // A refused append to a new stream leaves no stream behind.
    expect(await s.streamRevision('y')).toBe(-1);
  });

  it('idempotency is guaranteed however late the retry comes, across store instances', async () => {
    const schema = newSchema();
    const a = store(schema);
    const first = await a.append('d', [ev(0), ev(1)], { expectedRevision: 'no_stream', commandId: 'cmd-1' });
    for (let i = 2; i < 12; i++) await a.append('d', [ev(i)], { commandId: `other-${i}` });
    const b = store(schema);
    const retry = await b.append('d', [ev(0), ev(1)], { expectedRevision: 'no_stream', commandId: 'cmd-1' });
    expect(retry).toEqual({ ...first, duplicate: true });
    expect(await b.streamRevision('d')).toBe(11);
    // Same command id on another stream is another command.
    await expect(b.append('e', [ev(0)], { commandId: 'cmd-1' })).resolves.toMatchObject({ duplicate: false });
  });

  it('a head one store remembers and another store moved: the one-statement path falls back, chain and rules intact', async () => {
    const schema = newSchema();
    const a = store(schema);
    const b = store(schema);
    await a.append('d', [ev(0)], { expectedRevision: 'no_stream', commandId: 'k0' }); // a remembers head 0
    await b.append('d', [ev(1)], { expectedRevision: 0, commandId: 'k1' }); // b moves it to 1
    // a's remembered head is stale: an exact expectation from it is a conflict naming the real head ...
    await expect(a.append('d', [ev(9)], { expectedRevision: 0 })).rejects.toMatchObject({
      constructor: WrongExpectedRevisionError,
      expected: 0,
      actual: 1,
    });
    await b.append('d', [ev(2)], { expectedRevision: 1, commandId: 'k2' });
    // ... 'any' chains onto the real head, not the remembered one ...
    await expect(a.append('d', [ev(3)], { expectedRevision: 'any', commandId: 'k3' })).resolves.toMatchObject({
      nextExpectedRevision: 3,
      duplicate: false,
    });
    // ... a retry of b's command through a (head remembered and current) is still a duplicate ...
    await expect(a.append('d', [ev(2)], { commandId: 'k2' })).resolves.toMatchObject({ nextExpectedRevision: 2, duplicate: true });
    // ... and a no_stream creator racing a stream another store created is refused.
    await b.append('n', [ev(0)], { expectedRevision: 'no_stream' });
    await expect(a.append('n', [ev(0)], { expectedRevision: 'no_stream' })).rejects.toMatchObject({ expected: 'no_stream', actual: 0 });
    const events = await a.readStream('d');
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
    expect(verifyStreamChain(events)).toEqual({ ok: true });
    const log = await readWholeLog(a);
    expect(log.filter((e) => e.streamId === 'd').map((e) => e.revision)).toEqual([0, 1, 2, 3]);
  });

  it('reads as known at an instant, and keeps stream metadata', async () => {
    let now = Date.parse('2025-03-01T02:00:00.000Z');
    const s = store(newSchema(), { clock: () => new Date(now) });
    await s.append('d', [ev(0)]);
    now += 60_000;
    await s.append('d', [ev(1)]);
    const asKnown = await s.readStream('d', { recordedAtOrBefore: '2025-03-01T02:00:30.000Z' });
    expect(asKnown.map((e) => [e.revision, e.recordedAt])).toEqual([[0, '2025-03-01T02:00:00.000Z']]);

    expect(await s.getStreamMetadata('d')).toBeUndefined();
    await s.setStreamMetadata('d', { retention: 'permanent', owner: 'Sở Tư pháp' });
    expect(await s.getStreamMetadata('d')).toEqual({ owner: 'Sở Tư pháp', retention: 'permanent' });
  });

  it('maps an unreachable server to StoreUnavailableError', async () => {
    const s = createPostgresEventStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: 'es_unreachable' });
    try {
      await expect(s.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(s.append('d', [ev(0)])).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(s.readAll()).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await s.close();
    }
  });
});

/**
 * Tx A allocates its sequence number first and stays open (held by `holdA`) while tx B, written by `fast`,
 * allocates a higher one and commits first: no reader may see B before A resolves, and both then arrive in
 * commit-consistent order. The caller decides how A is held and which write path A and B take.
 */
async function expectNoReaderPassesAnOpenTransaction(
  schema: string,
  fast: PostgresEventStore,
  holdA: { append: () => Promise<AppendResult>; held: Promise<unknown>; release: () => Promise<void> | void },
  appendB: () => Promise<AppendResult>,
): Promise<void> {
  const delivered: RecordedEvent[] = [];
  const sub = fast.subscribeToAll((events) => void delivered.push(...events));

  // Tx A allocates its sequence number first and stays open...
  const appendA = holdA.append();
  let resultB: AppendResult;
  try {
    await holdA.held;
    // ...while tx B allocates a higher one and commits first.
    resultB = await appendB();
    const naive = await admin.query<{ seq: string }>(`SELECT seq FROM "${schema}".events ORDER BY seq`);
    expect(naive.rows).toHaveLength(1); // a reader ordering by seq alone would now pass A's gap

    // B is committed, but no reader may see it before A resolves.
    expect(await fast.readAll()).toEqual([]);
    expect(await fast.headPosition()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300)); // several poll intervals and B's NOTIFY
    expect(delivered).toEqual([]);
  } finally {
    // Never leave A open when an expectation fails: an open transaction holds back every reader of the cluster.
    await holdA.release();
  }
  const resultA = await appendA;
  const a = decodePosition(resultA.position);
  const b = decodePosition(resultB.position);
  expect(BigInt(a.seq)).toBeLessThan(BigInt(b.seq)); // the interleaving really happened
  expect(comparePositions(resultA.position, resultB.position)).toBeLessThan(0); // commit-consistent order

  await waitFor(() => delivered.length >= 2, 'both events delivered');
  await new Promise((r) => setTimeout(r, 150));
  expect(delivered.map((e) => e.streamId)).toEqual(['stream-a', 'stream-b']);
  expect((await fast.readAll()).map((e) => e.position)).toEqual([resultA.position, resultB.position]);
  await sub.close();
}

/** A hold on the write transactions of a store: the `beforeCommit` seam waits for `release()`. */
function commitGate(): { hook: BeforeCommitHook; held: Promise<BeforeCommitInfo>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let held!: (info: BeforeCommitInfo) => void;
  const heldTx = new Promise<BeforeCommitInfo>((r) => (held = r));
  return {
    hook: async (info) => {
      held(info);
      await gate;
    },
    held: heldTx,
    release,
  };
}

/** Waits until a statement on `schema` containing `marker` waits for a lock (another transaction holds it). */
async function waitForBlockedStatement(schema: string, marker: string): Promise<void> {
  await waitFor(async () => {
    const { rows } = await admin.query(
      `SELECT 1 FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND position($1 in query) > 0 AND position($2 in query) > 0`,
      [`"${schema}".`, marker],
    );
    return rows.length > 0;
  }, `a statement (${marker}) blocked on a lock`);
}

/** Text only the one-statement path's SQL contains (fast-write.ts), to find it in pg_stat_activity. */
const FAST_STATEMENT_MARKER = 'moved AS (';

describe('PostgreSQL event store: global order without gaps or skips', () => {
  it('never passes a transaction that commits later with a lower sequence number', async () => {
    const schema = newSchema();
    const gate = commitGate();
    const slow = store(schema, { beforeCommit: gate.hook });
    const fast = store(schema);
    await fast.init();

    // Neither stream is known to its store and neither append says no_stream: both take the checked path.
    await expectNoReaderPassesAnOpenTransaction(schema, fast, { append: () => slow.append('stream-a', [ev(1)]), held: gate.held, release: gate.release }, () =>
      fast.append('stream-b', [ev(2)]),
    );
    expect((await gate.held).path).toBe('checked');
  });

  it('never passes it either when both transactions take the one-statement path (A held by the test seam)', async () => {
    const schema = newSchema();
    const gate = commitGate();
    const slow = store(schema, { beforeCommit: gate.hook });
    const fast = store(schema);
    await fast.init();

    // New streams (no_stream), one append each: the one-statement path takes both.
    await expectNoReaderPassesAnOpenTransaction(
      schema,
      fast,
      { append: () => slow.append('stream-a', [ev(1)], { expectedRevision: 'no_stream' }), held: gate.held, release: gate.release },
      () => fast.append('stream-b', [ev(2)], { expectedRevision: 'no_stream' }),
    );
    expect(await gate.held).toMatchObject({ path: 'fast', streamIds: ['stream-a'] });
  });

  it('never passes it either without any test seam: the one-statement path held by a lock on its command id', async () => {
    const schema = newSchema();
    const slow = store(schema);
    const fast = store(schema);
    await Promise.all([slow.init(), fast.init()]);
    // Another session records A's command id and stays open. A's one statement creates its stream and
    // inserts its event (taking its sequence number) first, then waits on that command's key: the statement
    // writes the commands table last (an unreferenced data-modifying WITH runs after the main query).
    const locker = await admin.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`INSERT INTO "${schema}".commands (stream_id, command_id, next_expected_revision) VALUES ('stream-a', 'cmd-a', 0)`);
      // (Had A's statement failed and fallen back to the checked path, its sequence number would follow B's.)
      await expectNoReaderPassesAnOpenTransaction(
        schema,
        fast,
        {
          append: () => slow.append('stream-a', [ev(1)], { expectedRevision: 'no_stream', commandId: 'cmd-a' }),
          held: waitForBlockedStatement(schema, FAST_STATEMENT_MARKER),
          release: async () => void (await locker.query('ROLLBACK')),
        },
        () => fast.append('stream-b', [ev(2)], { expectedRevision: 'no_stream' }),
      );
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
    }
  });

  it('two stores remembering the same head race through the one-statement path: one wins, the other gets the conflict', async () => {
    const schema = newSchema();
    let hook: BeforeCommitHook = async () => undefined;
    const a = store(schema, { beforeCommit: (info) => hook(info) });
    const b = store(schema);
    // Both stores learn head 0: a wrote it, b retried a's command (a duplicate, decided under the row lock).
    const setup = await a.append('d', [ev(0)], { expectedRevision: 'no_stream', commandId: 'setup' });
    await expect(b.append('d', [ev(0)], { expectedRevision: 'no_stream', commandId: 'setup' })).resolves.toEqual({
      ...setup,
      duplicate: true,
    });

    const gate = commitGate();
    hook = gate.hook;
    const appendA = a.append('d', [ev(1, { who: 'a' }), ev(2, { who: 'a' })], { expectedRevision: 0 });
    let appendB: Promise<{ result?: AppendResult; error?: unknown }>;
    try {
      expect(await gate.held).toMatchObject({ path: 'fast', streamIds: ['d'] }); // a's statement moved the head, not committed
      appendB = b.append('d', [ev(1, { who: 'b' })], { expectedRevision: 0 }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      await waitForBlockedStatement(schema, FAST_STATEMENT_MARKER); // b's one statement waits for a's row lock
    } finally {
      gate.release(); // never leave a's transaction open when an expectation fails
    }

    await expect(appendA).resolves.toMatchObject({ streamId: 'd', nextExpectedRevision: 2, duplicate: false });
    const lost = await appendB;
    expect(lost.result).toBeUndefined();
    expect(lost.error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(lost.error).toMatchObject({ streamId: 'd', expected: 0, actual: 2 });
    const events = await b.readStream('d');
    expect(events.map((e) => e.data.who)).toEqual([undefined, 'a', 'a']);
    expect(verifyStreamChain(events)).toEqual({ ok: true });
    // b decided its append under the lock and now knows the real head: 'any' chains onto it.
    await expect(b.append('d', [ev(3)])).resolves.toMatchObject({ nextExpectedRevision: 3 });
  });

  it('8 concurrent connections append while a subscriber reads live: every event once, in readAll order', async () => {
    const schema = newSchema();
    const reader = store(schema);
    await reader.init();
    const delivered: RecordedEvent[] = [];
    const sub = reader.subscribeToAll((events) => void delivered.push(...events), { batchSize: 37 });

    const writers = Array.from({ length: 8 }, () => store(schema, { poolSize: 1 }));
    const perWriter = 80;
    let expected = 0;
    await Promise.all(
      writers.map(async (w, wi) => {
        // Two appenders per connection so each connection also group-commits; sizes vary to skew commit times.
        await Promise.all(
          [0, 1].map(async (lane) => {
            for (let i = 0; i < perWriter / 2; i++) {
              const n = 1 + ((i + wi + lane) % 3);
              expected += n;
              await w.append(
                `w${wi}-s${i % 5}`,
                Array.from({ length: n }, (_, k) => ev(k, { wi, lane, i })),
              );
            }
          }),
        );
      }),
    );

    await waitFor(() => delivered.length >= expected, `${expected} events delivered`);
    await new Promise((r) => setTimeout(r, 200)); // nothing extra may arrive
    await sub.close();

    const log = await readWholeLog(reader);
    expect(log).toHaveLength(expected);
    expect(delivered.map((e) => e.position)).toEqual(log.map((e) => e.position));
    expect(new Set(delivered.map((e) => `${e.streamId}/${e.revision}`)).size).toBe(expected);
    for (let i = 1; i < delivered.length; i++) {
      expect(comparePositions(delivered[i - 1].position, delivered[i].position)).toBeLessThan(0);
    }
    // Every stream's chain holds after concurrent writers.
    const streams = [...new Set(log.map((e) => e.streamId))];
    for (const id of streams) expect(verifyStreamChain(await reader.readStream(id))).toEqual({ ok: true });
  });
});

describe('PostgreSQL event store: group commit', () => {
  it('32 concurrent appenders share commits; conflicts, duplicates and chaining are per append', async () => {
    const s = store(newSchema());
    await s.init();
    type Outcome = { i: number; result?: AppendResult; error?: unknown };
    const calls: Promise<Outcome>[] = [];
    const call = (i: number, p: Promise<AppendResult>) =>
      calls.push(
        p.then(
          (result) => ({ i, result }),
          (error) => ({ i, error }),
        ),
      );
    // 4 streams x 4 racers with no_stream: exactly one winner per stream.
    for (let i = 0; i < 16; i++) call(i, s.append(`race-${i % 4}`, [ev(i)], { expectedRevision: 'no_stream' }));
    // 12 appends with 'any' to 2 streams: all win, chained inside the batch.
    for (let i = 16; i < 28; i++) call(i, s.append(`chain-${i % 2}`, [ev(i), ev(i + 100)]));
    // 2 pairs of the same command: one write each, the twin reports the same result as a duplicate.
    for (let i = 28; i < 32; i++) call(i, s.append('cmd', [ev(i)], { commandId: `c-${i % 2}` }));
    const outcomes = await Promise.all(calls);

    for (let k = 0; k < 4; k++) {
      const racers = outcomes.filter((o) => o.i < 16 && o.i % 4 === k);
      expect(racers.filter((o) => o.result)).toHaveLength(1);
      for (const o of racers.filter((x) => x.error)) {
        expect(o.error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(o.error).toMatchObject({ streamId: `race-${k}`, expected: 'no_stream', actual: 0 });
      }
    }
    const chained = outcomes.filter((o) => o.i >= 16 && o.i < 28);
    expect(chained.every((o) => o.result)).toBe(true);
    for (const id of ['chain-0', 'chain-1']) {
      const events = await s.readStream(id);
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 12 }, (_, r) => r));
      expect(verifyStreamChain(events)).toEqual({ ok: true });
    }
    const cmd = outcomes.filter((o) => o.i >= 28).map((o) => o.result!);
    expect(cmd.filter((r) => r.duplicate)).toHaveLength(2);
    for (const c of ['c-0', 'c-1']) {
      const [x, y] = outcomes.filter((o) => o.i >= 28 && `c-${o.i % 2}` === c).map((o) => o.result!);
      expect({ ...x, duplicate: false }).toEqual({ ...y, duplicate: false });
    }
    expect(await s.streamRevision('cmd')).toBe(1);

    // Shared commits: far fewer transactions than appends.
    const txids = new Set(outcomes.filter((o) => o.result).map((o) => decodePosition(o.result!.position).transactionId));
    expect(txids.size).toBeLessThan(8);
    await waitFor(async () => (await readWholeLog(s)).length === 4 + 24 + 2, 'log complete');
  });
});
