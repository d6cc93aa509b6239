import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
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

/** What a static request resolves to; `serveStatic` answers it through fastify's reply. */
export type StaticAnswer =
  | { kind: 'pass' }
  | { kind: 'redirect'; location: string }
  | { kind: 'not-modified'; headers: Record<string, string> }
  | { kind: 'file'; file: string; headers: Record<string, string> };

/**
 * A minimal static resolver (GET/HEAD only): files under `root`, never outside it (a `..` escape
 * is a 404), plus fixed extra files (vendor libraries from node_modules). `no-cache` + a weak ETag
 * so a redeploy is seen on the next load without stale tabs on the monitors' screens.
 * `url` is the path below the mount, `originalUrl` the whole request URL.
 */
export function resolveStatic(
  mount: string,
  root: string,
  extra: Record<string, string>,
  req: { method?: string; url: string; originalUrl: string; ifNoneMatch?: string },
  headers: Record<string, string> = {},
): StaticAnswer {
  if (req.method !== 'GET' && req.method !== 'HEAD') return { kind: 'pass' };
  const base = resolve(root) + sep;
  const url = new URL(req.url || '/', 'http://x');
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return { kind: 'pass' };
  }
  if (rel === '' || rel === '/') {
    const orig = new URL(req.originalUrl || '/', 'http://x');
    if (!orig.pathname.endsWith('/')) return { kind: 'redirect', location: `${mount}/${orig.search}` };
    rel = '/index.html';
  }
  let file: string | undefined = extra[rel];
  if (!file) {
    const abs = resolve(root, '.' + rel);
    if (!abs.startsWith(base)) return { kind: 'pass' };
    file = abs;
  }
  let st;
  try {
    st = statSync(file);
  } catch {
    return { kind: 'pass' };
  }
  if (!st.isFile()) return { kind: 'pass' };
  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const common = { 'Cache-Control': 'no-cache', ETag: etag, 'X-Content-Type-Options': 'nosniff', ...headers };
  if (req.ifNoneMatch === etag) return { kind: 'not-modified', headers: common };
  return {
    kind: 'file',
    file,
    headers: { ...common, 'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': String(st.size) },
  };
}

/**
 * Mounts resolveStatic on fastify at `mount/*` (and `mount` itself when `withRoot`, which redirects to
 * `mount/`); a file not found goes on to the API's 404. Files go out as streams through the reply (never a
 * hijacked raw response: fastify then keeps track of the connection, and closing the server does not wait on
 * a browser's idle keep-alive socket).
 */
export function serveStatic(
  app: FastifyInstance,
  mount: string,
  root: string,
  extra: Record<string, string>,
  withRoot: boolean,
  headers: Record<string, string> = {},
): void {
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const originalUrl = request.raw.url ?? '/';
    const answer = resolveStatic(
      mount,
      root,
      extra,
      { method: request.method, url: originalUrl.slice(mount.length) || '/', originalUrl, ifNoneMatch: request.headers['if-none-match'] },
      headers,
    );
    switch (answer.kind) {
      case 'pass':
        return reply.callNotFound();
      case 'redirect':
        return reply.code(301).header('Location', answer.location).send();
      case 'not-modified':
        return reply.code(304).headers(answer.headers).send();
      case 'file':
        reply.code(200).headers(answer.headers);
        return request.method === 'HEAD' ? reply.send() : reply.send(createReadStream(answer.file));
    }
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
