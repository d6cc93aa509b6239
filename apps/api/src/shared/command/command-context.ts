import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from '../http/http-types';
import { fastUlid } from '../ids';
import type { EventMetadata, ExpectedRevision } from '@motcua/event-store';
import { ApiError } from '../errors/api-error';
import { AuthUser } from '../auth/auth.types';

/**
 * What every use case receives besides its DTO: who acts, the command id that makes the append
 * idempotent, the revision the client expects (If-Match), and the correlation id for logs and metadata.
 */
export interface CommandContext {
  /** Idempotency: `<sub>:<Idempotency-Key>` (or the body's commandId); a fresh ULID when none was sent. */
  commandId: string;
  /** The raw key the client sent, if any. */
  idempotencyKey?: string;
  /** From `If-Match: "<revision>"`; undefined when absent (then the handler uses the revision it loaded). */
  expectedRevision?: ExpectedRevision;
  correlationId: string;
  actor: AuthUser;
}

const KEY_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Parses `If-Match`: `"5"`, `5`, `W/"5"` -> 5; `*` -> 'stream_exists'. Anything else is a 400. */
export function parseIfMatch(header: string | string[] | undefined): ExpectedRevision | undefined {
  if (header === undefined) return undefined;
  const raw = (Array.isArray(header) ? header[0] : header).trim();
  if (raw === '*') return 'stream_exists';
  const m = /^(?:W\/)?"?(-?\d{1,15})"?$/.exec(raw);
  if (!m || Number(m[1]) < -1) {
    throw ApiError.validation([{ field: 'If-Match', message: 'must be a revision in quotes, e.g. "3", as given by the ETag header' }]);
  }
  const n = Number(m[1]);
  return n === -1 ? 'no_stream' : n;
}

export function validateIdempotencyKey(key: unknown, field: string): string | undefined {
  if (key === undefined || key === null || key === '') return undefined;
  if (typeof key !== 'string' || !KEY_RE.test(key)) {
    throw ApiError.validation([{ field, message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' }]);
  }
  return key;
}

/** Builds the command context of a request (usable outside the decorator, e.g. in interceptors). */
export function commandContextOf(req: Request & { user?: AuthUser; correlationId?: string }): CommandContext {
  const actor = req.user;
  if (!actor) throw new ApiError(401, 'UNAUTHENTICATED', 'authentication required');
  const headerKey = validateIdempotencyKey(req.headers['idempotency-key'], 'Idempotency-Key');
  const body = req.body as Record<string, unknown> | undefined;
  const bodyKey = body && typeof body === 'object' && !Array.isArray(body) ? validateIdempotencyKey(body.commandId, 'commandId') : undefined;
  if (headerKey && bodyKey && headerKey !== bodyKey) {
    throw ApiError.validation([{ field: 'commandId', message: 'differs from the Idempotency-Key header' }]);
  }
  const key = headerKey ?? bodyKey;
  return {
    // Namespaced by principal: two users who happen to pick the same key never swallow each other's writes.
    commandId: key ? `${actor.sub}:${key}` : fastUlid(),
    idempotencyKey: key,
    expectedRevision: parseIfMatch(req.headers['if-match']),
    correlationId: req.correlationId ?? fastUlid(),
    actor,
  };
}

/** `@Ctx() ctx: CommandContext` in a controller method. */
export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => commandContextOf(ctx.switchToHttp().getRequest()));

/** Event metadata for an append made under this context. */
export function eventMetadata(ctx: CommandContext, agencyCode?: string): EventMetadata {
  return {
    actor: ctx.actor.sub,
    ...(agencyCode ?? ctx.actor.agency ? { agencyCode: agencyCode ?? ctx.actor.agency } : {}),
    correlationId: ctx.correlationId,
    commandId: ctx.commandId,
    role: ctx.actor.role,
  };
}

/**
 * The revision to append at: the client's If-Match when given (checked against what was loaded, so a
 * stale client gets 409 before any decision), else the loaded revision (optimistic concurrency anyway).
 */
export function checkExpectedRevision(ctx: CommandContext, loadedRevision: number): number {
  const e = ctx.expectedRevision;
  if (e === undefined || e === 'any') return loadedRevision;
  if (e === 'stream_exists' ? loadedRevision < 0 : e === 'no_stream' ? loadedRevision !== -1 : e !== loadedRevision) {
    throw ApiError.conflict(`the resource is at revision ${loadedRevision}, not ${String(e)}`, { expectedRevision: e, actualRevision: loadedRevision });
  }
  return loadedRevision;
}
