import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { EVENT_STORE, EventStore, type Writability } from '@motcua/event-store';
import { REDIS } from '@motcua/platform';
import { Public } from '../../shared/auth/decorators';

const TIMEOUT_MS = 1500;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

/** The event store's check: whether it answers and, when it does, whether appends can be expected to succeed. */
export type StoreCheck = { status: 'ok' | 'down'; engine: string; error?: string } & Partial<Writability>;

export interface HealthReport {
  /** `down`: a dependency does not answer; `degraded`: all answer, but the event store cannot take writes (reads go on). */
  status: 'ok' | 'degraded' | 'down';
  checks: { store: StoreCheck; redis: { status: 'ok' | 'down'; error?: string } };
}

/**
 * Readiness (public): 200 when the store and Redis answer and the store can take writes, else 503 with
 * `Retry-After` and a machine-readable reason: `down` naming what does not answer, or `degraded` with
 * `checks.store.writable: false` and `reason` (`disk_full`: an append failed for lack of space and none has
 * succeeded since; `low_disk_space`: SQLite's room is below EVENT_STORE_MIN_FREE_BYTES). It says ok again
 * as soon as writes can succeed. Liveness, which never depends on a dependency, is /api/ping.
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Ping, first waiting for a connection in progress (just after start, or reconnecting). */
  private async redisPing(): Promise<void> {
    if (this.redis.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const onReady = () => (clearTimeout(t), resolve());
        const t = setTimeout(() => {
          this.redis.off('ready', onReady);
          reject(new Error(`redis ${this.redis.status}`));
        }, TIMEOUT_MS - 100);
        this.redis.once('ready', onReady);
      });
    }
    await this.redis.ping();
  }

  /** Ping, then ask the store whether it can take writes (a read-only question: nothing is written). */
  private async storeCheck(): Promise<StoreCheck> {
    const engine = this.store.engine;
    try {
      await this.store.ping();
      return { status: 'ok', engine, ...(await this.store.writability()) };
    } catch (e) {
      return { status: 'down', engine, error: (e as Error).message };
    }
  }

  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthReport> {
    const [store, redis] = await Promise.all([
      withTimeout(this.storeCheck(), TIMEOUT_MS).catch((e: Error) => ({ status: 'down' as const, engine: this.store.engine, error: e.message })),
      withTimeout(this.redisPing(), TIMEOUT_MS).then(
        () => ({ status: 'ok' as const }),
        (e: Error) => ({ status: 'down' as const, error: e.message }),
      ),
    ]);
    const up = store.status === 'ok' && redis.status === 'ok';
    const status = !up ? 'down' : store.writable === false ? 'degraded' : 'ok';
    res.code(status === 'ok' ? 200 : 503);
    if (status !== 'ok') res.header('Retry-After', '5');
    res.header('Cache-Control', 'no-store');
    return { status, checks: { store, redis } };
  }
}
