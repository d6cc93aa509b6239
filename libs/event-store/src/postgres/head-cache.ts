/**
 * Committed heads (revision, hash) of the streams a PostgreSQL store wrote or locked recently, most
 * recently used last, bounded. Only a hint for the one-statement write (fast-write.ts), which chains new
 * events onto a remembered head without reading it first: the statement checks the head against the
 * streams row and writes nothing when another process moved the stream, and the checked path then decides
 * the append under the row lock.
 */

/** Heads remembered for the one-statement path (about 200 bytes each). */
export const MAX_CACHED_HEADS = 10_000;

export interface StreamHead {
  revision: number;
  hash: string;
}

export class HeadCache {
  private readonly heads = new Map<string, StreamHead>();

  constructor(private readonly max = MAX_CACHED_HEADS) {}

  get(streamId: string): StreamHead | undefined {
    return this.heads.get(streamId);
  }

  remember(streamId: string, revision: number, hash: string): void {
    this.heads.delete(streamId); // re-insert: most recently used last
    this.heads.set(streamId, { revision, hash });
    if (this.heads.size > this.max) this.heads.delete(this.heads.keys().next().value!);
  }

  forget(streamId: string): void {
    this.heads.delete(streamId);
  }
}
