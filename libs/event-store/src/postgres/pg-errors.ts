/**
 * How the PostgreSQL adapter reads engine errors: connection trouble becomes the port's
 * StoreUnavailableError (the API answers 503 and the caller may retry), and a few transaction failures are
 * known to be safe to re-run. Kept apart from the write paths because reads, writes and the health check
 * all map errors the same way.
 */
import { EventStoreError, StoreFullError, StoreUnavailableError } from '../errors';

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '3D000', // database does not exist
]);

function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused|not queryable/i.test(
    message,
  );
}

/**
 * Engine errors into port errors: connection trouble becomes StoreUnavailableError (API: 503), a full disk
 * (53100 disk_full: "could not extend file ...: No space left on device") StoreFullError (503 too).
 */
export function mapPgError(err: unknown): unknown {
  if (err instanceof EventStoreError) return err;
  if ((err as { code?: unknown })?.code === '53100') {
    return new StoreFullError(`PostgreSQL is out of disk space: ${(err as Error)?.message ?? String(err)}`, err);
  }
  if (isUnavailable(err)) {
    return new StoreUnavailableError(`PostgreSQL unavailable: ${(err as Error)?.message ?? String(err)}`, err);
  }
  return err;
}

/** Transient failures of a whole group-commit transaction that are safe to re-run. */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '40P01' /* deadlock */ || code === '40001' /* serialization */ || code === '23505'; /* race */
}
