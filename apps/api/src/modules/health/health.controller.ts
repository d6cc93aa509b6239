import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { EVENT_STORE, EventStore } from '@motcua/event-store';
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

export interface HealthReport {
  status: 'ok' | 'down';
  checks: { store: { status: 'ok' | 'down'; engine: string; error?: string }; redis: { status: 'ok' | 'down'; error?: string } };
}

/** Public liveness + dependencies: 200 when the store and Redis answer, else 503 naming what is down. */
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

  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthReport> {
    const [store, redis] = await Promise.all([
      withTimeout(this.store.ping(), TIMEOUT_MS).then(
        () => ({ status: 'ok' as const, engine: this.store.engine }),
        (e: Error) => ({ status: 'down' as const, engine: this.store.engine, error: e.message }),
      ),
      withTimeout(this.redisPing(), TIMEOUT_MS).then(
        () => ({ status: 'ok' as const }),
        (e: Error) => ({ status: 'down' as const, error: e.message }),
      ),
    ]);
    const ok = store.status === 'ok' && redis.status === 'ok';
    res.code(ok ? 200 : 503);
    if (!ok) res.header('Retry-After', '5');
    res.header('Cache-Control', 'no-store');
    return { status: ok ? 'ok' : 'down', checks: { store, redis } };
  }
}
