/**
 * One active worker per read-model schema (scale-out). Workers started beside each other wait on a
 * PostgreSQL session-level advisory lock held by a dedicated connection; the one that holds it runs the
 * projections and the deadline watcher, the others stand by and poll. The lock belongs to the session, so
 * when the active worker dies (kill -9, machine lost) PostgreSQL drops it with the connection and a standby
 * takes over at its next poll (WORKER_LEADER_POLL_MS, default 1 s).
 *
 * Why a lock on top of the runners' checkpoint compare-and-set: the CAS already prevents a batch from being
 * applied twice, but two live runners would keep failing each other's batches and re-reading the log; the
 * lock makes the second one idle instead.
 *
 * Losing the lock's connection while active (PostgreSQL restarted) means another worker may now acquire
 * it: `lost` resolves and the caller must stop its jobs (main.ts exits; the orchestrator restarts it and it
 * queues for the lock again).
 *
 * WORKER_LEADER_LOCK (read by the platform's configuration, AppConfig.leaderLock): `auto` (default: on
 * when READ_MODELS_ENGINE=postgres), `off`. SQLite read models are one-machine only (infra/README.md),
 * where the lock is not needed.
 */
import { Client } from 'pg';
import type { LeaderLockConfig } from '@motcua/platform';

export type { LeaderLockConfig } from '@motcua/platform';

export interface LeaderLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

export interface Leadership {
  /** Resolves when the lock's session is gone (the lock may be someone else's now). */
  lost: Promise<unknown>;
  release(): Promise<void>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** Waits until this process holds the lock; undefined when `signal` aborted first. */
export async function acquireLeadership(c: LeaderLockConfig, logger: LeaderLogger, signal?: AbortSignal): Promise<Leadership | undefined> {
  let announced = false;
  while (!signal?.aborted) {
    const client = new Client({ connectionString: c.connectionString, keepAlive: true, application_name: 'motcua-worker-leader' });
    client.on('error', () => undefined); // reported through `lost` below or the next attempt
    try {
      await client.connect();
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [c.name]);
      if (r.rows[0]?.ok) {
        logger.info({ lock: c.name }, 'worker: active (leader lock acquired)');
        let releasing = false;
        const lost = new Promise<unknown>((resolve) => {
          client.on('error', (err) => resolve(err));
          client.on('end', () => resolve(new Error('leader lock connection ended')));
        }).then((why) => (releasing ? new Promise<unknown>(() => undefined) : why));
        // A half-open TCP connection would never report 'end': probe it.
        const probe = setInterval(() => void client.query('SELECT 1').catch((err) => client.emit('error', err)), Math.max(500, c.pollMs));
        probe.unref();
        return {
          lost,
          async release() {
            releasing = true;
            clearInterval(probe);
            await client.end().catch(() => undefined);
          },
        };
      }
      if (!announced) logger.info({ lock: c.name }, 'worker: standby (another worker holds the leader lock)');
      announced = true;
    } catch (err) {
      logger.warn({ err: (err as Error).message, lock: c.name }, 'worker: leader lock unavailable; retrying');
    }
    await client.end().catch(() => undefined);
    await sleep(c.pollMs, signal);
  }
  return undefined;
}
