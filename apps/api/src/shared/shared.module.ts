import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import { JwtVerifier } from './auth/jwt';
import { RateLimiter } from './auth/rate-limiter';
import { IdempotencyStore } from './command/idempotency.store';
import { WireInterceptor } from './command/wire.interceptor';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { MetricsController, MetricsService } from './http/metrics';
import { PingController } from './http/ping.controller';

/** Cross-cutting HTTP concerns: auth guard, error filter, ETag/idempotency interceptor, metrics, liveness ping. */
@Global()
@Module({
  controllers: [MetricsController, PingController],
  providers: [
    JwtVerifier,
    RateLimiter,
    IdempotencyStore,
    MetricsService,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    { provide: APP_INTERCEPTOR, useClass: WireInterceptor },
  ],
  exports: [JwtVerifier, MetricsService, IdempotencyStore],
})
export class SharedHttpModule {}
