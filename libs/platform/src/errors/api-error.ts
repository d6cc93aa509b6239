/**
 * The one error shape of the API. Every error response, whatever threw it, has this body:
 * `{ error: { code, message, details?, correlationId } }` with a stable, machine-readable code.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_JSON'
  | 'MALFORMED_REQUEST'
  | 'REQUEST_TIMEOUT'
  | 'REQUEST_HEADERS_TOO_LARGE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONCURRENCY_CONFLICT'
  | 'DUPLICATE'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'ILLEGAL_TRANSITION'
  | 'INVALID_COMMAND'
  | 'DEADLINE_NOT_PASSED'
  | 'INVALID_EVENT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'STORE_UNAVAILABLE'
  | 'SERVICE_UNAVAILABLE'
  | 'UNKNOWN_CALENDAR_VERSION'
  | 'BROKEN_HASH_CHAINS'
  | 'INTERNAL';

export interface ErrorDetail {
  field: string;
  message: string;
}

export interface ErrorBody {
  error: {
    code: ErrorCode | string;
    message: string;
    details?: ErrorDetail[];
    correlationId: string;
    [extra: string]: unknown;
  };
}

/** Throw this from controllers and handlers for errors the API itself decides. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | string,
    message: string,
    readonly details?: ErrorDetail[],
    /** Response headers to add (e.g. Retry-After). */
    readonly headers?: Record<string, string>,
    /** Extra, non-personal fields for the body (e.g. `state`, `action` of an illegal transition). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static validation(details: ErrorDetail[], message = 'request validation failed'): ApiError {
    return new ApiError(400, 'VALIDATION_FAILED', message, details);
  }
  static notFound(message: string): ApiError {
    return new ApiError(404, 'NOT_FOUND', message);
  }
  static forbidden(message: string): ApiError {
    return new ApiError(403, 'FORBIDDEN', message);
  }
  static duplicate(message: string): ApiError {
    return new ApiError(409, 'DUPLICATE', message);
  }
  static conflict(message: string, extra?: Record<string, unknown>): ApiError {
    return new ApiError(409, 'CONCURRENCY_CONFLICT', message, undefined, undefined, extra);
  }
}
