import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import { JwtVerifier } from '@motcua/platform';
import { RateLimiter } from './auth/rate-limiter';
import { IdempotencyStore } from './command/idempotency.store';
import { IdempotencyCheck } from './command/wire';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { MetricsController, MetricsService } from './http/metrics';
import { PingController } from './http/ping.controller';

/** Cross-cutting HTTP concerns: auth guard (with the idempotency check), error filter, metrics, liveness ping; ETags and first answers: wire.ts. */
@Global()
@Module({
  controllers: [MetricsController, PingController],
  providers: [
    JwtVerifier,
    RateLimiter,
    IdempotencyStore,
    IdempotencyCheck,
    MetricsService,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
  ],
  exports: [JwtVerifier, MetricsService, IdempotencyStore],
})
export class SharedHttpModule {}
