/**
 * Envelope encryption of applicants' identity fields (Decree 13/2023/NĐ-CP on personal data protection).
 *
 * - One random 256-bit data key per applicant record; the record is sealed with AES-256-GCM under it, with the
 *   applicant ref as associated data (ciphertext moved onto another ref does not open).
 * - The data key is stored only wrapped (AES-256-GCM) under the master key, in a key vault kept apart from the
 *   event store. Erasure destroys the wrapped key: every copy of the ciphertext (events, replicas, backups of the
 *   event store) becomes unreadable, while the events themselves, and so the hash chain, stay untouched.
 * Only node:crypto; no I/O here.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomFillSync } from 'node:crypto';

export const APPLICANT_FIELDS = ['name', 'idNumber', 'phone', 'address'] as const;
export type ApplicantField = (typeof APPLICANT_FIELDS)[number];
/** The identity fields of an applicant; every field optional. */
export type ApplicantFields = Partial<Record<ApplicantField, string>>;

export interface MasterKey {
  /** Public identifier (hash prefix) stored beside every wrapped key, so rotation knows which master wrapped it. */
  id: string;
  key: Buffer;
}

export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/** The sealed record does not open: wrong key, or ciphertext / ref / format altered. */
export class SealedDataError extends Error {
  readonly code = 'SEALED_DATA_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'SealedDataError';
  }
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Plaintext is padded to a multiple of this, so the ciphertext length says little about a name's length. */
const PAD_TO = 64;
export const SEALED_PREFIX = 'pd1';

/** A master key from its text form: 64 hex digits, or base64 / base64url of exactly 32 bytes. */
export function parseMasterKey(raw: string): MasterKey {
  const s = raw.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(s)) key = Buffer.from(s, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(s)) key = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!key || key.length !== KEY_BYTES) {
    throw new MasterKeyError('must be 32 bytes as 64 hex digits or base64/base64url (e.g. `openssl rand -base64 32`)');
  }
  return { id: masterKeyId(key), key };
}

export function generateMasterKeyText(): string {
  return randomBytes(KEY_BYTES).toString('base64url');
}

function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('motcua-personal-data-master-key\0').update(key).digest('hex').slice(0, 16);
}

/**
 * Random bytes from the CSPRNG, drawn 4 KiB at a time: a receipt needs four small draws (ref, data key, two
 * IVs), and each `randomBytes` call cost more than the AES-GCM it feeds. Each draw is copied into its own buffer
 * (never Node's shared allocation slab: it may be a key) and zeroed in the pool, so no key stays behind in it.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

export function secureRandomBytes(n: number): Buffer {
  if (n > 256) return randomBytes(n);
  if (poolOffset + n > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.allocUnsafeSlow(n);
  pool.copy(out, 0, poolOffset, poolOffset + n);
  pool.fill(0, poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

export function generateDataKey(): Buffer {
  return secureRandomBytes(KEY_BYTES);
}

function gcmEncrypt(key: Buffer, aad: string, plaintext: Buffer): { iv: Buffer; ct: Buffer; tag: Buffer } {
  const iv = secureRandomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return { iv, ct, tag: c.getAuthTag() };
}

function gcmDecrypt(key: Buffer, aad: string, iv: Buffer, ct: Buffer, tag: Buffer): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(tag);
  return Buffer.concat([d.update(ct), d.final()]);
}

const keyAad = (ref: string) => `motcua:pd:key:v1:${ref}`;
const recordAad = (ref: string) => `motcua:pd:applicant:v1:${ref}`;

/** The data key of `ref` wrapped under the master key: iv(12) | tag(16) | ciphertext(32). */
export function wrapDataKey(master: MasterKey, ref: string, dataKey: Buffer): Buffer {
  const { iv, ct, tag } = gcmEncrypt(master.key, keyAad(ref), dataKey);
  return Buffer.concat([iv, tag, ct]);
}

export function unwrapDataKey(master: MasterKey, ref: string, wrapped: Buffer): Buffer {
  if (wrapped.length !== IV_BYTES + TAG_BYTES + KEY_BYTES) throw new SealedDataError('wrapped key has the wrong length');
  try {
    return gcmDecrypt(
      master.key,
      keyAad(ref),
      wrapped.subarray(0, IV_BYTES),
      wrapped.subarray(IV_BYTES + TAG_BYTES),
      wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
    );
  } catch {
    throw new SealedDataError('wrapped key does not open under this master key');
  }
}

/** Only the known fields, only non-empty strings, in a fixed order. */
export function normalizeApplicant(a: ApplicantFields | Record<string, unknown> | undefined | null): ApplicantFields {
  const out: ApplicantFields = {};
  if (!a || typeof a !== 'object') return out;
  for (const f of APPLICANT_FIELDS) {
    const v = (a as Record<string, unknown>)[f];
    if (typeof v === 'string' && v.length > 0) out[f] = v;
  }
  return out;
}

/** `pd1.<iv>.<ciphertext>.<tag>` (base64url): printable ASCII, as the domain's `applicantSealed` requires. */
export function sealRecord(dataKey: Buffer, ref: string, applicant: ApplicantFields): string {
  const json = JSON.stringify(normalizeApplicant(applicant));
  const len = Buffer.byteLength(json, 'utf8');
  // JSON.parse ignores trailing spaces: pad so lengths leak only in 64-byte steps.
  const padded = Buffer.from(json + ' '.repeat((PAD_TO - (len % PAD_TO)) % PAD_TO), 'utf8');
  const { iv, ct, tag } = gcmEncrypt(dataKey, recordAad(ref), padded);
  return [SEALED_PREFIX, iv.toString('base64url'), ct.toString('base64url'), tag.toString('base64url')].join('.');
}

export function openRecord(dataKey: Buffer, ref: string, sealed: string): ApplicantFields {
  const parts = typeof sealed === 'string' ? sealed.split('.') : [];
  if (parts.length !== 4 || parts[0] !== SEALED_PREFIX) throw new SealedDataError(`not a ${SEALED_PREFIX} sealed record`);
  const [, iv, ct, tag] = parts.map((p) => Buffer.from(p, 'base64url'));
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SealedDataError('sealed record is malformed');
  let plain: Buffer;
  try {
    plain = gcmDecrypt(dataKey, recordAad(ref), iv, ct, tag);
  } catch {
    throw new SealedDataError('sealed record does not open (altered, or sealed under another ref)');
  }
  return normalizeApplicant(JSON.parse(plain.toString('utf8')) as Record<string, unknown>);
}
