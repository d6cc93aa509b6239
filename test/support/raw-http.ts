/**
 * A bare HTTP/1.1 client on node:http for tests that must send what `fetch` refuses to: a body on a GET,
 * a request target with bad percent-encoding, header bytes above 0x7f, any Content-Type or Content-Encoding
 * with any bytes. Answers with status, headers and body; an event stream is cut once its headers arrive.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body as received (exports are binary). */
  bytes: Buffer;
  /** The parsed JSON body, when the body is JSON. */
  json?: unknown;
  /** True when the answer was an event stream (read no further). */
  stream: boolean;
}

export interface RawRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** A keep-alive agent, so a run of thousands of requests does not open thousands of sockets. */
export function rawAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 4 });
}

/**
 * Sends one request; rejects on a network error or when no complete answer came within `timeoutMs`. A request
 * that failed before any answer on a kept-alive socket the agent reused is sent once more on a new connection:
 * the server may close an idle connection as the client starts writing on it, the race Node's documentation of
 * `request.reusedSocket` describes (https://nodejs.org/api/http.html#requestreusedsocket). The second attempt
 * must succeed like any other.
 */
export async function sendRaw(baseUrl: string, r: RawRequest, agent: Agent, timeoutMs = 15_000): Promise<RawResponse> {
  try {
    return await sendOnce(baseUrl, r, agent, timeoutMs);
  } catch (err) {
    if (!(err instanceof ReusedSocketError)) throw err;
    return sendOnce(baseUrl, r, false, timeoutMs);
  }
}

class ReusedSocketError extends Error {}

function sendOnce(baseUrl: string, r: RawRequest, agent: Agent | false, timeoutMs: number): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    const done = (err: Error | undefined, res?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res!);
    };
    const headers: Record<string, string> = { ...r.headers };
    if (r.body !== undefined) headers['content-length'] = String(r.body.length);
    let responded = false;
    const req = httpRequest({ host: url.hostname, port: url.port, method: r.method, path: r.target, headers, agent }, (res) => {
      responded = true;
      const type = String(res.headers['content-type'] ?? '');
      if (type.startsWith('text/event-stream')) {
        done(undefined, { status: res.statusCode ?? 0, headers: res.headers, text: '', bytes: Buffer.alloc(0), stream: true });
        res.destroy();
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => done(e));
      res.on('close', () => done(new Error('the answer was cut before its end')));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString('utf8');
        let json: unknown;
        if (/json/.test(type) && text) {
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
        }
        done(undefined, { status: res.statusCode ?? 0, headers: res.headers, text, bytes, json, stream: false });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      done(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    // A server may answer (413, 415…) and close before it read the whole body: the answer counts, not the write error.
    req.on('error', (e) =>
      setTimeout(() => {
        if (responded) return;
        done(req.reusedSocket && agent ? new ReusedSocketError(`${e.message} on a reused keep-alive socket`, { cause: e }) : e);
      }, 100),
    );
    req.end(r.body);
  });
}
