import type { NextFunction, Request, Response } from './http-types';
import type { Logger } from 'pino';
import { fastUlid } from '../ids';
import { routeOf, type MetricsService } from './metrics';

const ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * First middleware of every request: takes `X-Correlation-Id` (or makes a ULID), echoes it, keeps it on the
 * request (`req.correlationId`), and at the end writes one access-log line (method, route, status,
 * duration) and observes the request duration histogram of /metrics (one 'finish' listener for both). Never
 * the body or the query string: they may carry personal data.
 */
export function requestMiddleware(logger: Logger, metrics?: MetricsService) {
  // The access line is built here from fixed, non-personal fields: the redaction paths of the main logger
  // (a second line of defence for other calls) would find nothing in it and cost four times the line itself.
  const access = logger.child({}, { redact: [] });
  return (req: Request & { correlationId?: string }, res: Response, next: NextFunction) => {
    const given = req.headers['x-correlation-id'];
    const correlationId = typeof given === 'string' && ID_RE.test(given) ? given : fastUlid();
    req.correlationId = correlationId;
    res.setHeader('X-Correlation-Id', correlationId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      metrics?.observe(req, res, ms / 1000);
      const line = { correlationId, actor: (req as { user?: { sub?: string } }).user?.sub, method: req.method, route: routeOf(req), path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (res.statusCode >= 500) access.error(line, 'request');
      else access.info(line, 'request');
    });
    next();
  };
}
