import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { REDIS } from '../../infrastructure/infrastructure.module';
import { LOGGER } from '../logging/logger';

export interface StoredResponse {
  /** sha-256 of method, path and body of the first request: a key reused for another request is refused. */
  fingerprint: string;
  status: number;
  body: unknown;
  etag?: string;
}

/**
 * First responses of keyed commands, in Redis under `<REDIS_KEY_PREFIX>idem:<sha256(sub, key)>` with a TTL
 * (IDEMPOTENCY_TTL_SECONDS, default 24 h). This is the fast path only: the guarantee of "one event per
 * command" is the event store's (commandId per stream), and a handler that sees `duplicate: true`
 * rebuilds the same answer from the stream at the revision that command wrote. So losing Redis (it keeps
 * nothing on disk here) never duplicates a write; at worst a retry is answered from the store.
 */
@Injectable()
export class IdempotencyStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async get(key: string): Promise<StoredResponse | undefined> {
    if (this.redis.status !== 'ready') return undefined;
    try {
      const raw = await this.redis.get(this.config.redisKeyPrefix + key);
      return raw ? (JSON.parse(raw) as StoredResponse) : undefined;
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'idempotency cache read failed');
      return undefined;
    }
  }

  async put(key: string, value: StoredResponse): Promise<void> {
    if (this.redis.status !== 'ready') return;
    try {
      await this.redis.set(this.config.redisKeyPrefix + key, JSON.stringify(value), 'EX', this.config.idempotencyTtlSeconds);
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'idempotency cache write failed');
    }
  }
}
