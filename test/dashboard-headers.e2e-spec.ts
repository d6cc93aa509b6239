/**
 * The dashboard's security headers over real HTTP (the browser tests in dashboard.e2e-spec.ts show the page
 * still works under them): its own scripts only, no framing, its own origin only.
 */
import { startTestApp, type TestApp } from './support/app';

describe('dashboard security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ store: 'sqlite' });
  });
  afterAll(() => t?.close());

  it.each(['/dashboard/', '/dashboard/js/app.js', '/dashboard/vendor/chart.umd.min.js'])('%s has a strict CSP and may not be framed', async (path) => {
    const r = await fetch(t.baseUrl + path);
    // Read the body: an unread response keeps its connection busy, and the server's close waits for it.
    expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect(r.status).toBe(200);
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
