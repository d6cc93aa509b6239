import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@motcua/platform';
import { ApiError } from '@motcua/platform';

/**
 * Fixed one-minute window per principal, in memory. Per instance by design: it protects an instance
 * from a runaway client without a Redis round trip on the hot path (N instances allow N x the limit).
 * RATE_LIMIT_PER_MINUTE=0 switches it off (benchmarks).
 */
@Injectable()
export class RateLimiter {
  private windowStart = 0;
  private counts = new Map<string, number>();
  private readonly limit: number;

  /** Replaceable clock (tests). */
  now: () => number = Date.now;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limit = config.rateLimitPerMinute;
  }

  consume(key: string): void {
    if (this.limit <= 0) return;
    const t = this.now();
    const window = Math.floor(t / 60_000) * 60_000;
    if (window !== this.windowStart) {
      this.windowStart = window;
      this.counts = new Map();
    }
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n > this.limit) {
      const retryAfter = Math.max(1, Math.ceil((window + 60_000 - t) / 1000));
      throw new ApiError(429, 'RATE_LIMITED', `more than ${this.limit} requests per minute`, undefined, { 'Retry-After': String(retryAfter) });
    }
  }
}
