/**
 * Seals: what the hash chains alone cannot show. A chain proves each event follows the one before
 * it, so editing or deleting the LAST events of a stream (or rewriting a stream and all its hashes)
 * leaves a chain that verifies. A seal is a short record of the whole log up to a global position:
 * the number of events and streams and one SHA-256 digest over every stream's head (revision and
 * hash of its last event) at that position. Kept outside the database (printed in a monthly
 * report, filed with the province, sent to another office), it lets anyone check later that the log
 * up to that position is still exactly what it was: a deleted, added or rewritten event at or
 * before the position changes a head, so the digest.
 */
import { createHash } from 'node:crypto';
import type { EventStore } from '@motcua/event-store';
import { scanChains, type BrokenLink, type VerifyProgress } from './verify';

export const SEAL_FORMAT = 'motcua.seal.v1';

export interface StoreSeal {
  format: typeof SEAL_FORMAT;
  /** The global position covered: every event at or before it. */
  position: string;
  events: number;
  streams: number;
  /** SHA-256 (hex) over the streams' heads at `position` (`headsDigest`). */
  digest: string;
  /** When the seal was made (information only: not part of what is checked). */
  sealedAt: string;
}

export interface SealCheck {
  /** The log up to the seal's position is what was sealed, and its chains verify. */
  ok: boolean;
  seal: StoreSeal;
  found: { events: number; streams: number; digest: string };
  /** What differs, in words (empty when ok). */
  differences: string[];
  /** Broken hash links up to the position (as `verifyStore` reports them). */
  broken: BrokenLink[];
  elapsedMs: number;
}

export interface SealOptions {
  onProgress?: (p: VerifyProgress) => void;
  signal?: AbortSignal;
}

/** The log's chains are broken: a seal would vouch for altered events. */
export class BrokenChainsError extends Error {
  constructor(readonly broken: BrokenLink[]) {
    super(`the hash chains of ${broken.length} stream(s) are broken (first: ${broken[0]?.streamId} revision ${broken[0]?.revision}); run audit verify`);
  }
}

/**
 * Digest of stream heads: one JSON line `[streamId, revision, hash]` per stream, in stream-id order
 * (UTF-16 code units, as `Array.prototype.sort`), hashed with SHA-256.
 */
export function headsDigest(heads: ReadonlyMap<string, readonly [number, string]>): string {
  const h = createHash('sha256');
  for (const id of [...heads.keys()].sort()) {
    const [next, hash] = heads.get(id)!;
    h.update(`${JSON.stringify([id, next - 1, hash])}\n`);
  }
  return h.digest('hex');
}

/**
 * Seals the log up to `position` (default: its head now), after verifying every chain up to it.
 * `now` is the instant recorded as `sealedAt`.
 */
export async function sealStore(store: EventStore, now: Date, o: SealOptions & { position?: string } = {}): Promise<StoreSeal> {
  const position = o.position ?? (await store.headPosition()) ?? '0';
  const scan = await scanChains(store, { upTo: position, onProgress: o.onProgress, signal: o.signal });
  if (!scan.ok) throw new BrokenChainsError(scan.broken);
  return { format: SEAL_FORMAT, position, events: scan.events, streams: scan.streams, digest: headsDigest(scan.heads), sealedAt: now.toISOString() };
}

/** Checks the log against a seal made earlier (events appended after its position are not its concern). */
export async function checkSeal(store: EventStore, seal: StoreSeal, o: SealOptions = {}): Promise<SealCheck> {
  const started = performance.now();
  const scan = await scanChains(store, { upTo: seal.position, onProgress: o.onProgress, signal: o.signal });
  const found = { events: scan.events, streams: scan.streams, digest: headsDigest(scan.heads) };
  const differences: string[] = [];
  if (found.events !== seal.events) differences.push(`${found.events} events up to position ${seal.position}, ${seal.events} when sealed`);
  if (found.streams !== seal.streams) differences.push(`${found.streams} streams up to position ${seal.position}, ${seal.streams} when sealed`);
  if (found.digest !== seal.digest)
    differences.push('the digest of the stream heads differs: an event at or before the position was added, removed or rewritten');
  if (!scan.ok) differences.push(`broken hash chains in ${scan.broken.length} stream(s)`);
  return { ok: differences.length === 0, seal, found, differences, broken: scan.broken, elapsedMs: performance.now() - started };
}

/** A seal read back (file, report) that is not one. */
export class InvalidSealError extends Error {}

/** Reads a seal from its JSON text, checking every field (what `sealStore` writes, nothing else). */
export function parseSeal(text: string): StoreSeal {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InvalidSealError(`not JSON: ${(e as Error).message}`);
  }
  const s = v as Partial<Record<keyof StoreSeal, unknown>>;
  const problems: string[] = [];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidSealError('a seal is a JSON object');
  if (s.format !== SEAL_FORMAT) problems.push(`format must be ${SEAL_FORMAT}`);
  if (typeof s.position !== 'string' || !/^\d{1,40}$/.test(s.position)) problems.push('position must be a string of digits');
  for (const k of ['events', 'streams'] as const) if (!Number.isSafeInteger(s[k]) || (s[k] as number) < 0) problems.push(`${k} must be a whole number`);
  if (typeof s.digest !== 'string' || !/^[0-9a-f]{64}$/.test(s.digest)) problems.push('digest must be 64 lowercase hex digits');
  if (typeof s.sealedAt !== 'string' || !Number.isFinite(Date.parse(s.sealedAt))) problems.push('sealedAt must be an ISO instant');
  if (problems.length > 0) throw new InvalidSealError(problems.join('; '));
  return {
    format: SEAL_FORMAT,
    position: s.position as string,
    events: s.events as number,
    streams: s.streams as number,
    digest: s.digest as string,
    sealedAt: s.sealedAt as string,
  };
}
