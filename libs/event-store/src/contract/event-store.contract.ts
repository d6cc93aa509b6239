/**
 * The one contract every EventStore adapter passes. An adapter's `*.int-spec.ts` calls
 * `describeEventStoreContract('sqlite', factory)`; the suite opens ONE store per adapter
 * (beforeAll) and isolates its tests by unique stream ids, so it also runs against engines that
 * cannot be reset (KurrentDB). Tests never assume the global log holds only their own events.
 *
 * factory(): a fresh store with default limits (maxEventBytes 256 KiB). `tamper(streamId,
 * revision, newDataJson)` replaces the stored data of one event behind the store's back, as a
 * person with database access would; `cleanup()` closes the store and removes its files/schema.
 */
import { randomUUID } from 'node:crypto';
import { CommandIdTakenError, InvalidEventError, WrongExpectedRevisionError } from '../errors';
import { GENESIS_HASH, verifyStreamChain } from '../hash';
import { comparePositions, type EventStore, type NewEvent, type RecordedEvent } from '../port';

export interface ContractContext {
  store: EventStore;
  tamper?: (streamId: string, revision: number, newDataJson: string) => Promise<void>;
  cleanup: () => Promise<void>;
}

export interface ContractOptions {
  /** Skip the whole suite, with the reason shown in the test report (e.g. no server configured). */
  skipReason?: string;
  /** The engine offers no way to edit a stored event by hand: skip the tamper test with this reason. */
  noTamperReason?: string;
}

export function describeEventStoreContract(name: string, factory: () => Promise<ContractContext>, options: ContractOptions = {}): void {
  if (options.skipReason) {
    describe.skip(`EventStore contract: ${name}`, () => {
      it(`every contract test (skipped: ${options.skipReason})`, () => undefined);
    });
    return;
  }

  describe(`EventStore contract: ${name}`, () => {
    let ctx: ContractContext;
    let store: EventStore;
    const run = randomUUID().slice(0, 8);
    let seq = 0;
    /** A stream id no other test (or earlier run on a shared engine) uses. */
    const sid = (label: string) => `contract-${run}-${label}-${++seq}`;

    beforeAll(async () => {
      ctx = await factory();
      store = ctx.store;
    });
    afterAll(async () => {
      await ctx?.cleanup();
    });

    describe('append and read', () => {
      it('appends a batch and reads it back in revision order with positions, hashes and recordedAt', async () => {
        const s = sid('basic');
        const before = Date.now();
        const r = await store.append(s, [ev({ n: 0 }), ev({ n: 1 }), ev({ n: 2 }, 'dossier.transferred.v2')], {
          expectedRevision: 'no_stream',
        });
        expect(r).toEqual({ streamId: s, nextExpectedRevision: 2, position: expect.any(String), duplicate: false });
        const events = await store.readStream(s);
        expect(events.map((e) => [e.revision, e.type, e.data.n])).toEqual([
          [0, 'dossier.received.v1', 0],
          [1, 'dossier.received.v1', 1],
          [2, 'dossier.transferred.v2', 2],
        ]);
        expect(events[2].position).toBe(r.position);
        expectStrictlyIncreasing(events.map((e) => e.position));
        for (const e of events) {
          expect(e.streamId).toBe(s);
          expect(e.metadata).toMatchObject({ actor: 'clerk-01', correlationId: expect.any(String) });
          expect(e.recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
          expect(Date.parse(e.recordedAt)).toBeGreaterThanOrEqual(before - 1000);
          expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
        }
        expect(await store.streamRevision(s)).toBe(2);
        const head = await store.headPosition();
        expect(head).toBeDefined();
        expect(comparePositions(head!, r.position)).toBeGreaterThanOrEqual(0);
      });

      it('reports a stream that does not exist as revision -1 and an empty read', async () => {
        const s = sid('missing');
        expect(await store.streamRevision(s)).toBe(-1);
        expect(await store.readStream(s)).toEqual([]);
        expect(await store.readStream(s, { direction: 'backwards' })).toEqual([]);
      });

      it('refuses an empty batch', async () => {
        await expect(store.append(sid('empty'), [])).rejects.toBeInstanceOf(InvalidEventError);
      });

      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe('expected revision', () => {
      it("'no_stream' creates, then conflicts with actual 0", async () => {
        const s = sid('ns');
        await store.append(s, [ev()], { expectedRevision: 'no_stream' });
        const err = await catchError(store.append(s, [ev()], { expectedRevision: 'no_stream' }));
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err).toMatchObject({ streamId: s, expected: 'no_stream', actual: 0, code: 'CONCURRENCY_CONFLICT' });
        expect(await store.streamRevision(s)).toBe(0);
      });

      it("'stream_exists' conflicts on a missing stream (actual -1) and passes on an existing one", async () => {
        const s = sid('se');
        const err = await catchError(store.append(s, [ev()], { expectedRevision: 'stream_exists' }));
        expect(err).toMatchObject({ streamId: s, expected: 'stream_exists', actual: -1 });
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.streamRevision(s)).toBe(-1);
        await store.append(s, [ev()]);
        await expect(store.append(s, [ev()], { expectedRevision: 'stream_exists' })).resolves.toMatchObject({
          nextExpectedRevision: 1,
        });
      });

      it('an exact revision must match the current one; a mismatch names both and writes nothing', async () => {
        const s = sid('exact');
        await store.append(s, [ev(), ev()], { expectedRevision: 'no_stream' });
        await expect(store.append(s, [ev()], { expectedRevision: 1 })).resolves.toMatchObject({ nextExpectedRevision: 2 });
        const err = await catchError(store.append(s, [ev(), ev()], { expectedRevision: 5 }));
        expect(err).toBeInstanceOf(WrongExpectedRevisionError);
        expect(err).toMatchObject({ streamId: s, expected: 5, actual: 2 });
        expect((err as Error).message).toContain('5');
        expect((err as Error).message).toContain('2');
        const stale = await catchError(store.append(s, [ev()], { expectedRevision: 1 }));
        expect(stale).toMatchObject({ expected: 1, actual: 2 });
        expect(await store.streamRevision(s)).toBe(2);
        // -1 is "no stream" written as a number
        expect(await catchError(store.append(s, [ev()], { expectedRevision: -1 }))).toMatchObject({ expected: -1, actual: 2 });
      });

      it("'any' (the default) appends whatever the state", async () => {
        const s = sid('any');
        await store.append(s, [ev()]);
        await store.append(s, [ev()], { expectedRevision: 'any' });
        expect(await store.streamRevision(s)).toBe(1);
      });

      it('two concurrent writers on one stream: exactly one wins, the other gets the conflict naming expected and actual', async () => {
        for (let round = 0; round < 5; round++) {
          const s = sid('race');
          await store.append(s, [ev({ who: 'setup' })], { expectedRevision: 'no_stream' });
          const results = await Promise.allSettled([
            store.append(s, [ev({ who: 'a' }), ev({ who: 'a' })], { expectedRevision: 0 }),
            store.append(s, [ev({ who: 'b' })], { expectedRevision: 0 }),
          ]);
          const won = results.filter((r) => r.status === 'fulfilled');
          const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(1);
          const winner = results[0].status === 'fulfilled' ? 'a' : 'b';
          const actual = winner === 'a' ? 2 : 1;
          expect(lost[0].reason).toBeInstanceOf(WrongExpectedRevisionError);
          expect(lost[0].reason).toMatchObject({ streamId: s, expected: 0, actual });
          const events = await store.readStream(s);
          expect(events.map((e) => e.data.who)).toEqual(['setup', ...Array(actual).fill(winner)]);
          expect(verifyStreamChain(events)).toEqual({ ok: true });
        }
      });

      it("two concurrent 'no_stream' creators: exactly one creates the stream", async () => {
        const s = sid('create-race');
        const results = await Promise.allSettled([
          store.append(s, [ev({ who: 'a' })], { expectedRevision: 'no_stream' }),
          store.append(s, [ev({ who: 'b' })], { expectedRevision: 'no_stream' }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
        expect(lost.reason).toMatchObject({ streamId: s, expected: 'no_stream', actual: 0 });
        expect(await store.readStream(s)).toHaveLength(1);
      });
    });

    describe('idempotency (guaranteed, however late the retry)', () => {
      it('a retry with the same command id returns the original result and writes nothing, after the stream moved on', async () => {
        const s = sid('idem');
        const cmd = `cmd-${randomUUID()}`;
        const first = await store.append(s, [ev({ n: 1 }), ev({ n: 2 })], { expectedRevision: 'no_stream', commandId: cmd });
        expect(first.duplicate).toBe(false);
        await store.append(s, [ev({ n: 3 })], { expectedRevision: 1, commandId: `cmd-${randomUUID()}` });
        await store.append(sid('idem-other'), [ev()]);
        await sleep(20);
        // Same command again, with its now-stale expected revision: not a conflict, the original answer.
        const retry = await store.append(s, [ev({ n: 1 }), ev({ n: 2 })], { expectedRevision: 'no_stream', commandId: cmd });
        expect(retry).toEqual({ ...first, duplicate: true });
        const events = await store.readStream(s);
        expect(events.map((e) => e.data.n)).toEqual([1, 2, 3]);
        expect(events[0].metadata.commandId).toBe(cmd);
        expect(events[1].metadata.commandId).toBe(cmd);
      });

      it('the same command id on another stream is a different command', async () => {
        const cmd = `cmd-${randomUUID()}`;
        const a = await store.append(sid('idem-a'), [ev()], { commandId: cmd });
        const b = await store.append(sid('idem-b'), [ev()], { commandId: cmd });
        expect(a.duplicate).toBe(false);
        expect(b.duplicate).toBe(false);
        expect(comparePositions(b.position, a.position)).toBeGreaterThan(0);
      });

      it('concurrent retries of one command write it once and agree on the result', async () => {
        const s = sid('idem-race');
        const cmd = `cmd-${randomUUID()}`;
        const results = await Promise.all([0, 1, 2].map(() => store.append(s, [ev({ n: 1 })], { expectedRevision: 'no_stream', commandId: cmd })));
        expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
        for (const r of results) {
          expect(r).toMatchObject({ streamId: s, nextExpectedRevision: 0, position: results[0].position });
        }
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('a command id carried by every event of the batch in metadata is the idempotency key', async () => {
        const s = sid('idem-meta');
        const cmd = `cmd-${randomUUID()}`;
        const batch = () => [ev({ n: 1 }, undefined, { commandId: cmd }), ev({ n: 2 }, undefined, { commandId: cmd })];
        const first = await store.append(s, batch());
        const retry = await store.append(s, batch());
        expect(retry).toEqual({ ...first, duplicate: true });
        expect(await store.streamRevision(s)).toBe(1);
      });

      it('refuses an event whose metadata.commandId contradicts the append command id', async () => {
        const s = sid('idem-contra');
        await expect(store.append(s, [ev({}, undefined, { commandId: 'x' })], { commandId: 'y' })).rejects.toBeInstanceOf(InvalidEventError);
        expect(await store.streamRevision(s)).toBe(-1);
      });
    });

    describe("store-scoped command ids (commandIdScope: 'store')", () => {
      const scoped = { commandIdScope: 'store' as const };
      const enforced = () => store.storeScopedCommandIds;

      it('a command id claimed by one stream is refused on another stream, nothing written; its own stream still answers a retry', async () => {
        const a = sid('claim-a');
        const b = sid('claim-b');
        const cmd = `cmd-${randomUUID()}`;
        const first = await store.append(a, [ev({ n: 1 })], { expectedRevision: 'no_stream', commandId: cmd, ...scoped });
        if (!enforced()) {
          // Treated as stream-scoped (the adapter says so): another stream takes the id as another command.
          expect((await store.append(b, [ev({ n: 2 })], { expectedRevision: 'no_stream', commandId: cmd, ...scoped })).duplicate).toBe(false);
          return;
        }
        const reused = await store.append(b, [ev({ n: 2 })], { expectedRevision: 'no_stream', commandId: cmd, ...scoped }).catch((e: unknown) => e);
        expect(reused).toBeInstanceOf(CommandIdTakenError);
        expect(reused).toMatchObject({ code: 'COMMAND_ID_TAKEN', streamId: b, commandId: cmd, claimedBy: a });
        expect(await store.streamRevision(b)).toBe(-1);
        // The same on an existing stream whose head this store knows (the one-statement path on PostgreSQL).
        const c = sid('claim-c');
        await store.append(c, [ev({ n: 3 })], { expectedRevision: 'no_stream' });
        await expect(store.append(c, [ev({ n: 4 })], { expectedRevision: 0, commandId: cmd, ...scoped })).rejects.toBeInstanceOf(CommandIdTakenError);
        expect(await store.streamRevision(c)).toBe(0);
        // The claiming stream: a late retry is the original answer.
        const retry = await store.append(a, [ev({ n: 1 })], { expectedRevision: 'no_stream', commandId: cmd, ...scoped });
        expect(retry).toEqual({ ...first, duplicate: true });
        expect(await store.readStream(a)).toHaveLength(1);
      });

      it('concurrent appends of one command id to different streams: exactly one stream gets it', async () => {
        const cmd = `cmd-${randomUUID()}`;
        const streams = [sid('claim-race'), sid('claim-race'), sid('claim-race')];
        const results = await Promise.allSettled(streams.map((s) => store.append(s, [ev()], { expectedRevision: 'no_stream', commandId: cmd, ...scoped })));
        const won = results.filter((r) => r.status === 'fulfilled');
        if (!enforced()) {
          expect(won).toHaveLength(3);
          return;
        }
        expect(won).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(CommandIdTakenError);
        const revisions = await Promise.all(streams.map((s) => store.streamRevision(s)));
        expect(revisions.filter((r) => r === 0)).toHaveLength(1);
        expect(revisions.filter((r) => r === -1)).toHaveLength(2);
      });

      it('a stream-scoped command id is not claimed: another stream may use it', async () => {
        const cmd = `cmd-${randomUUID()}`;
        await store.append(sid('unclaimed-a'), [ev()], { commandId: cmd });
        const other = await store.append(sid('unclaimed-b'), [ev()], { commandId: cmd, ...scoped });
        expect(other.duplicate).toBe(false);
      });
    });

    describe('writability', () => {
      it('a store that wrote reports itself writable', async () => {
        await store.append(sid('writable'), [ev()]);
        expect(await store.writability()).toMatchObject({ writable: true });
      });
    });

    describe('global log', () => {
      it('readAll returns events strictly after a checkpoint in global order, pageable', async () => {
        const start = await store.headPosition();
        const [a, b, c] = [sid('all-a'), sid('all-b'), sid('all-c')];
        const appended: [string, number][] = [];
        for (let i = 0; i < 4; i++) {
          for (const s of [a, b, c]) {
            const r = await store.append(s, [ev({ i }), ev({ i })]);
            appended.push([s, r.nextExpectedRevision - 1], [s, r.nextExpectedRevision]);
          }
        }
        const mine = (events: RecordedEvent[]) => events.filter((e) => [a, b, c].includes(e.streamId)).map((e) => [e.streamId, e.revision]);
        const all = await store.readAll({ after: start, maxCount: 1000 });
        expectStrictlyIncreasing(all.map((e) => e.position));
        if (start) expect(all.every((e) => comparePositions(e.position, start) > 0)).toBe(true);
        expect(mine(all)).toEqual(appended);
        // Paging by 5 yields exactly the same sequence.
        const paged: RecordedEvent[] = [];
        let after = start;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 5 });
          expect(page.length).toBeLessThanOrEqual(5);
          if (page.length === 0) break;
          paged.push(...page);
          after = page[page.length - 1].position;
        }
        expect(paged.map((e) => e.position)).toEqual(all.map((e) => e.position));
        expect(await store.readAll({ after: all[all.length - 1].position })).toEqual([]);
        expect(comparePositions((await store.headPosition())!, all[all.length - 1].position)).toBe(0);
      });
    });

    describe('readStream options', () => {
      let s: string;
      let firstBatchAt: string;
      beforeAll(async () => {
        s = sid('opts');
        await store.append(
          s,
          [0, 1, 2, 3, 4].map((i) => ev({ i })),
        );
        firstBatchAt = (await store.readStream(s))[0].recordedAt;
        await sleep(25); // the next batch is recorded strictly later
        await store.append(
          s,
          [5, 6, 7, 8, 9].map((i) => ev({ i })),
        );
      });
      const revs = (events: RecordedEvent[]) => events.map((e) => e.revision);

      it('forwards from/to/maxCount', async () => {
        expect(revs(await store.readStream(s))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(revs(await store.readStream(s, { fromRevision: 3, toRevision: 6 }))).toEqual([3, 4, 5, 6]);
        expect(revs(await store.readStream(s, { fromRevision: 3, maxCount: 2 }))).toEqual([3, 4]);
        expect(revs(await store.readStream(s, { toRevision: 1 }))).toEqual([0, 1]);
        expect(revs(await store.readStream(s, { fromRevision: 10 }))).toEqual([]);
      });

      it('backwards: fromRevision is the highest, toRevision the lowest', async () => {
        expect(revs(await store.readStream(s, { direction: 'backwards' }))).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        expect(revs(await store.readStream(s, { direction: 'backwards', maxCount: 1 }))).toEqual([9]);
        expect(revs(await store.readStream(s, { direction: 'backwards', fromRevision: 7, maxCount: 3 }))).toEqual([7, 6, 5]);
        expect(revs(await store.readStream(s, { direction: 'backwards', fromRevision: 7, toRevision: 5 }))).toEqual([7, 6, 5]);
        expect(revs(await store.readStream(s, { direction: 'backwards', fromRevision: 50, toRevision: 8 }))).toEqual([9, 8]);
      });

      it('as known at an instant (recordedAtOrBefore), in any ISO-8601 offset', async () => {
        expect(revs(await store.readStream(s, { recordedAtOrBefore: firstBatchAt }))).toEqual([0, 1, 2, 3, 4]);
        const sameInstantHanoi = toOffset(firstBatchAt, 7);
        expect(revs(await store.readStream(s, { recordedAtOrBefore: sameInstantHanoi }))).toEqual([0, 1, 2, 3, 4]);
        expect(revs(await store.readStream(s, { recordedAtOrBefore: firstBatchAt, direction: 'backwards', maxCount: 2 }))).toEqual([4, 3]);
        const before = new Date(Date.parse(firstBatchAt) - 60_000).toISOString();
        expect(await store.readStream(s, { recordedAtOrBefore: before })).toEqual([]);
        const later = new Date(Date.now() + 60_000).toISOString();
        expect(revs(await store.readStream(s, { recordedAtOrBefore: later }))).toHaveLength(10);
      });
    });

    describe('subscribeToAll', () => {
      it('hands over from catch-up to live without loss or duplicates, in position order', async () => {
        const streams = [sid('sub-a'), sid('sub-b'), sid('sub-c')];
        const checkpoint = await store.headPosition();
        const perStream = 60; // 3 × 60 before subscribing, 3 × 60 while the subscriber runs
        for (let i = 0; i < perStream; i += 6) {
          for (const s of streams)
            await store.append(
              s,
              range(6).map((k) => ev({ i: i + k })),
            );
        }
        const delivered: RecordedEvent[] = [];
        let batches = 0;
        const sub = store.subscribeToAll(
          async (events) => {
            batches++;
            delivered.push(...events);
            if (batches % 3 === 0) await sleep(1); // a slow handler, so that writes pile up meanwhile
          },
          { after: checkpoint, batchSize: 25 },
        );
        // The writer keeps appending while the subscriber catches up and goes live.
        for (let i = perStream; i < 2 * perStream; i++) {
          for (const s of streams) await store.append(s, [ev({ i })], { expectedRevision: i - 1 });
          if (i % 7 === 0) await sleep(2);
        }
        const mine = () => delivered.filter((e) => streams.includes(e.streamId));
        await waitFor(() => mine().length >= 6 * perStream, 10_000);
        await sleep(150); // anything delivered twice would show up now
        await sub.close();
        await expect(sub.done).resolves.toBeUndefined();

        expectStrictlyIncreasing(delivered.map((e) => e.position));
        if (checkpoint) expect(comparePositions(delivered[0].position, checkpoint)).toBeGreaterThan(0);
        const got = mine();
        expect(got).toHaveLength(6 * perStream);
        for (const s of streams) {
          expect(got.filter((e) => e.streamId === s).map((e) => e.revision)).toEqual(range(2 * perStream));
        }
        // Exactly what the log holds, in the log's order.
        const log = (await readAllAfter(store, checkpoint)).filter((e) => streams.includes(e.streamId));
        expect(got.map((e) => e.position)).toEqual(log.map((e) => e.position));
      });

      it('starts strictly after its checkpoint and stops on close', async () => {
        const s = sid('sub-checkpoint');
        await store.append(
          s,
          range(5).map((i) => ev({ i })),
        );
        const events = await store.readStream(s);
        const got: RecordedEvent[] = [];
        const sub = store.subscribeToAll((batch) => void got.push(...batch.filter((e) => e.streamId === s)), {
          after: events[2].position,
        });
        await waitFor(() => got.length >= 2, 5000);
        await sub.close();
        expect(got.map((e) => e.revision)).toEqual([3, 4]);
        await store.append(s, [ev({ i: 5 })]);
        await sleep(300);
        expect(got).toHaveLength(2);
      });

      it('stops on abort, and rejects done with the error a handler throws', async () => {
        const s = sid('sub-stop');
        await store.append(s, [ev()]);
        const controller = new AbortController();
        const sub = store.subscribeToAll(() => undefined, { after: await store.headPosition(), signal: controller.signal });
        controller.abort();
        await expect(sub.done).resolves.toBeUndefined();

        const head = await store.headPosition();
        const boom = new Error('projection failed');
        const failing = store.subscribeToAll(
          (batch) => {
            if (batch.some((e) => e.streamId === s)) throw boom;
          },
          { after: head },
        );
        await store.append(s, [ev()]);
        await expect(failing.done).rejects.toBe(boom);
        await failing.close();
      });
    });

    describe('large stream', () => {
      it('holds 10,000 events and reads them back paged, chain intact', async () => {
        const s = sid('large');
        const total = 10_000;
        const per = 1000;
        for (let b = 0; b < total / per; b++) {
          const r = await store.append(
            s,
            range(per).map((k) => ev({ i: b * per + k, note: `Hồ sơ số ${b * per + k}` })),
            { expectedRevision: b === 0 ? 'no_stream' : b * per - 1 },
          );
          expect(r.nextExpectedRevision).toBe((b + 1) * per - 1);
        }
        expect(await store.streamRevision(s)).toBe(total - 1);
        const all: RecordedEvent[] = [];
        for (let from = 0; ;) {
          const page = await store.readStream(s, { fromRevision: from, maxCount: 1500 });
          if (page.length === 0) break;
          all.push(...page);
          from = page[page.length - 1].revision + 1;
        }
        expect(all).toHaveLength(total);
        expect(all.every((e, i) => e.revision === i && e.data.i === i)).toBe(true);
        expectStrictlyIncreasing(all.map((e) => e.position));
        expect(verifyStreamChain(all)).toEqual({ ok: true });
        const tail = await store.readStream(s, { direction: 'backwards', maxCount: 500 });
        expect(tail.map((e) => e.revision)).toEqual(range(500).map((k) => total - 1 - k));
      });
    });

    describe('unicode (Vietnamese) payloads', () => {
      const name = 'Nguyễn Thị Ánh Tuyết';
      const nfc = name.normalize('NFC');
      const nfd = name.normalize('NFD');

      it('round-trip byte-exact: precomposed and combining forms stay distinct, emoji survive', async () => {
        expect(nfc).not.toBe(nfd); // the test means something only if the forms differ
        const s = sid('unicode');
        const data = {
          applicant: nfc,
          applicantDecomposed: nfd,
          [`${'họ tên'.normalize('NFC')}`]: 'key precomposed',
          [`${'họ tên'.normalize('NFD')}`]: 'key decomposed',
          address: 'Số 12, ngõ 34 phố Trần Hưng Đạo, phường Hàng Bài, quận Hoàn Kiếm, Hà Nội',
          emoji: '🏛️📄✅ 👩🏻‍💼 🇻🇳',
          mixed: 'Ủy ban nhân dân xã Đông Hưng — “Giấy chứng nhận” ½ € ≤ 𝔸',
          escapes: 'tab\t newline\n quote" backslash\\ slash/ \u2028 \u2029',
          nested: { list: [nfd, nfc, '', 'ờ'] },
        };
        const head = await store.headPosition();
        await store.append(s, [ev(data, undefined, { actor: 'cán-bộ-Đức' })]);
        const [read] = await store.readStream(s);
        expect(read.data).toEqual(data);
        expect(Object.keys(read.data).sort()).toEqual(Object.keys(data).sort());
        for (const [k, v] of Object.entries(data)) {
          if (typeof v === 'string') expect(Buffer.from(read.data[k] as string, 'utf8')).toEqual(Buffer.from(v, 'utf8'));
        }
        expect(read.data.applicant).toBe(nfc);
        expect(read.data.applicantDecomposed).toBe(nfd);
        expect(read.metadata.actor).toBe('cán-bộ-Đức');
        const [fromLog] = (await readAllAfter(store, head)).filter((e) => e.streamId === s);
        expect(fromLog?.data).toEqual(data);
        expect(verifyStreamChain([read])).toEqual({ ok: true });
      });

      it('refuses NUL characters and lone surrogates (no engine stores them alike), writing nothing', async () => {
        for (const bad of [{ text: 'a\u0000b' }, { text: '\ud800' }, { ['k\u0000']: 1 }, { nested: ['ok', 'x\udfff'] }]) {
          const s = sid('unicode-bad');
          await expect(store.append(s, [ev(), ev(bad)])).rejects.toBeInstanceOf(InvalidEventError);
          expect(await store.streamRevision(s)).toBe(-1);
        }
      });
    });

    describe('rejection of huge and malformed events (nothing written)', () => {
      const circular: Record<string, unknown> = { a: 1 };
      circular.self = circular;
      const cases: [string, () => NewEvent][] = [
        ['a class name as type', () => ({ ...ev(), type: 'DossierReceived' })],
        ['an unversioned type', () => ({ ...ev(), type: 'dossier.received' })],
        ['an empty type', () => ({ ...ev(), type: '' })],
        ['data that is an array', () => ({ ...ev(), data: [1, 2] as unknown as Record<string, unknown> })],
        ['data that is null', () => ({ ...ev(), data: null as unknown as Record<string, unknown> })],
        ['data that is a string', () => ({ ...ev(), data: '{"a":1}' as unknown as Record<string, unknown> })],
        ['a function value', () => ev({ f: () => 1 })],
        ['a BigInt value', () => ev({ n: BigInt(1) })],
        ['NaN', () => ev({ n: NaN })],
        ['Infinity', () => ev({ n: Infinity })],
        ['a circular structure', () => ev({ c: circular })],
        ['a Date instance (not plain JSON)', () => ev({ at: new Date(0) })],
        ['a Map', () => ev({ m: new Map([[1, 2]]) })],
        ['undefined inside an array', () => ev({ list: [1, undefined, 3] })],
        ['metadata without actor', () => ({ ...ev(), metadata: { correlationId: 'c' } as never })],
        ['metadata without correlationId', () => ({ ...ev(), metadata: { actor: 'a' } as never })],
        ['metadata that is not an object', () => ({ ...ev(), metadata: 'x' as never })],
        ['a huge payload (300 KiB)', () => ev({ blob: 'x'.repeat(300 * 1024) })],
        // 90,000 × "ễ" is 90,000 UTF-16 units but 270,000 UTF-8 bytes: the limit counts bytes.
        ['a payload over the limit in UTF-8 bytes only', () => ev({ blob: 'ễ'.repeat(90_000) })],
      ];
      it.each(cases)('refuses %s with InvalidEventError, even as the 2nd event of a batch', async (_label, make) => {
        const s = sid('bad');
        const err = await catchError(store.append(s, [ev({ ok: true }), make()]));
        expect(err).toBeInstanceOf(InvalidEventError);
        expect(err).toMatchObject({ code: 'INVALID_EVENT' });
        expect(await store.streamRevision(s)).toBe(-1);
        expect(await store.readStream(s)).toEqual([]);
      });

      it('refuses an invalid stream id', async () => {
        for (const bad of ['', ' spaced id', '$system', 'new\nline']) {
          await expect(store.append(bad, [ev()])).rejects.toBeInstanceOf(InvalidEventError);
        }
      });

      it('accepts a large payload under the limit, intact', async () => {
        const s = sid('big-ok');
        const blob = 'Giấy tờ '.repeat(20_000); // ~200 KB of UTF-8
        await store.append(s, [ev({ blob })]);
        const [read] = await store.readStream(s);
        expect(read.data.blob).toBe(blob);
      });
    });

    describe('stream metadata', () => {
      it('is undefined until set, replaced (not merged) on set, and does not create the stream', async () => {
        const s = sid('meta');
        expect(await store.getStreamMetadata(s)).toBeUndefined();
        await store.setStreamMetadata(s, { agencyCode: '000.00.01.H12', retention: { years: 20 }, nhãn: 'Hồ sơ đất đai' });
        expect(await store.getStreamMetadata(s)).toEqual({
          agencyCode: '000.00.01.H12',
          retention: { years: 20 },
          nhãn: 'Hồ sơ đất đai',
        });
        expect(await store.streamRevision(s)).toBe(-1);
        await store.append(s, [ev()], { expectedRevision: 'no_stream' });
        await store.setStreamMetadata(s, { closed: true });
        expect(await store.getStreamMetadata(s)).toEqual({ closed: true });
        expect(await store.streamRevision(s)).toBe(0);
      });

      it('refuses metadata that is not a plain JSON object', async () => {
        const s = sid('meta-bad');
        await expect(store.setStreamMetadata(s, [1] as never)).rejects.toBeInstanceOf(InvalidEventError);
        await expect(store.setStreamMetadata(s, { f: () => 1 })).rejects.toBeInstanceOf(InvalidEventError);
        expect(await store.getStreamMetadata(s)).toBeUndefined();
      });
    });

    describe('tamper evidence', () => {
      it('chains every event to its predecessor and verifies', async () => {
        const s = sid('chain');
        await store.append(s, [ev({ i: 0 }), ev({ i: 1 })]);
        await store.append(s, [ev({ i: 2 })]);
        await store.append(s, [ev({ i: 3 }), ev({ i: 4 })]);
        const events = await store.readStream(s);
        expect(events[0].prevHash).toBe(GENESIS_HASH);
        for (let i = 1; i < events.length; i++) expect(events[i].prevHash).toBe(events[i - 1].hash);
        expect(verifyStreamChain(events)).toEqual({ ok: true });
        // A slice verifies when given where it starts.
        expect(verifyStreamChain(events.slice(2), { revision: 2, prevHash: events[1].hash })).toEqual({ ok: true });

        const edited = events.map((e) => ({ ...e }));
        edited[3] = { ...edited[3], data: { i: 33 } };
        expect(verifyStreamChain(edited)).toMatchObject({ ok: false, streamId: s, revision: 3 });
        const backdated = events.map((e, i) => (i === 1 ? { ...e, recordedAt: '2020-01-01T00:00:00.000Z' } : e));
        expect(verifyStreamChain(backdated)).toMatchObject({ ok: false, streamId: s, revision: 1 });
        expect(verifyStreamChain([events[0], events[2]])).toMatchObject({ ok: false, revision: 2 });
      });

      const tamperTest = options.noTamperReason ? it.skip : it;
      tamperTest(
        `reports a row edited by hand in the database, naming stream and revision${options.noTamperReason ? ` (skipped: ${options.noTamperReason})` : ''}`,
        async () => {
          expect(ctx.tamper).toBeDefined();
          const s = sid('tamper');
          await store.append(
            s,
            range(5).map((i) => ev({ i, amount: 100_000 })),
          );
          expect(verifyStreamChain(await store.readStream(s))).toEqual({ ok: true });
          await ctx.tamper!(s, 2, JSON.stringify({ i: 2, amount: 1 }));
          const events = await store.readStream(s);
          expect(events[2].data).toEqual({ i: 2, amount: 1 }); // the edit really reached the store
          const result = verifyStreamChain(events);
          expect(result).toMatchObject({ ok: false, streamId: s, revision: 2, reason: expect.any(String) });
        },
      );
    });
  });
}

// ------------------------------------------------------------------------------------ helpers

let correlation = 0;
function ev(data: Record<string, unknown> = {}, type = 'dossier.received.v1', metadata: Record<string, unknown> = {}): NewEvent {
  return { type, data, metadata: { actor: 'clerk-01', correlationId: `corr-${++correlation}`, ...metadata } };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function catchError(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, it succeeded');
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

function expectStrictlyIncreasing(positions: string[]): void {
  for (let i = 1; i < positions.length; i++) {
    if (comparePositions(positions[i - 1], positions[i]) >= 0) {
      throw new Error(`positions not strictly increasing at ${i}: ${positions[i - 1]} then ${positions[i]}`);
    }
  }
}

async function readAllAfter(store: EventStore, after: string | undefined): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1].position;
  }
}

/** The same instant written with a +hh:00 offset, e.g. 2025-01-01T07:00:00.000+07:00. */
function toOffset(iso: string, hours: number): string {
  const shifted = new Date(Date.parse(iso) + hours * 3600_000).toISOString().replace('Z', '');
  return `${shifted}+${String(hours).padStart(2, '0')}:00`;
}
