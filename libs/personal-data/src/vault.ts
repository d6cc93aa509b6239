/**
 * The key vault port: where wrapped per-applicant data keys live, apart from the event store (another SQLite
 * file, another PostgreSQL schema). Destroying a key is the erasure; the row stays as a tombstone (ref, when),
 * so "erased" can be told from "never existed".
 */
export interface StoredKey {
  ref: string;
  /** null once erased. */
  wrappedKey: Buffer | null;
  masterKeyId: string;
  createdAt: string;
  erasedAt: string | null;
}

export type DestroyOutcome = 'destroyed' | 'already_erased' | 'unknown';

export interface KeyVault {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates the key of a new ref; a ref is never reused (unique). */
  put(key: { ref: string; wrappedKey: Buffer; masterKeyId: string; createdAt: string }): Promise<void>;
  get(ref: string): Promise<StoredKey | undefined>;
  /** Overwrites the wrapped key (NULL) and records when. Idempotent. */
  destroy(ref: string, erasedAt: string): Promise<DestroyOutcome>;
  /** Live keys not wrapped by `masterKeyId`, in ref order after `afterRef` (master key rotation). */
  keysNotUnder(masterKeyId: string, afterRef: string, limit: number): Promise<StoredKey[]>;
  /** Replaces a live key's wrapping if it is still wrapped by `fromMasterKeyId`; false if it changed meanwhile. */
  rewrap(ref: string, fromMasterKeyId: string, wrappedKey: Buffer, masterKeyId: string): Promise<boolean>;
  /** Throws when the vault cannot be reached (health). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The vault cannot be reached (file locked / I/O error, PostgreSQL down): callers answer 503. */
export class VaultUnavailableError extends Error {
  readonly code = 'VAULT_UNAVAILABLE';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'VaultUnavailableError';
  }
}

/** A ref is issued once: a second key for it is refused (never overwritten). */
export class DuplicateRefError extends Error {
  readonly code = 'DUPLICATE_APPLICANT_REF';
  constructor() {
    super('key vault: this applicant ref already has a key');
    this.name = 'DuplicateRefError';
  }
}
