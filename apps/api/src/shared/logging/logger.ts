import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import { PERSONAL_DATA_REDACT_PATHS } from '@motcua/personal-data';
import { requestContext } from './request-context';

/**
 * Structured JSON logs (pino). The correlation id and actor of the current request are mixed into
 * every line. Bodies are never logged: they carry applicants' personal data (Decree 13/2023).
 */
export function createLogger(level: string, name = 'motcua', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const ctx = requestContext.getStore();
      return ctx ? { correlationId: ctx.correlationId, ...(ctx.actor ? { actor: ctx.actor } : {}) } : {};
    },
    // Applicant identity fields too (issue 10): a second line of defence should one reach a log call.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.password', '*.token', ...PERSONAL_DATA_REDACT_PATHS], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Nest's logger port over pino, so framework messages are JSON lines too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, ...rest: unknown[]) {
    this.logger.info({ context: ctx(rest) }, str(message));
  }
  error(message: unknown, ...rest: unknown[]) {
    const stack = rest.find((r) => typeof r === 'string' && r.includes('\n    at '));
    this.logger.error({ context: ctx(rest), ...(stack ? { stack } : {}) }, str(message));
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.logger.warn({ context: ctx(rest) }, str(message));
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.logger.debug({ context: ctx(rest) }, str(message));
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.logger.trace({ context: ctx(rest) }, str(message));
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.logger.fatal({ context: ctx(rest) }, str(message));
  }
}

function ctx(rest: unknown[]): string | undefined {
  const last = rest[rest.length - 1];
  return typeof last === 'string' && !last.includes('\n') ? last : undefined;
}
function str(m: unknown): string {
  return typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m);
}

export const LOGGER = Symbol.for('motcua.Logger');
