import { Injectable } from '@nestjs/common';
import { hash } from 'node:crypto';
import type { Request } from '../http/http-types';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { AuthUser } from '@motcua/platform';
import { ApiError } from '@motcua/platform';
import { requestFingerprint, scopedCommandId, validateIdempotencyKey } from './command-context';
import { IdempotencyStore, StoredResponse } from './idempotency.store';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What a keyed write that was not answered from the cache leaves on its request for the response hook. */
interface PendingKey {
  cacheKey: string;
  fingerprint: string;
}
type WireRequest = Request & { user?: AuthUser; [PENDING]?: PendingKey };
const PENDING = Symbol('motcua.idempotency.pending');

/** Thrown after authentication when a keyed write already succeeded; the exception filter sends `stored`. */
export class IdempotentReplay {
  constructor(readonly stored: StoredResponse) {}
}

/**
 * Safety on the wire, for every route:
 * - a JSON response body with a numeric `revision` gets `ETag: "<revision>"` (what `If-Match` expects back);
 * - a write carrying `Idempotency-Key` (or body `commandId`) that already succeeded is answered with the
 *   first response (status, body, ETag) and `Idempotent-Replayed: true`; the same key on a different
 *   request is a 422. Only 2xx answers are kept: a failed command wrote nothing and may be retried.
 *
 * Two halves instead of a Nest interceptor (an interceptor puts every request of the app through RxJS and
 * async-resource bindings, a measurable share of a command's CPU): `check` runs at the end of the global
 * auth guard (after 401/403/429, before validation, as the interceptor did), and `installWireResponse`
 * hooks the app's `res.json`, where the handler's result is sent, to add the ETag and store a first answer
 * before it goes out.
 */
@Injectable()
export class IdempotencyCheck {
  constructor(private readonly cache: IdempotencyStore) {}

  /** Throws IdempotentReplay (or 422 for a reused key) when the keyed write was already answered. */
  async check(req: WireRequest): Promise<void> {
    if (!WRITE_METHODS.has(req.method) || !req.user) return;
    const body = req.body as Record<string, unknown> | undefined;
    const key =
      validateIdempotencyKey(req.headers['idempotency-key'], 'Idempotency-Key') ??
      (body && typeof body === 'object' && !Array.isArray(body) ? validateIdempotencyKey(body.commandId, 'commandId') : undefined);
    if (!key) return;
    // One-shot hashes (crypto.hash): no Hash object per call. Scoped as the command id is (issuer, subject, agency).
    const cacheKey = 'idem:' + hash('sha256', scopedCommandId(req.user, key));
    const fingerprint = requestFingerprint(req);
    const hit = await this.cache.get(cacheKey);
    if (hit) {
      if (hit.fingerprint !== fingerprint) {
        throw new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', 'this idempotency key was already used for a different request');
      }
      throw new IdempotentReplay(hit);
    }
    req[PENDING] = { cacheKey, fingerprint };
  }
}

/** Sends a stored first answer (from the exception filter, which IdempotentReplay reaches). */
export function sendReplay(res: FastifyReply, stored: StoredResponse): void {
  res.code(stored.status);
  if (stored.etag) res.header('ETag', stored.etag);
  res.header('Idempotent-Replayed', 'true');
  res.send(stored.body);
}

/**
 * The HTTP adapter whose `reply` (where Nest sends a handler's result) adds the ETag and stores a first
 * answer before it goes out.
 */
export class WireFastifyAdapter extends FastifyAdapter {
  wire?: IdempotencyStore;

  override reply(response: FastifyReply, body: unknown, statusCode?: number): FastifyReply {
    const res = response as FastifyReply;
    const status = statusCode ?? res.statusCode;
    const rev = (body as { revision?: unknown } | null)?.revision;
    if (typeof rev === 'number' && !res.sent && status < 300) res.header('ETag', `"${rev}"`);
    const req = res.request as unknown as WireRequest;
    const pending = req?.[PENDING];
    const cache = this.wire;
    if (!pending || !cache) return super.reply(res, body, statusCode) as FastifyReply;
    req[PENDING] = undefined;
    if (status < 200 || status >= 300) return super.reply(res, body, statusCode) as FastifyReply;
    const etag = res.getHeader('ETag');
    // Stored before the answer goes out: a client that retries after it has the answer finds the key.
    void cache
      .put(pending.cacheKey, { fingerprint: pending.fingerprint, status, body, ...(etag ? { etag: String(etag) } : {}) })
      .then(() => super.reply(res, body, statusCode));
    return res;
  }
}
