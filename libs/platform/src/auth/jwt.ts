import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors as joseErrors, JWTPayload, jwtVerify, SignJWT, decodeProtectedHeader } from 'jose';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ApiError } from '../errors/api-error';
import { AuthUser, isRole, Role } from './auth.types';

const MAX_CLAIM_LENGTH = 256;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Verifies bearer tokens: HS256 with the configured secret, or asymmetric keys from a JWKS URL. */
@Injectable()
export class JwtVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.auth.jwtSecret) this.secret = new TextEncoder().encode(config.auth.jwtSecret);
    if (config.auth.jwksUrl) this.jwks = createRemoteJWKSet(new URL(config.auth.jwksUrl));
  }

  /**
   * Tokens already verified, by their full text (signature included, so only the very same token hits), until
   * they expire: a counter's client sends one token for hours, and verifying its HMAC each time was a visible
   * share of a command's CPU. Expiry is still checked on every hit; the bound only guards memory.
   */
  private readonly verified = new Map<string, AuthUser>();
  private static readonly MAX_CACHED = 10_000;

  /** Throws ApiError 401 for anything that is not a valid, unexpired token; 403 for an unknown role. */
  async verify(token: string, nowMs = Date.now()): Promise<AuthUser> {
    const hit = this.verified.get(token);
    if (hit) {
      if ((hit.exp ?? 0) * 1000 > nowMs) return { ...hit }; // a copy: callers may decorate their request's user
      this.verified.delete(token); // expired: verified again below, which answers 401 'token expired'
    }
    const user = await this.verifyUncached(token);
    // Only tokens that are valid now without the clock tolerance: an expired token within tolerance is re-verified.
    if ((user.exp ?? 0) * 1000 > nowMs) {
      if (this.verified.size >= JwtVerifier.MAX_CACHED) this.verified.clear();
      this.verified.set(token, { ...user });
    }
    return user;
  }

  private async verifyUncached(token: string): Promise<AuthUser> {
    let payload: JWTPayload;
    try {
      const { alg } = decodeProtectedHeader(token);
      const opts = { issuer: this.config.auth.issuer, audience: this.config.auth.audience, clockTolerance: 5 };
      if (alg === 'HS256' && this.secret) {
        ({ payload } = await jwtVerify(token, this.secret, { ...opts, algorithms: ['HS256'] }));
      } else if (this.jwks && alg && alg !== 'none' && !alg.startsWith('HS')) {
        ({ payload } = await jwtVerify(token, this.jwks, { ...opts, algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256', 'EdDSA'] }));
      } else {
        throw new ApiError(401, 'UNAUTHENTICATED', `token algorithm '${alg}' is not accepted`);
      }
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if (e instanceof joseErrors.JWTExpired) throw new ApiError(401, 'UNAUTHENTICATED', 'token expired');
      if (e instanceof joseErrors.JWKSTimeout || (e instanceof Error && /fetch failed/i.test(e.message))) {
        throw new ApiError(503, 'SERVICE_UNAVAILABLE', 'identity provider keys unavailable', undefined, { 'Retry-After': '5' });
      }
      throw new ApiError(401, 'UNAUTHENTICATED', 'invalid token');
    }
    if (typeof payload.sub !== 'string' || !payload.sub) throw new ApiError(401, 'UNAUTHENTICATED', 'token has no subject');
    // The subject, issuer and agency go into every event's metadata and the access log: control characters
    // (which the store refuses) or an unbounded length would let a token's holder break their own audit trail.
    for (const claim of ['sub', 'iss', 'agency'] as const) {
      const v = payload[claim];
      if (v !== undefined && (typeof v !== 'string' || v.length > MAX_CLAIM_LENGTH || CONTROL.test(v))) {
        throw new ApiError(
          401,
          'UNAUTHENTICATED',
          `token claim ${claim} must be a string of at most ${MAX_CLAIM_LENGTH} characters without control characters`,
        );
      }
    }
    if (typeof payload.exp !== 'number') throw new ApiError(401, 'UNAUTHENTICATED', 'token has no expiry');
    const role = payload.role;
    if (!isRole(role)) throw new ApiError(403, 'FORBIDDEN', 'token carries no known role');
    const agency = typeof payload.agency === 'string' && payload.agency ? payload.agency : undefined;
    if ((role === 'clerk' || role === 'monitor') && !agency) throw new ApiError(403, 'FORBIDDEN', `a ${role} token must name an agency`);
    const iss = typeof payload.iss === 'string' && payload.iss ? payload.iss : undefined;
    return { sub: payload.sub, ...(iss ? { iss } : {}), role, agency, exp: payload.exp };
  }
}

/** Parses `8h`, `30m`, `2d`, `3600s`, or plain seconds. */
export function parseTtl(ttl: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(ttl.trim());
  if (!m) throw new Error(`invalid ttl '${ttl}' (examples: 8h, 30m, 2d)`);
  const n = Number(m[1]);
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  if (n <= 0) throw new Error('ttl must be positive');
  return n * mult;
}

/** Signs an HS256 token (development tokens from the CLI, and tests). */
export async function signDevToken(
  secret: string,
  claims: { sub: string; role: Role | string; agency?: string; issuer?: string },
  ttlSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<string> {
  const payload: Record<string, unknown> = { role: claims.role };
  if (claims.agency) payload.agency = claims.agency;
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' });
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  return jwt
    .setSubject(claims.sub)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
