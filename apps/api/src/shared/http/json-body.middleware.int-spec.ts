/**
 * fastJsonBody answers exactly as the JSON body parser behind it (Nest's `useBodyParser('json', { strict })`)
 * would: the same body or the same error type and status, for what it reads itself and what it passes on.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// The parser Nest registers for `useBodyParser('json')` (a dependency of @nestjs/platform-express).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bodyParser = require('body-parser') as { json(o: { limit: number; strict: boolean }): Handler };
import { fastJsonBody } from './json-body.middleware';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
const LIMIT = 1024;

function serve(chain: Handler[]): Promise<Server> {
  const server = createServer((req, res) => {
    let i = 0;
    const next = (err?: unknown) => {
      if (err || i >= chain.length) {
        const e = err as { type?: string; status?: number } | undefined;
        const out = e ? { error: { type: e.type, status: e.status } } : { body: (req as IncomingMessage & { body?: unknown }).body ?? null };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(out));
        return;
      }
      chain[i++](req, res, next);
    };
    next();
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

function send(server: Server, headers: Record<string, string>, body: Buffer): Promise<unknown> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('fastJsonBody', () => {
  let fast: Server;
  let reference: Server;
  beforeAll(async () => {
    fast = await serve([fastJsonBody(LIMIT) as unknown as Handler, bodyParser.json({ limit: LIMIT, strict: true })]);
    reference = await serve([bodyParser.json({ limit: LIMIT, strict: true })]);
  });
  afterAll(() => {
    fast.close();
    reference.close();
  });

  const bodies: [string, Buffer][] = [
    ['object', Buffer.from('{"code":"H30.01-1","applicant":{"name":"Nguyễn Thị Hồng Nhung"}}')],
    ['array', Buffer.from('[1,2,3]')],
    ['leading whitespace', Buffer.from(' \n\t{"a":1}')],
    ['byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')])],
    ['whitespace only', Buffer.from('   ')],
    ['null', Buffer.from('null')],
    ['string', Buffer.from('"x"')],
    ['number', Buffer.from('12')],
    ['malformed', Buffer.from('{"a":')],
    ['trailing garbage', Buffer.from('{"a":1} x')],
    ['own __proto__ key', Buffer.from('{"__proto__":{"x":1},"a":1}')],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d])],
    ['over the limit', Buffer.from(`{"a":"${'x'.repeat(LIMIT)}"}`)],
  ];
  const types = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON; charset="UTF-8"', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'text/plain', 'application/merge-patch+json'];

  it.each(bodies)('%s: the same answer as the JSON body parser, for every content type', async (_name, body) => {
    for (const type of types) {
      const headers = { 'content-type': type, 'content-length': String(body.length) };
      expect([type, await send(fast, headers, body)]).toEqual([type, await send(reference, headers, body)]);
    }
  });

  it('leaves compressed bodies to the JSON body parser', async () => {
    const body = Buffer.from('{"a":1}');
    const headers = { 'content-type': 'application/json', 'content-length': String(body.length), 'content-encoding': 'br' };
    expect(await send(fast, headers, body)).toEqual(await send(reference, headers, body));
  });
});
