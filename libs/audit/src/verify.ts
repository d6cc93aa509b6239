/**
 * Verification of the hash chains (libs/event-store/src/hash.ts): one stream, or the whole store in
 * ONE pass over the global log (readAll in batches), keeping only each stream's last (revision,
 * hash) in memory: about 150 bytes per stream, so ~1.5 GB for ten million streams; shard by
 * running per stream when that is too much.
 */
import { comparePositions, GENESIS_HASH, verifyStreamChain, type EventStore } from '@motcua/event-store';

export interface BrokenLink {
  streamId: string;
  /** Dossier code when the stream is a dossier's. */
  dossierCode: string | null;
  /** First revision whose link does not hold. */
  revision: number;
  position: string | null;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  streams: number;
  events: number;
  /** First broken link of each broken stream, in the order they were found (global order). */
  broken: BrokenLink[];
  /** True when scanning stopped at `maxBroken`. */
  truncated: boolean;
  elapsedMs: number;
}

export interface VerifyProgress {
  events: number;
  streams: number;
  broken: number;
  position: string;
  headPosition: string | undefined;
}

export interface VerifyStoreOptions {
  batchSize?: number;
  /** Stop after this many broken streams (default 100). */
  maxBroken?: number;
  onProgress?: (p: VerifyProgress) => void;
  signal?: AbortSignal;
  /** Only the events up to this global position (a seal's, `seal.ts`); default: the whole log. */
  upTo?: string;
}

const dossierCodeOf = (streamId: string) => (streamId.startsWith('dossier-') ? streamId.slice('dossier-'.length) : null);

/** One stream, read forwards in pages. */
export async function verifyStream(store: EventStore, streamId: string, pageSize = 1000): Promise<VerifyReport> {
  const started = performance.now();
  let revision = 0;
  let prevHash = GENESIS_HASH;
  let events = 0;
  for (;;) {
    const page = await store.readStream(streamId, { fromRevision: revision, maxCount: pageSize });
    if (page.length === 0) break;
    const v = verifyStreamChain(page, { revision, prevHash });
    events += page.length;
    if (!v.ok) {
      const at = page.find((e) => e.revision === v.revision);
      return {
        ok: false,
        streams: 1,
        events,
        broken: [{ streamId, dossierCode: dossierCodeOf(streamId), revision: v.revision, position: at?.position ?? null, reason: v.reason }],
        truncated: false,
        elapsedMs: performance.now() - started,
      };
    }
    revision = page[page.length - 1].revision + 1;
    prevHash = page[page.length - 1].hash;
    if (page.length < pageSize) break;
  }
  return { ok: true, streams: events > 0 ? 1 : 0, events, broken: [], truncated: false, elapsedMs: performance.now() - started };
}

/** Every stream of the store, in one pass over the global log. */
export async function verifyStore(store: EventStore, o: VerifyStoreOptions = {}): Promise<VerifyReport> {
  const { heads: _heads, ...report } = await scanChains(store, o);
  return report;
}

/**
 * `verifyStore`'s pass, also giving each intact stream's head as of the end of the pass: streamId ->
 * [revision after its last event, hash of its last event] (`seal.ts` digests them).
 */
export async function scanChains(store: EventStore, o: VerifyStoreOptions = {}): Promise<VerifyReport & { heads: Map<string, [number, string]> }> {
  const started = performance.now();
  const batchSize = o.batchSize ?? 5000;
  const maxBroken = o.maxBroken ?? 100;
  /** streamId -> [next expected revision, hash of the last event]; a broken stream is not checked further. */
  const heads = new Map<string, [number, string]>();
  const brokenStreams = new Set<string>();
  const broken: BrokenLink[] = [];
  let events = 0;
  let position: string | undefined;
  let truncated = false;
  const head = await store.headPosition();
  outer: for (;;) {
    if (o.signal?.aborted) throw new Error('verification aborted');
    const batch = await store.readAll({ after: position, maxCount: batchSize });
    let past = false;
    for (const e of batch) {
      if (o.upTo !== undefined && comparePositions(e.position, o.upTo) > 0) {
        past = true;
        break;
      }
      events++;
      if (brokenStreams.has(e.streamId)) continue;
      const [revision, prevHash] = heads.get(e.streamId) ?? [0, GENESIS_HASH];
      const v = verifyStreamChain([e], { revision, prevHash });
      if (v.ok) {
        heads.set(e.streamId, [e.revision + 1, e.hash]);
        continue;
      }
      brokenStreams.add(e.streamId);
      heads.delete(e.streamId);
      broken.push({ streamId: e.streamId, dossierCode: dossierCodeOf(e.streamId), revision: v.revision, position: e.position, reason: v.reason });
      if (broken.length >= maxBroken) {
        truncated = true;
        break outer;
      }
    }
    if (batch.length > 0) position = batch[batch.length - 1].position;
    o.onProgress?.({ events, streams: heads.size + brokenStreams.size, broken: broken.length, position: position ?? '', headPosition: o.upTo ?? head });
    if (past || batch.length < batchSize) break;
  }
  return {
    ok: broken.length === 0,
    streams: heads.size + brokenStreams.size,
    events,
    broken,
    truncated,
    elapsedMs: performance.now() - started,
    heads,
  };
}
