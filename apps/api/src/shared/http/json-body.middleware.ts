import type { NextFunction, Request, Response } from './http-types';

const JSON_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Shaped like body-parser's errors (`type`, `status`), so the one error mapping answers them alike. */
function parserError(message: string, status: number, type: string): Error {
  const err = status === 400 && type === 'entity.parse.failed' ? new SyntaxError(message) : new Error(message);
  return Object.assign(err, { status, statusCode: status, expose: true, type });
}

/**
 * The common JSON body, read without body-parser's machinery (type-is, content-type parsing, raw-body, iconv,
 * async-resource bindings: together a visible share of a command's CPU): `Content-Type: application/json`
 * (optionally `; charset=utf-8`), no `Content-Encoding`, a `Content-Length` from 1 to the limit. Parsed as the
 * JSON body parser would (strict: an object or an array; a UTF-8 byte-order mark dropped), with the same error
 * shapes for malformed JSON (400) and an aborted upload. Every other request is left untouched for the JSON
 * body parser registered after this one (other charsets and encodings, chunked or empty bodies, over the
 * limit: its answers, 413/415…, stay as they were); a request read here counts as finished, which that parser
 * skips.
 */
export function fastJsonBody(limit: number) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const h = req.headers;
    const len = h['content-length'];
    if (len === undefined || h['transfer-encoding'] !== undefined || h['content-encoding'] !== undefined) return next();
    const type = h['content-type'];
    if (type === undefined || !JSON_TYPE.test(type) || !/^[1-9]\d{0,9}$/.test(len)) return next();
    const length = Number(len);
    if (length > limit) return next();
    const chunks: Buffer[] = [];
    let received = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onError);
      next(err);
    };
    const onData = (c: Buffer) => {
      received += c.length;
      chunks.push(c);
    };
    const onAborted = () => finish(parserError('request aborted', 400, 'request.aborted'));
    const onError = (e: Error) => finish(Object.assign(e, { status: 400, statusCode: 400, expose: true, type: 'request.aborted' }));
    const onEnd = () => {
      if (received !== length) return finish(parserError('request size did not match content length', 400, 'request.size.invalid'));
      let text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)).toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const first = /\S/.exec(text)?.[0];
      if (first !== '{' && first !== '[') return finish(parserError('JSON body must be an object or an array', 400, 'entity.parse.failed'));
      try {
        req.body = JSON.parse(text);
      } catch (e) {
        return finish(parserError((e as Error).message, 400, 'entity.parse.failed'));
      }
      finish();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onError);
  };
}
