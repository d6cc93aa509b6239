import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Duplex } from 'node:stream';
import { fastUlid } from '../ids';

const ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * fastify's `frameworkErrors`: what its router refuses before any route, hook or Nest filter runs, answered
 * in the one error shape (fastify's own answer was `{ error: 'Bad Request', code: 'FST_ERR_BAD_URL', … }`, or
 * a 414 for a long parameter). A path that is not valid percent-encoded UTF-8 (`/api/dossiers/%`,
 * `/api/agencies/%C0%AF`) and a path parameter over the router's 100 characters (no identifier of this API
 * has more than 64) are both 400 VALIDATION_FAILED naming `path`. The path is not echoed: it may carry
 * personal data. Anything else the router reports (async constraints, unused here) is a 500 in the shape.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const given = request.headers['x-correlation-id'];
  const correlationId = typeof given === 'string' && ID_RE.test(given) ? given : fastUlid();
  reply.header('X-Correlation-Id', correlationId);
  const message =
    error.code === 'FST_ERR_BAD_URL'
      ? 'the path is not valid percent-encoded UTF-8'
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'a path parameter is longer than 100 characters'
        : undefined;
  if (message === undefined) {
    void reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error; quote the correlation id when reporting it', correlationId } });
    return;
  }
  void reply.code(400).send({ error: { code: 'VALIDATION_FAILED', message, details: [{ field: 'path', message }], correlationId } });
}

/**
 * fastify's `clientErrorHandler`: what Node's HTTP parser refuses before fastify sees a request (headers over
 * Node's 16 KiB limit, a request line it cannot parse, a request that took too long), answered in the one
 * error shape on the raw socket, which is then closed (fastify's own answer was `{ error: 'Request Header
 * Fields Too Large', statusCode: 431 }`). 431 REQUEST_HEADERS_TOO_LARGE, 408 REQUEST_TIMEOUT, else 400
 * MALFORMED_REQUEST.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'REQUEST_HEADERS_TOO_LARGE', 'the request headers exceed 16 KiB']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'the request did not arrive in time']
        : [400, 'Bad Request', 'MALFORMED_REQUEST', 'the request is not well-formed HTTP/1.1'];
  const body = JSON.stringify({ error: { code, message, correlationId: fastUlid() } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
