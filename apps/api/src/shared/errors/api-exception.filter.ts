import { ArgumentsHost, Catch, ExceptionFilter, Inject } from '@nestjs/common';
import type { Request } from '../http/http-types';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { LOGGER } from '@motcua/platform';
import { mapError } from './error-mapping';
import { IdempotentReplay, sendReplay } from '../command/wire';

/** Catches everything (routes, guards, pipes, body parser, unknown routes) and answers the one error shape. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<FastifyReply>();
    if (exception instanceof IdempotentReplay) {
      sendReplay(res, exception.stored);
      return;
    }
    const req = http.getRequest<Request & { correlationId?: string }>();
    const correlationId = req?.correlationId ?? 'unknown';
    const mapped = mapError(exception, correlationId);
    if (mapped.unexpected) {
      const e = exception as Error;
      this.logger.error({ correlationId, err: { name: e?.name, message: e?.message, stack: e?.stack } }, 'unexpected error');
    } else if (mapped.status >= 500) {
      // A dependency down, or a server-side condition such as UNKNOWN_CALENDAR_VERSION (upgrade needed).
      this.logger.warn({ correlationId, code: mapped.body.error.code, message: mapped.body.error.message }, 'service unavailable');
    }
    if (res.sent || res.raw.headersSent) {
      res.raw.end();
      return;
    }
    for (const [k, v] of Object.entries(mapped.headers)) res.header(k, v);
    res.code(mapped.status).send(mapped.body);
  }
}
