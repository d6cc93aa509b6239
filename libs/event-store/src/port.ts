/**
 * The event-store port. Every adapter (SQLite, PostgreSQL, KurrentDB) implements it and passes
 * the one contract suite in `contract/event-store.contract.ts`.
 */

/** Who did what, on whose behalf, in answer to what. Set by the application, never by the domain. */
export interface EventMetadata {
  /** Actor id: a user id, or `system` for events the system raises itself (deadline missed). */
  actor: string;
  /** Agency the actor acted for. */
  agencyCode?: string;
  correlationId: string;
  causationId?: string;
  /** Idempotency: the id of the command that produced this event (same for every event of one append). */
  commandId?: string;
  [key: string]: unknown;
}

/** An event as the application hands it to the store. */
export interface NewEvent<D = Record<string, unknown>> {
  /** Stable, versioned type string, e.g. `dossier.received.v1`. Never a class name. */
  type: string;
  data: D;
  metadata: EventMetadata;
}

/**
 * A stored event. `position` is the global log position: opaque to callers, but ordered and
 * comparable with `comparePositions`; serialised as a decimal string.
 */
export interface RecordedEvent<D = Record<string, unknown>> {
  streamId: string;
  /** 0-based revision in its stream. */
  revision: number;
  position: string;
  type: string;
  data: D;
  metadata: EventMetadata;
  /** Set by the store when the event was appended (ISO-8601 UTC). */
  recordedAt: string;
  /** sha-256 (hex) of this event's canonical form, chained to `prevHash`. */
  hash: string;
  /** Hash of the previous event in the stream; 64 zeros for revision 0. */
  prevHash: string;
}

/** Expected state of the stream at append time. */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | number;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision; // default 'any'
  /**
   * Guaranteed idempotency: appending with a command id already used on this stream returns the
   * original result and writes nothing, however late the retry comes.
   */
  commandId?: string;
  /**
   * Where the command id names one command (default `stream`): with `stream` the same command id on another
   * stream is another command; with `store` the first append of the command id claims it for its stream in the
   * whole store (in the same transaction as its events), and an append of that command id to any other stream
   * writes nothing and fails with CommandIdTakenError. A client's idempotency key names one command, whatever
   * stream its body addresses. Only adapters with `storeScopedCommandIds` enforce `store`; the others treat it
   * as `stream` (KurrentDB: docs/event-store.md).
   */
  commandIdScope?: 'stream' | 'store';
}

export interface AppendResult {
  streamId: string;
  /** Revision of the last event written (or previously written, on an idempotent retry). */
  nextExpectedRevision: number;
  /** Global position of the last event. */
  position: string;
  /** True when this call was a retry of an earlier append with the same command id. */
  duplicate: boolean;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive start revision (forwards: lowest; backwards: highest). */
  fromRevision?: number;
  /**
   * Inclusive last revision to return: the highest going forwards, the lowest going backwards.
   */
  toRevision?: number;
  /** Only events recorded at or before this instant (ISO-8601): "as known at". */
  recordedAtOrBefore?: string;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: return events strictly after this position. Omit to start at the beginning. */
  after?: string;
  /** Default 1000: the global log is read in batches, never all at once. */
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events strictly after it. */
  after?: string;
  /** Batch size during catch-up. */
  batchSize?: number;
  signal?: AbortSignal;
}

export interface StreamMetadata {
  [key: string]: unknown;
}

export interface Subscription {
  /** Stops delivery; resolves when the subscriber's loop has exited. */
  close(): Promise<void>;
  /** Resolves when the subscriber has stopped, rejects with the error that stopped it. */
  readonly done: Promise<void>;
}

/** Handler of a live subscription: called with batches in global order; awaited before the next. */
export type SubscriptionHandler = (events: RecordedEvent[]) => Promise<void> | void;

/**
 * Whether appends can be expected to succeed, for health checks: the outcome of this store's own appends (the
 * last one that failed for lack of space, until one succeeds) and, where the adapter can measure it, the room
 * the store has left. A read-only view: asking writes nothing.
 */
export interface Writability {
  writable: boolean;
  /**
   * Why not: `disk_full` when an append failed for lack of space (SQLite SQLITE_FULL / ENOSPC, PostgreSQL 53100
   * disk_full) and none has succeeded since; `low_disk_space` when the measured room is below `minFreeBytes`.
   */
  reason?: 'disk_full' | 'low_disk_space';
  /** When the condition was first seen (ISO-8601). */
  since?: string;
  /** The engine's message of the failed append. */
  error?: string;
  /** Bytes the store can still grow by, where the adapter measures it (SQLite: free space of the file's file system, capped by max_page_count). */
  freeBytes?: number;
  /** The threshold below which the store reports `low_disk_space` (0: not measured). */
  minFreeBytes?: number;
}

export interface EventStore {
  /** Engine name, for health checks and benchmark tables. */
  readonly engine: 'sqlite' | 'postgres' | 'kurrentdb';
  /** Whether this adapter enforces `commandIdScope: 'store'` (see AppendOptions). */
  readonly storeScopedCommandIds: boolean;
  append(streamId: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Current revision of a stream, or -1 when it does not exist. */
  streamRevision(streamId: string): Promise<number>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Position of the newest event that a subscriber may safely read up to (the head). */
  headPosition(): Promise<string | undefined>;
  /** Catch up from the checkpoint, then deliver live; never skips or repeats an event. */
  subscribeToAll(handler: SubscriptionHandler, options?: SubscribeOptions): Subscription;
  setStreamMetadata(streamId: string, metadata: StreamMetadata): Promise<void>;
  getStreamMetadata(streamId: string): Promise<StreamMetadata | undefined>;
  /** Health: resolves when the engine answers. */
  ping(): Promise<void>;
  /** Health: whether appends can be expected to succeed (see Writability). */
  writability(): Promise<Writability>;
  close(): Promise<void>;
}

/** Default `maxCount` of readAll and default catch-up batch of subscribeToAll. */
export const DEFAULT_READ_ALL_BATCH = 1000;

/**
 * Orders two global positions: negative, zero or positive like a sort comparator. Positions are
 * decimal strings of non-negative integers, plain or zero-padded (KurrentDB encodes its
 * commit/prepare pair into one such integer), so they compare as BigInts, never as text.
 */
export function comparePositions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** DI token for the port. */
export const EVENT_STORE = Symbol.for('motcua.EventStore');
