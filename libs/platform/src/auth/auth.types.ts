export const ROLES = ['clerk', 'monitor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated principal, from a verified bearer token. */
export interface AuthUser {
  /** Subject: the user id; recorded as the `actor` of the events this user causes. */
  sub: string;
  /** Issuer (`iss`), when the token names one: with `sub` and `agency` it scopes the user's idempotency keys. */
  iss?: string;
  role: Role;
  /** Agency code the user works for (clerks and monitors); scopes what they may write and read. */
  agency?: string;
  /** Token expiry, epoch seconds. */
  exp?: number;
}

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}
