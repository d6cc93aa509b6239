/**
 * The worker leader lock on the real (shared) PostgreSQL: one holder at a time, the standby takes over when the
 * holder releases or its session dies, and the holder learns that it lost the lock. A lock name unique to the
 * run keeps parallel suites apart; only this test's own session is terminated.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { leaderLockFromEnv } from '@motcua/platform';
import { acquireLeadership, type LeaderLockConfig } from './leader';

const PG_URL = process.env.TEST_PG_URL ?? `postgres://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:5432/test`;
const quiet = { info: () => undefined, warn: () => undefined };
/** Resolves with `value` after `ms` without keeping jest alive. */
const after = (ms: number, value: string) => new Promise((r) => setTimeout(r, ms, value).unref());

describe('worker leader lock (PostgreSQL advisory lock)', () => {
  const cfg: LeaderLockConfig = { connectionString: PG_URL, name: `leader-test-${randomBytes(6).toString('hex')}`, pollMs: 100 };

  it('one holder; the standby takes over on release and when the holder session is killed; the holder sees the loss', async () => {
    const first = await acquireLeadership(cfg, quiet);
    expect(first).toBeDefined();
    const standby = new AbortController();
    let second: Awaited<ReturnType<typeof acquireLeadership>> | undefined;
    const waiting = acquireLeadership(cfg, quiet, standby.signal).then((l) => (second = l));
    await new Promise((r) => setTimeout(r, 400));
    expect(second).toBeUndefined(); // still standing by

    // The holder's session dies (as when its process is killed): PostgreSQL frees the lock.
    const admin = new Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (hashtext($1)::bigint & 4294967295)::oid`,
        [cfg.name],
      );
    } finally {
      await admin.end();
    }
    const lost = await Promise.race([first!.lost.then(() => 'lost'), after(5000, 'not noticed')]);
    expect(lost).toBe('lost');
    await waiting;
    expect(second).toBeDefined();
    await first!.release();

    // Released on purpose: the next one gets it, and a release is not reported as a loss.
    const third = acquireLeadership(cfg, quiet);
    await second!.release();
    const t = await third;
    expect(t).toBeDefined();
    const reported = await Promise.race([second!.lost.then(() => 'lost'), after(300, 'quiet')]);
    expect(reported).toBe('quiet');
    await t!.release();
    standby.abort();
  });

  it('is on only with PostgreSQL read models, unless turned off', () => {
    expect(leaderLockFromEnv({ READ_MODELS_ENGINE: 'sqlite' })).toBeUndefined();
    expect(leaderLockFromEnv({ READ_MODELS_ENGINE: 'postgres', READ_MODELS_PG_URL: PG_URL, WORKER_LEADER_LOCK: 'off' })).toBeUndefined();
    expect(leaderLockFromEnv({ READ_MODELS_ENGINE: 'postgres', READ_MODELS_PG_URL: PG_URL, READ_MODELS_PG_SCHEMA: 'rm' })).toEqual({
      connectionString: PG_URL,
      name: 'motcua-worker:rm',
      pollMs: 1000,
    });
  });
});
