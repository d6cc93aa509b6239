import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { ApiError } from '../errors/api-error';
import { JwtVerifier, signDevToken } from './jwt';

describe('JwtVerifier (verified-token cache)', () => {
  const secret = randomBytes(32).toString('base64url');
  const verifier = () => new JwtVerifier({ auth: { jwtSecret: secret } } as unknown as AppConfig);
  const T0 = Date.UTC(2025, 2, 3, 2, 0, 0);

  beforeEach(() => jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  const status = async (p: Promise<unknown>) =>
    p.then(
      () => 200,
      (e: unknown) => (e instanceof ApiError ? `${e.status} ${e.message}` : String(e)),
    );

  it('answers a token again from the cache, and still refuses it once expired', async () => {
    const v = verifier();
    const token = await signDevToken(secret, { sub: 'clerk-1', role: 'clerk', agency: 'H30' }, 60, Math.floor(T0 / 1000));
    expect(await v.verify(token)).toEqual({ sub: 'clerk-1', role: 'clerk', agency: 'H30', exp: T0 / 1000 + 60 });
    const again = await v.verify(token);
    again.agency = 'mutated by a caller';
    expect((await v.verify(token)).agency).toBe('H30');
    jest.setSystemTime(T0 + 120_000);
    expect(await status(v.verify(token))).toBe('401 token expired');
  });

  it("carries the token's issuer (it scopes the user's idempotency keys), and none when the token names none", async () => {
    const v = verifier();
    const token = await signDevToken(secret, { sub: 'clerk-1', role: 'clerk', agency: 'H30', issuer: 'https://idp.example' }, 60, Math.floor(T0 / 1000));
    expect(await v.verify(token)).toEqual({ sub: 'clerk-1', iss: 'https://idp.example', role: 'clerk', agency: 'H30', exp: T0 / 1000 + 60 });
    const none = await signDevToken(secret, { sub: 'clerk-1', role: 'clerk', agency: 'H30' }, 60, Math.floor(T0 / 1000));
    expect(await v.verify(none)).not.toHaveProperty('iss');
  });

  it('refuses a subject, issuer or agency with control characters or over 256 characters (they go into every event and the access log)', async () => {
    const v = verifier();
    const at = Math.floor(T0 / 1000);
    for (const claims of [
      { sub: 'clerk\u0000-1', role: 'clerk', agency: 'H30' },
      { sub: 'clerk-1\n', role: 'clerk', agency: 'H30' },
      { sub: 'x'.repeat(257), role: 'admin' },
      { sub: 'clerk-1', role: 'clerk', agency: 'H30\u0085' },
      { sub: 'clerk-1', role: 'clerk', agency: 'H30', issuer: 'https://idp\u0007' },
    ]) {
      expect(await status(v.verify(await signDevToken(secret, claims, 60, at)))).toMatch(/^401 token claim (sub|iss|agency) must be/);
    }
    expect((await v.verify(await signDevToken(secret, { sub: 'Nguyễn Văn Ánh', role: 'admin' }, 60, at))).sub).toBe('Nguyễn Văn Ánh');
  });

  it('a cached token does not vouch for a tampered one', async () => {
    const v = verifier();
    const token = await signDevToken(secret, { sub: 'admin-1', role: 'admin' }, 60, Math.floor(T0 / 1000));
    await v.verify(token);
    const [h, , s] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'admin-1', role: 'admin', exp: T0 / 1000 + 99999 })).toString('base64url');
    expect(await status(v.verify(`${h}.${forgedPayload}.${s}`))).toBe('401 invalid token');
    const other = await signDevToken(randomBytes(32).toString('base64url'), { sub: 'admin-1', role: 'admin' }, 60, Math.floor(T0 / 1000));
    expect(await status(v.verify(other))).toBe('401 invalid token');
  });
});
