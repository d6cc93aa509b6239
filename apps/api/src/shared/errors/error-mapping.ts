import { HttpException } from '@nestjs/common';
import { CommandIdTakenError, StoreFullError, StoreUnavailableError, WrongExpectedRevisionError } from '@motcua/event-store';
import { ApiError, ErrorBody, ErrorCode, ErrorDetail } from '@motcua/platform';

export interface MappedError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True when the error is unexpected: logged with its stack at error level. */
  unexpected: boolean;
}

/** Seconds a client should wait before retrying when a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

/** How an error carrying a string `code` maps: its status, and optionally its own wording. */
export interface CodeMapping {
  status: number;
  /** The public message; default: the error's own message. */
  message?: (err: Error & Record<string, unknown>) => string;
  /** Extra public (non-personal) body fields, besides the domain ones (`state`, `action`…). */
  extra?: (err: Error & Record<string, unknown>) => Record<string, unknown>;
}

/**
 * Status of errors that carry a string `code` but are not ours to import (domain errors, adapters'
 * errors): matched by code so that libs need not know about HTTP. Extend with `registerErrorCode`.
 */
const CODE_STATUS = new Map<string, CodeMapping>([
  ['VALIDATION_FAILED', { status: 400 }],
  ['INVALID_COMMAND', { status: 422 }],
  ['ILLEGAL_TRANSITION', { status: 422 }],
  ['DEADLINE_NOT_PASSED', { status: 422 }],
  ['INVALID_EVENT', { status: 422 }],
  ['UNKNOWN_SCORING_RULE', { status: 422 }],
  ['NOT_FOUND', { status: 404 }],
  ['FORBIDDEN', { status: 403 }],
  ['UNAUTHENTICATED', { status: 401 }],
  ['DUPLICATE', { status: 409 }],
  ['CONCURRENCY_CONFLICT', { status: 409 }],
  ['STORE_UNAVAILABLE', { status: 503 }],
  // @motcua/calendar: a dossier recorded a calendar version (official schedules) this build does not hold,
  // typically written by a newer release. Nothing the client sent is wrong: the server must be upgraded.
  [
    'UNKNOWN_CALENDAR_VERSION',
    {
      status: 503,
      message: (err) =>
        `this build of the server does not know calendar version '${typeof err.version === 'string' ? err.version : 'unknown'}' ` +
        'recorded on the dossier (a newer release wrote it); retry after the server is upgraded',
      extra: (err) => (typeof err.version === 'string' ? { calendarVersion: err.version } : {}),
    },
  ],
]);

/** Maps errors whose `code` is `code` to `status` (and, optionally, their own message and extra fields). */
export function registerErrorCode(code: string, status: number, opts: Omit<CodeMapping, 'status'> = {}): void {
  CODE_STATUS.set(code, { status, ...opts });
}

/** Node/driver network errors: a dependency is down, not a bug. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P03', '08006', '08001']);

const STATUS_CODE: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONCURRENCY_CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'INVALID_COMMAND',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

function body(code: string, message: string, correlationId: string, details?: ErrorDetail[], extra?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...(details && details.length ? { details } : {}), ...(extra ?? {}), correlationId } };
}

/** Public fields a domain error may expose (they name states and actions, never personal data). */
function domainExtra(err: Record<string, unknown>): Record<string, unknown> | undefined {
  const extra: Record<string, unknown> = {};
  for (const k of ['state', 'action', 'field', 'reason', 'dueAt']) {
    if (typeof err[k] === 'string') extra[k] = err[k];
  }
  return Object.keys(extra).length ? extra : undefined;
}

/** Pure mapping of anything thrown to the one error shape. */
export function mapError(err: unknown, correlationId: string): MappedError {
  const none: Record<string, string> = {};
  if (err instanceof ApiError) {
    return { status: err.status, body: body(err.code, err.message, correlationId, err.details, err.extra), headers: err.headers ?? none, unexpected: false };
  }
  if (err instanceof WrongExpectedRevisionError) {
    return {
      status: 409,
      body: body(
        'CONCURRENCY_CONFLICT',
        `the resource was changed by someone else (expected revision ${err.expected}, actual ${err.actual})`,
        correlationId,
        undefined,
        {
          expectedRevision: err.expected,
          actualRevision: err.actual,
        },
      ),
      headers: none,
      unexpected: false,
    };
  }
  if (err instanceof CommandIdTakenError) {
    // Only idempotency keys are store-scoped command ids: the key names a command on another resource.
    return {
      status: 422,
      body: body('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was already used for a command on another resource', correlationId),
      headers: none,
      unexpected: false,
    };
  }
  if (err instanceof StoreFullError) {
    return {
      status: 503,
      body: body('STORE_FULL', 'the event store is out of disk space: nothing was written; retry later', correlationId),
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      unexpected: false,
    };
  }
  if (err instanceof StoreUnavailableError) {
    return {
      status: 503,
      body: body('STORE_UNAVAILABLE', 'the event store is unavailable, retry later', correlationId),
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      unexpected: false,
    };
  }
  const e = (err ?? {}) as Record<string, unknown>;
  // JSON parser errors (shaped like body-parser's): `type` tells them apart; they carry status 4xx.
  if (e.type === 'entity.too.large') {
    return {
      status: 413,
      body: body('PAYLOAD_TOO_LARGE', `request body larger than ${e.limit ?? 'the limit'} bytes`, correlationId),
      headers: none,
      unexpected: false,
    };
  }
  if (e.type === 'entity.parse.failed' || err instanceof SyntaxError) {
    return {
      status: 400,
      body: body('MALFORMED_JSON', 'request body is not valid JSON', correlationId, [{ field: 'body', message: 'malformed JSON' }]),
      headers: none,
      unexpected: false,
    };
  }
  if (typeof e.type === 'string' && (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')) {
    return { status: 415, body: body('UNSUPPORTED_MEDIA_TYPE', String(e.message ?? 'unsupported encoding'), correlationId), headers: none, unexpected: false };
  }
  // fastify's own request errors (body over the limit, unknown content type, bad Content-Length…).
  if (typeof e.code === 'string' && e.code.startsWith('FST_') && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const status = e.statusCode;
    if (status === 413)
      return { status, body: body('PAYLOAD_TOO_LARGE', 'request body larger than the limit', correlationId), headers: none, unexpected: false };
    if (status === 415)
      return { status, body: body('UNSUPPORTED_MEDIA_TYPE', String(e.message ?? 'unsupported media type'), correlationId), headers: none, unexpected: false };
    return {
      status,
      body: body(STATUS_CODE[status] ?? 'VALIDATION_FAILED', String(e.message ?? 'bad request'), correlationId),
      headers: none,
      unexpected: false,
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    let message = err.message;
    if (typeof res === 'object' && res && 'message' in res) {
      const m = (res as { message: unknown }).message;
      message = Array.isArray(m) ? m.join('; ') : String(m);
    }
    if (status === 400 && /JSON/i.test(message)) {
      // Nest maps body-parser SyntaxErrors to a BadRequestException carrying the parser message.
      return {
        status: 400,
        body: body('MALFORMED_JSON', 'request body is not valid JSON', correlationId, [{ field: 'body', message: 'malformed JSON' }]),
        headers: none,
        unexpected: false,
      };
    }
    if (status === 404 && /^Cannot /.test(message)) message = 'no such route';
    const code = STATUS_CODE[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
    return {
      status,
      body: body(code, message, correlationId),
      headers: status === 503 ? { 'Retry-After': String(RETRY_AFTER_SECONDS) } : none,
      unexpected: status >= 500,
    };
  }
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) {
    return {
      status: 503,
      body: body('SERVICE_UNAVAILABLE', 'a dependency is unavailable, retry later', correlationId),
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      unexpected: false,
    };
  }
  if (typeof e.code === 'string' && CODE_STATUS.has(e.code) && err instanceof Error) {
    const mapping = CODE_STATUS.get(e.code)!;
    const { status } = mapping;
    const headers = status === 503 ? { 'Retry-After': String(RETRY_AFTER_SECONDS) } : none;
    const shown = err as Error & Record<string, unknown>;
    const extra = { ...domainExtra(e), ...mapping.extra?.(shown) };
    return {
      status,
      body: body(e.code, mapping.message ? mapping.message(shown) : err.message, correlationId, undefined, Object.keys(extra).length ? extra : undefined),
      headers,
      unexpected: false,
    };
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.message === 'string') {
    const status = e.status;
    return { status, body: body(STATUS_CODE[status] ?? 'VALIDATION_FAILED', e.message, correlationId), headers: none, unexpected: false };
  }
  return { status: 500, body: body('INTERNAL', 'internal error; quote the correlation id when reporting it', correlationId), headers: none, unexpected: true };
}
