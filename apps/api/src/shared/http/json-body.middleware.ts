import type { FastifyInstance } from 'fastify';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ApiError } from '@motcua/platform';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from './json-depth.middleware';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/** Shaped like body-parser's errors (`type`, `status`), so the one error mapping answers them alike. */
function parserError(message: string, status: number, type: string): Error {
  const err = status === 400 && type === 'entity.parse.failed' ? new SyntaxError(message) : new Error(message);
  return Object.assign(err, { status, statusCode: status, expose: true, type });
}

/**
 * The JSON body parser (fastify's own reading of the body: limit, Content-Length checks): strict (an object
 * or an array), a UTF-8 byte-order mark dropped, an empty body read as `{}`, a charset other than UTF-8 a 415, and nesting deeper than
 * MAX_JSON_DEPTH a 400 before validation recurses into it.
 */
export function installJsonParser(fastify: FastifyInstance, limit: number): void {
  // Compressed bodies, inflated as the Express body parser did (gzip, deflate, br; the limit counts inflated bytes).
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const enc = request.headers['content-encoding']?.toLowerCase();
    if (enc === undefined || enc === 'identity') return done(null, payload);
    const make = enc === 'gzip' ? createGunzip : enc === 'deflate' ? createInflate : enc === 'br' ? createBrotliDecompress : undefined;
    if (!make) return done(parserError(`unsupported content encoding "${enc}"`, 415, 'encoding.unsupported'), payload);
    const out = make() as ReturnType<typeof createGunzip> & { receivedEncodedLength?: number };
    let received = 0;
    payload.on('data', (c: Buffer) => {
      received += c.length;
      out.receivedEncodedLength = received;
    });
    out.on('error', (e) => Object.assign(e, { status: 400, statusCode: 400, expose: true, type: 'entity.parse.failed' }));
    payload.on('error', (e) => out.destroy(e));
    payload.pipe(out);
    done(null, out);
  });
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: limit }, (req, body, done) => {
    const charset = CHARSET.exec(req.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && charset.toLowerCase() !== 'utf-8') {
      return done(parserError(`unsupported charset "${charset.toUpperCase()}"`, 415, 'charset.unsupported'), undefined);
    }
    let text = body as string;
    if (text.length === 0) return done(null, {});
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const first = /\S/.exec(text)?.[0];
    if (first !== '{' && first !== '[') return done(parserError('JSON body must be an object or an array', 400, 'entity.parse.failed'), undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return done(parserError((e as Error).message, 400, 'entity.parse.failed'), undefined);
    }
    if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) {
      return done(ApiError.validation([{ field: 'body', message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` }]) as unknown as Error, undefined);
    }
    done(null, value);
  });
}
