/**
 * The subscription loop of the adapters that read their own global log (SQLite, PostgreSQL): catch-up and
 * live are one loop. It reads the log after the checkpoint in batches; when a read comes back short and no
 * commit was signalled meanwhile, it sleeps until the store signals a commit or the poll interval passes
 * (another process may write the log without telling this one). The checkpoint only moves past delivered
 * events, so the hand-over from catch-up to live can neither lose nor repeat one. What differs between the
 * engines (how the log is read, what wakes a subscriber) comes in through `LogSource`; KurrentDB has
 * server-side subscriptions and does not use this.
 */
import { waitForWake } from '../wake';
import { DEFAULT_READ_ALL_BATCH, type RecordedEvent, type SubscribeOptions, type Subscription, type SubscriptionHandler } from '../port';
import type { CommitSignal } from './commit-signal';

export interface LogSource {
  /** The events strictly after `after` (undefined: from the start of the log), at most `maxCount`, in global order. */
  read(after: string | undefined, maxCount: number): Promise<RecordedEvent[]> | RecordedEvent[];
  /** Commits of this store (and whatever else the adapter hears of): they wake idle subscribers. */
  commits: CommitSignal;
  /** An idle subscriber reads again at least this often, signalled or not. */
  pollIntervalMs: number;
  /** False once the store is closed: the loop ends (default: always open; the store closes its subscriptions). */
  isOpen?: () => boolean;
}

/**
 * Starts one subscriber of `source`'s log and adds it to `live` until it ends (the store closes what is
 * in `live` when it closes). `done` rejects with the error of a read or of the handler, which stops it.
 */
export function subscribeCatchUpLive(source: LogSource, handler: SubscriptionHandler, options: SubscribeOptions, live: Set<Subscription>): Subscription {
  const batchSize = options.batchSize ?? DEFAULT_READ_ALL_BATCH;
  const { commits } = source;
  const isOpen = source.isOpen ?? (() => true);
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stopped = true;

  const loop = async () => {
    // Never call the handler before subscribeToAll has returned.
    await new Promise<void>((resolve) => setImmediate(resolve));
    let checkpoint = options.after;
    try {
      while (!stopped && isOpen()) {
        const seen = commits.generation;
        const events = await source.read(checkpoint, batchSize);
        if (stopped || !isOpen()) break;
        if (events.length > 0) {
          await handler(events);
          checkpoint = events[events.length - 1].position;
          if (events.length === batchSize) continue; // catching up: read on at once
        }
        if (stopped || !isOpen()) break;
        if (commits.generation !== seen) continue; // a commit landed while we read or the handler ran
        await waitForWake(source.pollIntervalMs, (done) => {
          wake = done;
          const unregister = commits.onCommit(done);
          return () => {
            unregister();
            wake = undefined;
          };
        });
      }
    } finally {
      options.signal?.removeEventListener('abort', stop);
    }
  };

  const done = loop();
  const subscription: Subscription = {
    done,
    close: async () => {
      stop();
      await done.catch(() => undefined);
      live.delete(subscription);
    },
  };
  live.add(subscription);
  done.then(
    () => live.delete(subscription),
    () => live.delete(subscription),
  );
  return subscription;
}
