import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { EVENT_STORE, EventStore } from '@motcua/event-store';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { LOGGER } from '../logging/logger';
import { CLOCK, systemClock } from '../clock';
import { openEventStore } from '../factories/event-store.factory';

export const REDIS = Symbol.for('motcua.Redis');

/** Closes the store and Redis when the application stops (Ctrl-C, test teardown). */
@Injectable()
class InfrastructureLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
    await this.store.close();
  }
}

/**
 * Ports bound to adapters chosen by configuration: `EVENT_STORE` (the event store), `REDIS` (an ioredis
 * client), `CLOCK`. Global, so every feature module can inject them.
 */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => openEventStore(config.eventStore),
    },
    {
      provide: REDIS,
      inject: [APP_CONFIG, LOGGER],
      useFactory: (config: AppConfig, logger: Logger) => {
        // Redis is not on the write path: the API starts and serves while it is down (health says so).
        const redis = new Redis(config.redisUrl, {
          lazyConnect: true,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 2000,
          retryStrategy: (times) => Math.min(times * 200, 2000),
        });
        let warned = false;
        redis.on('error', (err) => {
          if (!warned) logger.warn({ err: { message: err.message } }, 'redis unavailable');
          warned = true;
        });
        redis.on('ready', () => {
          if (warned) logger.info('redis connected');
          warned = false;
        });
        redis.connect().catch(() => undefined);
        return redis;
      },
    },
    { provide: CLOCK, useValue: systemClock },
    InfrastructureLifecycle,
  ],
  exports: [EVENT_STORE, REDIS, CLOCK],
})
export class InfrastructureModule {}
