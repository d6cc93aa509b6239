import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from '../http/http-types';
import { ApiError } from '@motcua/platform';
import { bindCorrelationId } from '../logging/request-context';
import { IdempotencyCheck } from '../command/wire';
import { AuthUser, Role } from '@motcua/platform';
import { IS_PUBLIC, ROLES_KEY } from './decorators';
import { JwtVerifier } from '@motcua/platform';
import { RateLimiter } from './rate-limiter';

/**
 * Global guard: bearer token (401), then `@Roles()` (403), then the per-token rate limit (429), then the
 * idempotency check of keyed writes (a retry is answered from the cache here; see wire.ts).
 * Routes are closed by default; `@Public()` opens one.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: JwtVerifier,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
    private readonly idempotency: IdempotencyCheck,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const header = req.headers.authorization;
    if (!header) throw new ApiError(401, 'UNAUTHENTICATED', 'bearer token required', undefined, { 'WWW-Authenticate': 'Bearer' });
    const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
    if (!m) throw new ApiError(401, 'UNAUTHENTICATED', 'malformed Authorization header', undefined, { 'WWW-Authenticate': 'Bearer' });
    const user = await this.verifier.verify(m[1]);
    req.user = user;
    if (req.correlationId) bindCorrelationId(user, req.correlationId);

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(user.role)) {
      throw new ApiError(403, 'FORBIDDEN', `role '${user.role}' may not do this (needs ${roles.join(' or ')})`);
    }
    this.limiter.consume(`${user.role}:${user.sub}`);
    await this.idempotency.check(req);
    return true;
  }
}
