import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Content types of the few kinds of file the dashboard ships. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/**
 * The page sources (apps/dashboard) are found by walking up from this file, so the same code serves
 * them from `src` under ts-jest and from `dist` after `npm run build` (tsc copies no static files).
 */
export function findDashboardDir(start = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'apps', 'dashboard');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`dashboard: apps/dashboard/index.html not found above ${start}`);
    dir = up;
  }
}

/** chart.js's UMD build, resolved through the package (its `exports` hide dist/ from require.resolve). */
export function chartJsFile(): string {
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

type Handler = (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * A minimal static handler (GET/HEAD only): files under `root`, never outside it (a `..` escape
 * is a 404), plus fixed extra files (vendor libraries from node_modules). `no-cache` + a weak ETag
 * so a redeploy is seen on the next load without stale tabs on the monitors' screens.
 */
export function staticHandler(mount: string, root: string, extra: Record<string, string>, headers: Record<string, string> = {}): Handler {
  const base = resolve(root) + sep;
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const url = new URL(req.url ?? '/', 'http://x');
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return next();
    }
    if (rel === '' || rel === '/') {
      // `/dashboard` -> `/dashboard/`, so the page's relative module URLs resolve under the mount.
      const orig = new URL(req.originalUrl ?? req.url ?? '/', 'http://x');
      if (!orig.pathname.endsWith('/')) {
        res.statusCode = 301;
        res.setHeader('Location', `${mount}/${orig.search}`);
        return void res.end();
      }
      rel = '/index.html';
    }
    let file: string | undefined = extra[rel];
    if (!file) {
      const abs = resolve(root, '.' + rel);
      if (!abs.startsWith(base)) return next();
      file = abs;
    }
    let st;
    try {
      st = statSync(file);
    } catch {
      return next();
    }
    if (!st.isFile()) return next();
    const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', etag);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      return void res.end();
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(st.size));
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file)
      .on('error', (e) => (res.headersSent ? res.destroy(e) : next(e)))
      .pipe(res);
  };
}

/**
 * Mounts staticHandler on fastify at `mount/*` (and `mount` itself when `withRoot`, which redirects to
 * `mount/`); a file not found goes on to the API's 404.
 */
export function serveStatic(
  app: FastifyInstance,
  mount: string,
  root: string,
  extra: Record<string, string>,
  withRoot: boolean,
  headers: Record<string, string> = {},
): void {
  const handler = staticHandler(mount, root, extra, headers);
  const serve = (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.raw as IncomingMessage & { originalUrl?: string };
    const url = raw.url ?? '/';
    raw.originalUrl = url;
    raw.url = url.slice(mount.length) || '/';
    let passed = false;
    let error: unknown;
    // The handler answers synchronously or starts a file stream; it passes on (to the 404) synchronously.
    handler(raw, reply.raw, (err) => {
      passed = true;
      error = err;
    });
    raw.url = url;
    if (!passed) return void reply.hijack();
    if (error) throw error;
    reply.callNotFound();
  };
  if (withRoot) app.route({ method: ['GET', 'HEAD'], url: mount, handler: serve, exposeHeadRoute: false });
  app.route({ method: ['GET', 'HEAD'], url: `${mount}/*`, handler: serve, exposeHeadRoute: false });
}

/**
 * The dashboard's security headers. Its scripts are its own files (no inline script, no eval): a script
 * injected into a page through data (an agency name, a reason) cannot run. Style attributes are allowed
 * (the page sets indentation with them). The page may not be framed (clickjacking of the acknowledge
 * button) and talks only to its own origin (the API and the live alert stream).
 */
export const DASHBOARD_SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};
