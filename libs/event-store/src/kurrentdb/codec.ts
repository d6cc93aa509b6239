/**
 * Pure helpers of the KurrentDB adapter: position encoding, deterministic event ids, the
 * command-claim stream name and the metadata envelope. No I/O, unit-tested in codec.spec.ts.
 */
import { createHash } from 'node:crypto';
import type { EventMetadata } from '../port';

const TWO_64 = 1n << 64n;
const MASK_64 = TWO_64 - 1n;

/** KurrentDB's log position: commit and prepare offsets in the transaction file (both < 2^63). */
export interface KurrentPosition {
  commit: bigint;
  prepare: bigint;
}

/**
 * Encodes {commit, prepare} as one decimal string, commit * 2^64 + prepare. Ordering by the
 * numeric value equals KurrentDB's own ordering (commit first, then prepare), so the shared
 * BigInt-based `comparePositions` works on KurrentDB positions as on the SQL engines' sequences.
 */
export function encodePosition(p: KurrentPosition): string {
  if (p.commit < 0n || p.prepare < 0n || p.commit > MASK_64 || p.prepare > MASK_64) {
    throw new RangeError(`KurrentDB position out of range: ${p.commit}/${p.prepare}`);
  }
  return ((p.commit << 64n) | p.prepare).toString(10);
}

export function decodePosition(s: string): KurrentPosition {
  if (!/^\d+$/.test(s)) throw new RangeError(`not a KurrentDB position: ${s}`);
  const v = BigInt(s);
  return { commit: v >> 64n, prepare: v & MASK_64 };
}

/**
 * Deterministic event id (RFC 4122 name-based layout, version 5, sha-1): the same command
 * appended again yields the same ids, so KurrentDB's own id check recognises the retry when it
 * is sent with the same exact expected revision.
 */
export function deterministicEventId(streamId: string, commandId: string, index: number): string {
  const b = createHash('sha1').update(`motcua\u0000${streamId}\u0000${commandId}\u0000${index}`, 'utf8').digest();
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Prefix of the per-command claim streams; they are hidden from readAll/subscribeToAll. */
export const CLAIM_STREAM_PREFIX = 'motcua-cmd-';

/** Name of the claim stream of one (stream, command); hashed so no separator can collide. */
export function claimStreamName(streamId: string, commandId: string): string {
  return (
    CLAIM_STREAM_PREFIX +
    createHash('sha1')
      .update(JSON.stringify([streamId, commandId]), 'utf8')
      .digest('hex')
  );
}

/** True for events that are not application events: system streams/types and our claims. */
export function isHiddenStream(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$') || streamId.startsWith(CLAIM_STREAM_PREFIX);
}

/** Server-side filter for subscribeToAll (.NET regex): everything but `$…` and claim streams. */
export const VISIBLE_STREAMS_REGEX = `^(?!\\$|${CLAIM_STREAM_PREFIX})`;

/**
 * What we store as KurrentDB event metadata. The application metadata is kept whole under `app`
 * (lossless, so the hash recomputes); `$correlationId`/`$causationId` follow KurrentDB's own
 * convention so its system projections ($by_correlation_id) work.
 */
export interface StoredMetadata {
  app: EventMetadata;
  hash: string;
  prevHash: string;
  /** Set by the adapter before the write, because it is hashed (KurrentDB's `created` is not known yet). */
  recordedAt: string;
  $correlationId?: string;
  $causationId?: string;
}

export function toStoredMetadata(app: EventMetadata, hash: string, prevHash: string, recordedAt: string): StoredMetadata {
  const m: StoredMetadata = { app, hash, prevHash, recordedAt, $correlationId: app.correlationId };
  if (app.causationId) m.$causationId = app.causationId;
  return m;
}

export function isStoredMetadata(m: unknown): m is StoredMetadata {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as StoredMetadata).hash === 'string' &&
    typeof (m as StoredMetadata).prevHash === 'string' &&
    typeof (m as StoredMetadata).recordedAt === 'string' &&
    typeof (m as StoredMetadata).app === 'object'
  );
}

/** Content of a claim event: the exact revision the command's append was sent with. */
export interface CommandClaim {
  /** Stream revision the append expects (-1: no stream). */
  expected: number;
  count: number;
}
export const CLAIM_EVENT_TYPE = 'motcua.command-claimed.v1';
