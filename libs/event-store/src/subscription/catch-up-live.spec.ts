/**
 * The shared catch-up/live loop over an in-memory log: batches during catch-up, a commit signal waking an
 * idle subscriber at once (and the poll finding an unsignalled write), no event lost or repeated across
 * the hand-over, close, abort, and a handler's error ending the subscription.
 */
import type { RecordedEvent, Subscription } from '../port';
import { subscribeCatchUpLive, type LogSource } from './catch-up-live';
import { CommitSignal } from './commit-signal';

function memoryLog(pollIntervalMs = 10_000) {
  const events: RecordedEvent[] = [];
  const commits = new CommitSignal();
  const reads: Array<{ after: string | undefined; maxCount: number }> = [];
  const source: LogSource = {
    commits,
    pollIntervalMs,
    read: (after, maxCount) => {
      reads.push({ after, maxCount });
      const from = after === undefined ? 0 : Number(after);
      return events.slice(from, from + maxCount);
    },
  };
  /** Appends `n` events (positions 1, 2, ...); `signal`: tell subscribers, as a store's own commit does. */
  const append = (n: number, signal = true) => {
    for (let i = 0; i < n; i++) {
      const position = String(events.length + 1);
      events.push({
        streamId: 's',
        revision: events.length,
        position,
        type: 't.v1',
        data: {},
        metadata: { actor: 'a', correlationId: 'c' },
        recordedAt: '',
        hash: '',
        prevHash: '',
      });
    }
    if (signal) commits.notify();
  };
  return { source, append, reads, commits };
}

const tick = () => new Promise((r) => setTimeout(r, 5));
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await tick();
  expect(check()).toBe(true);
}

describe('catch-up/live subscription loop', () => {
  const live = new Set<Subscription>();
  afterEach(async () => {
    await Promise.all([...live].map((s) => s.close()));
  });

  it('catches up in batches after the checkpoint, then delivers live on a commit signal, each event once in order', async () => {
    const log = memoryLog();
    log.append(7);
    const got: string[] = [];
    const sub = subscribeCatchUpLive(log.source, (batch) => void got.push(...batch.map((e) => e.position)), { after: '2', batchSize: 3 }, live);
    expect(got).toEqual([]); // never before subscribe returned
    expect(live.has(sub)).toBe(true);
    await until(() => got.length === 5);
    expect(got).toEqual(['3', '4', '5', '6', '7']);
    expect(log.reads.slice(0, 2)).toEqual([
      { after: '2', maxCount: 3 },
      { after: '5', maxCount: 3 },
    ]);
    log.append(2); // signalled: wakes the idle subscriber long before its 10 s poll
    await until(() => got.length === 7);
    expect(got.slice(5)).toEqual(['8', '9']);
    await sub.close();
    expect(live.has(sub)).toBe(false);
    await expect(sub.done).resolves.toBeUndefined();
  });

  it('reads again after the poll interval when another process wrote without a signal', async () => {
    const log = memoryLog(20);
    const got: string[] = [];
    subscribeCatchUpLive(log.source, (batch) => void got.push(...batch.map((e) => e.position)), {}, live);
    await tick();
    log.append(1, false);
    await until(() => got.length === 1);
  });

  it('does not sleep through a commit that lands while the handler runs', async () => {
    const log = memoryLog();
    log.append(1);
    const got: string[] = [];
    subscribeCatchUpLive(
      log.source,
      (batch) => {
        got.push(...batch.map((e) => e.position));
        if (got.length === 1) log.append(1); // signalled while nobody waits: the loop must read again
      },
      {},
      live,
    );
    await until(() => got.length === 2);
    expect(got).toEqual(['1', '2']);
  });

  it('stops on abort (also when aborted before it started) and on a closed store', async () => {
    const log = memoryLog();
    const controller = new AbortController();
    const sub = subscribeCatchUpLive(log.source, () => undefined, { signal: controller.signal }, live);
    await tick();
    controller.abort(); // wakes the idle wait at once
    await expect(sub.done).resolves.toBeUndefined();
    await until(() => !live.has(sub));

    const aborted = new AbortController();
    aborted.abort();
    const handler = jest.fn();
    log.append(1);
    await expect(subscribeCatchUpLive(log.source, handler, { signal: aborted.signal }, live).done).resolves.toBeUndefined();
    expect(handler).not.toHaveBeenCalled();

    let open = true;
    const closing = subscribeCatchUpLive({ ...log.source, isOpen: () => open }, () => undefined, {}, live);
    await tick();
    open = false;
    log.commits.notify();
    await expect(closing.done).resolves.toBeUndefined();
  });

  it("rejects done with the handler's error, and with a read's error", async () => {
    const log = memoryLog();
    log.append(1);
    const boom = new Error('projection failed');
    const failing = subscribeCatchUpLive(
      log.source,
      () => {
        throw boom;
      },
      {},
      live,
    );
    await expect(failing.done).rejects.toBe(boom);
    await until(() => !live.has(failing));

    const unreadable = subscribeCatchUpLive(
      {
        ...log.source,
        read: async () => {
          throw new Error('store unavailable');
        },
      },
      () => undefined,
      {},
      live,
    );
    await expect(unreadable.done).rejects.toThrow('store unavailable');
  });
});
