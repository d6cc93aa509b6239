import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Request, Response } from '../http/http-types';
import { from, Observable, of } from 'rxjs';
import { mergeMap } from 'rxjs/operators';
import { AuthUser } from '../auth/auth.types';
import { ApiError } from '../errors/api-error';
import { validateIdempotencyKey } from './command-context';
import { IdempotencyStore } from './idempotency.store';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Safety on the wire, for every route:
 * - a response body with a numeric `revision` gets `ETag: "<revision>"` (what `If-Match` expects back);
 * - a write carrying `Idempotency-Key` (or body `commandId`) that already succeeded is answered with the
 *   first response (status, body, ETag) and `Idempotent-Replayed: true`; the same key on a different
 *   request is a 422. Only 2xx answers are kept: a failed command wrote nothing and may be retried.
 */
@Injectable()
export class WireInterceptor implements NestInterceptor {
  constructor(private readonly cache: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { user?: AuthUser }>();
    const res = http.getResponse<Response>();
    const setEtag = (body: unknown) => {
      const rev = (body as { revision?: unknown } | null)?.revision;
      if (typeof rev === 'number' && !res.headersSent) res.setHeader('ETag', `"${rev}"`);
    };
    if (!WRITE_METHODS.has(req.method) || !req.user) {
      return next.handle().pipe(
        mergeMap((body) => {
          setEtag(body);
          return of(body);
        }),
      );
    }
    const body = req.body as Record<string, unknown> | undefined;
    const key =
      validateIdempotencyKey(req.headers['idempotency-key'], 'Idempotency-Key') ??
      (body && typeof body === 'object' && !Array.isArray(body) ? validateIdempotencyKey(body.commandId, 'commandId') : undefined);
    if (!key) {
      return next.handle().pipe(
        mergeMap((b) => {
          setEtag(b);
          return of(b);
        }),
      );
    }
    const cacheKey = 'idem:' + createHash('sha256').update(`${req.user.sub}\u0000${key}`).digest('hex');
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.originalUrl}\u0000${JSON.stringify(body ?? null)}`)
      .digest('hex');
    return from(this.cache.get(cacheKey)).pipe(
      mergeMap((hit) => {
        if (hit) {
          if (hit.fingerprint !== fingerprint) {
            throw new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', 'this idempotency key was already used for a different request');
          }
          res.status(hit.status);
          if (hit.etag) res.setHeader('ETag', hit.etag);
          res.setHeader('Idempotent-Replayed', 'true');
          return of(hit.body);
        }
        return next.handle().pipe(
          mergeMap((out) => {
            setEtag(out);
            const status = res.statusCode;
            if (status >= 200 && status < 300) {
              const etag = res.getHeader('ETag');
              return from(this.cache.put(cacheKey, { fingerprint, status, body: out, ...(etag ? { etag: String(etag) } : {}) }).then(() => out));
            }
            return of(out);
          }),
        );
      }),
    );
  }
}
