import { hash } from 'node:crypto';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from '../http/http-types';
import { fastUlid } from '../ids';
import type { ExpectedRevision } from '@motcua/event-store';
import type { CommandContext } from '@motcua/application';

export { checkExpectedRevision, eventMetadata, type CommandContext } from '@motcua/application';
import { ApiError } from '@motcua/platform';
import { AuthUser } from '@motcua/platform';

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

/** Digest of a write request: method, path and body (what a reused idempotency key is compared by). */
export function requestFingerprint(req: { method: string; originalUrl?: string; url?: string; body?: unknown }): string {
  return hash('sha256', `${req.method} ${req.originalUrl ?? req.url}\u0000${JSON.stringify(req.body ?? null)}`);
}

/**
 * The scope of a principal's idempotency keys: issuer, subject and agency of its token, as one digest. The
 * same key sent by another scope is another key (another command, another cached answer): two principals who
 * pick the same key never see each other's answers nor swallow each other's writes, as the Idempotency-Key
 * draft recommends (a composite key of the client's key and what the server knows of the client).
 */
export function idempotencyScope(actor: Pick<AuthUser, 'iss' | 'sub' | 'agency'>): string {
  return hash('sha256', `${actor.iss ?? ''}\u0000${actor.sub}\u0000${actor.agency ?? ''}`, 'base64url');
}

/** The command id of a keyed command: its key within its sender's scope. */
export function scopedCommandId(actor: Pick<AuthUser, 'iss' | 'sub' | 'agency'>, key: string): string {
  return `idem:${idempotencyScope(actor)}:${key}`;
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
    ...(key ? { fingerprint: requestFingerprint(req) } : {}),
    // Namespaced by principal: two users who happen to pick the same key never swallow each other's writes.
    commandId: key ? scopedCommandId(actor, key) : fastUlid(),
    idempotencyKey: key,
    ...(key ? { legacyCommandId: `${actor.sub}:${key}` } : {}),
    expectedRevision: parseIfMatch(req.headers['if-match']),
    correlationId: req.correlationId ?? fastUlid(),
    actor,
  };
}

/** `@Ctx() ctx: CommandContext` in a controller method. */
export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => commandContextOf(ctx.switchToHttp().getRequest()));
