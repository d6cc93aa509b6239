/**
 * The live alert stream respects its token over real HTTP: it ends when the token expires (with an
 * `event: token-expired` first; it streamed on after expiry before), one principal may hold
 * SSE_MAX_STREAMS_PER_PRINCIPAL streams at once (429 past it, a slot freed when one closes), and an
 * expired token is refused at the start.
 */
import { startTestApp, type TestApp } from './support/app';

async function openStream(url: string, signal?: AbortSignal): Promise<{ status: number; text: () => Promise<string> }> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal });
  return {
    status: res.status,
    text: async () => {
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      let out = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return out;
        out += dec.decode(value, { stream: true });
      }
    },
  };
}

describe('alert stream lifetime (sqlite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ store: 'sqlite', env: { SSE_MAX_STREAMS_PER_PRINCIPAL: '2' } });
  });
  afterAll(() => t?.close());
  const url = (token: string) => `${t.baseUrl}/api/alerts/stream?access_token=${encodeURIComponent(token)}`;

  it('ends with event: token-expired when the token expires', async () => {
    const token = await t.token('monitor', 'H30', { sub: 'monitor-short', ttlSeconds: 2 });
    const started = Date.now();
    const s = await openStream(url(token));
    expect(s.status).toBe(200);
    const text = await s.text(); // resolves only when the server ends the stream
    expect(text).toContain('event: token-expired');
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);

  it('an expired token is refused before the stream starts', async () => {
    const token = await t.token('monitor', 'H30', { sub: 'monitor-old', ttlSeconds: -10 });
    expect((await openStream(url(token))).status).toBe(401);
  });

  it('at most SSE_MAX_STREAMS_PER_PRINCIPAL streams per principal; a closed one frees its slot', async () => {
    const token = await t.token('monitor', 'H30', { sub: 'monitor-tabs' });
    const a = new AbortController();
    const b = new AbortController();
    expect((await openStream(url(token), a.signal)).status).toBe(200);
    expect((await openStream(url(token), b.signal)).status).toBe(200);
    const third = await fetch(url(token), { headers: { accept: 'text/event-stream' } });
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Another principal is not affected.
    const other = new AbortController();
    expect((await openStream(url(await t.token('monitor', 'H30', { sub: 'monitor-other' })), other.signal)).status).toBe(200);
    a.abort();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const c = new AbortController();
      const r = await fetch(url(token), { headers: { accept: 'text/event-stream' }, signal: c.signal });
      status = r.status;
      c.abort();
    }
    expect(status).toBe(200);
    b.abort();
    other.abort();
  }, 20_000);
});
