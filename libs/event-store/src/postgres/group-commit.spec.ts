/**
 * The group-commit queue on its own: one batch at a time, appends queued meanwhile go into the next batch
 * in call order, a batch holds at most `maxBatchEvents` events except a single larger append, and `idle()`
 * waits for everything queued.
 */
import { GroupCommitQueue } from './group-commit';

type Item = { id: string; events: unknown[] };
const item = (id: string, n = 1): Item => ({ id, events: Array.from({ length: n }) });

describe('PostgreSQL group-commit queue', () => {
  it('writes one batch at a time; what queues meanwhile goes into the next batch, in call order', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    let running = 0;
    let maxRunning = 0;
    const queue = new GroupCommitQueue<Item>(100, async (batch) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      batches.push(batch.map((b) => b.id));
      if (batches.length === 1) await new Promise<void>((r) => (release = r)); // the first commit is slow
      running--;
    });
    queue.push(item('a'));
    await Promise.resolve();
    queue.push(item('b'));
    queue.push(item('c'));
    queue.push(item('d'));
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([['a']]);
    release();
    await queue.idle();
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    expect(maxRunning).toBe(1);
  });

  it('caps a batch at maxBatchEvents events; a single larger append still goes, alone', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const queue = new GroupCommitQueue<Item>(5, async (batch) => {
      batches.push(batch.map((b) => b.id));
      if (batches.length === 1) await new Promise<void>((r) => (release = r)); // the rest queue up meanwhile
    });
    queue.push(item('first'));
    const sizes: Array<[string, number]> = [
      ['a', 2],
      ['b', 3],
      ['c', 1],
      ['big', 9],
      ['d', 4],
      ['e', 1],
    ];
    for (const [id, n] of sizes) queue.push(item(id, n));
    release();
    await queue.idle();
    expect(batches).toEqual([['first'], ['a', 'b'], ['c'], ['big'], ['d', 'e']]);
  });

  it('idle() resolves at once when nothing is queued', async () => {
    const queue = new GroupCommitQueue<Item>(5, async () => undefined);
    await expect(queue.idle()).resolves.toBeUndefined();
  });
});
