import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import { PERSONAL_DATA_REDACT_PATHS } from '@motcua/personal-data';

/**
 * Structured JSON logs (pino). Request lines (access log, errors) carry the request's correlation id and
 * actor; code that logs for a request passes them itself. Bodies are never logged: they carry applicants'
 * personal data (Decree 13/2023).
 */
export function createLogger(level: string, name = 'motcua', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Applicant identity fields too (personal data, Decree 13/2023): a second line of defence should one reach a log call.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.password', '*.token', ...PERSONAL_DATA_REDACT_PATHS], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Standard output for the API process: lines are gathered up to 2 KiB and written together (synchronously,
 * whole lines) instead of one write system call per line, which under load was the larger part of logging's
 * cost (one access line per request). What is gathered is written at least every second, at exit, and at
 * SIGINT/SIGTERM, so a stopping process loses nothing; only a SIGKILL or a crash of the runtime itself can
 * lose the last second's lines. Chunks stay under 4 KiB (PIPE_BUF) when lines do, so the lines of several API
 * processes on one pipe never interleave mid-line.
 */
export function bufferedStdout(): DestinationStream {
  const dest = pino.destination({ dest: 1, sync: true, minLength: 2048 });
  // flush(), not flushSync(): in sync mode both write at once, but flushSync also fsyncs, which stalled the
  // event loop every second when stdout is a file.
  const flush = () => {
    try {
      dest.flush();
    } catch {
      /* stdout closed: nothing to do */
    }
  };
  setInterval(flush, 1000).unref();
  process.on('exit', flush);
  // once: the framework's own handlers re-raise the signal after closing, which must then end the process.
  process.once('SIGINT', flush);
  process.once('SIGTERM', flush);
  return dest;
}

/** Nest's logger port over pino, so framework messages are JSON lines too. */
/** Nest's contexts that narrate the wiring at start-up. */
const STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, ...rest: unknown[]) {
    const context = ctx(rest);
    // Nest's start-up narration (a line per module, controller and route: ~90 lines) is debug detail, not news.
    if (context !== undefined && STARTUP_CONTEXTS.has(context)) this.logger.debug({ context }, str(message));
    else this.logger.info({ context }, str(message));
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
