import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { fastUlid } from '../ids';
import type { MetricsService } from './metrics';

const ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const STARTED = Symbol('motcua.started');
const METRICS = Symbol('motcua.metrics');

type TimedRequest = FastifyRequest & { correlationId?: string; [STARTED]?: bigint; user?: { sub?: string } };

/**
 * First hook of every request: takes `X-Correlation-Id` (or makes a ULID), echoes it, keeps it on the
 * request (`req.correlationId`), and at the end writes one access-log line (method, route, status,
 * duration) and observes the request duration histogram of /metrics. Never the body or the query
 * string: they may carry personal data.
 */
export function installRequestHooks(fastify: FastifyInstance, logger: Logger): void {
  // The access line is built here from fixed, non-personal fields: the redaction paths of the main logger
  // (a second line of defence for other calls) would find nothing in it and cost four times the line itself.
  const access = logger.child({}, { redact: [] });
  fastify.decorateRequest('correlationId', undefined);
  fastify.addHook('onRequest', (request, reply, done) => {
    const req = request as TimedRequest;
    const given = req.headers['x-correlation-id'];
    const correlationId = typeof given === 'string' && ID_RE.test(given) ? given : fastUlid();
    req.correlationId = correlationId;
    // On the raw response, so even answers written there (the event stream) carry it.
    reply.raw.setHeader('X-Correlation-Id', correlationId);
    req[STARTED] = process.hrtime.bigint();
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const req = request as TimedRequest;
    const ms = Number(process.hrtime.bigint() - (req[STARTED] ?? process.hrtime.bigint())) / 1e6;
    const route = routeOf(req);
    const status = reply.statusCode;
    (fastify as unknown as { [METRICS]?: MetricsService })[METRICS]?.observeRoute(req.method, route, status, ms / 1000);
    const url = req.url;
    const q = url.indexOf('?');
    const line = {
      correlationId: req.correlationId,
      actor: req.user?.sub,
      method: req.method,
      route,
      path: q < 0 ? url : url.slice(0, q),
      status,
      ms: Math.round(ms * 10) / 10,
    };
    if (status >= 500) access.error(line, 'request');
    else access.info(line, 'request');
    done();
  });
}

/** The /metrics histogram the response hook observes (the service exists once the Nest app is built). */
export function setMetrics(fastify: FastifyInstance, metrics: MetricsService): void {
  (fastify as unknown as { [METRICS]?: MetricsService })[METRICS] = metrics;
}

/** The matched route pattern (`/api/agencies/:code`), or `unmatched` (keeps label cardinality bounded). */
export function routeOf(req: FastifyRequest): string {
  const url = req.routeOptions?.url;
  return typeof url === 'string' && !req.is404 ? url : 'unmatched';
}
