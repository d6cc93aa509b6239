/**
 * KurrentDB (EventStoreDB 20+) adapter of the event-store port, over `@eventstore/db-client`.
 *
 * Hash chain: each append reads the stream's last event (revision + hash) and sends the batch
 * with that EXACT expected revision, so two writers can never both chain onto the same
 * predecessor. A caller's `any`/`stream_exists` is honoured by retrying on conflict.
 *
 * Guaranteed idempotency (KurrentDB itself only dedupes `any` appends "in quick succession"):
 *  1. event ids are derived from (stream, command id, index) (`deterministicEventId`);
 *  2. before appending, a claim event {expected revision, count} is written to the command's own
 *     claim stream `motcua-cmd-<sha1(stream, command)>`, with optimistic concurrency on that
 *     stream (two concurrent retries of one command cannot both claim);
 *  3. a retry reads the claim and the events at expected+1..expected+count: if their ids are the
 *     command's ids, the original result is returned and nothing is written. Otherwise the first
 *     attempt never landed and the command is claimed again and appended.
 * A crash between claim and append is safe: the claim alone changes no stream. KurrentDB's own
 * check of ids for an exact expected revision is reliable (it reads the index, not a cache), so
 * a first attempt still in flight and its retry cannot both write.
 * Cost: an append with a command id takes 4 round trips (read claim, read head, write claim,
 * append) instead of 2, plus one small stream per command; claim streams are hidden from
 * readAll/subscribeToAll, and may be given a $maxAge by operations if old retries need not dedupe.
 *
 * Command ids are per stream only (`storeScopedCommandIds: false`): `commandIdScope: 'store'` is treated as
 * `stream`, because KurrentDB cannot write a claim and the events in one transaction across streams. The API
 * then catches a key reused on another dossier only through its idempotency cache (docs/reliability.md).
 *
 * Writability: only the outcome of this store's appends (an error saying "no space left on device" marks it
 * not writable until an append succeeds, ../write-health.ts); the nodes' disks are KurrentDB's to report.
 *
 * Positions: {commit, prepare} encoded as commit * 2^64 + prepare (codec.ts).
 */
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  isCommandError,
  streamNameFilter,
  type AllStreamRecordedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type JSONType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { InvalidEventError, StoreUnavailableError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamMetadata,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
  Writability,
} from '../port';
import { SpaceTracker } from '../write-health';
import { DEFAULT_READ_ALL_BATCH } from '../port';
import { GENESIS_HASH } from '../hash';
import { assertExpectedRevision, prepareAppend, prepareStreamMetadata, sealEvents, type PreparedAppend } from '../validation';
import {
  CLAIM_EVENT_TYPE,
  VISIBLE_STREAMS_REGEX,
  claimStreamName,
  decodePosition,
  deterministicEventId,
  encodePosition,
  isHiddenStream,
  isStoredMetadata,
  toStoredMetadata,
  type CommandClaim,
} from './codec';

export interface KurrentDbEventStoreOptions {
  /** e.g. `kurrentdb://admin:changeit@localhost:2113?tls=false` or `esdb://…`. */
  connectionString: string;
  /** Retries of an `any`/`stream_exists` append that lost a race for the head (default 20). */
  maxConflictRetries?: number;
}

export function createKurrentDbEventStore(options: KurrentDbEventStoreOptions): EventStore {
  // The v6 client parses `esdb://`; `kurrentdb://` is the newer scheme for the same format.
  const cs = options.connectionString.replace(/^kurrentdb(\+discover)?:\/\//, (_m, d) => `esdb${d ?? ''}://`);
  return new KurrentDbEventStore(EventStoreDBClient.connectionString(cs), options.maxConflictRetries ?? 20);
}

interface Head {
  revision: number; // -1: no stream
  hash: string;
  recordedAt?: string;
}

const PAGE = 500;

class KurrentDbEventStore implements EventStore {
  readonly engine = 'kurrentdb' as const;
  readonly storeScopedCommandIds = false;
  private readonly space = new SpaceTracker();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly maxConflictRetries: number,
  ) {}

  async append(streamId: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    // Validation and canonical JSON shared with the other adapters: a bad batch writes nothing.
    const prepared = prepareAppend(streamId, events, options);
    const expected = prepared.expectedRevision;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.tryAppend(prepared);
        if (!result.duplicate) this.space.succeeded();
        return result;
      } catch (e) {
        this.space.failed(e);
        // Only an `any`/`stream_exists` append that lost the race for the head is retried.
        const retriable =
          e instanceof WrongExpectedRevisionError && e.streamId === streamId && (expected === 'any' || (expected === 'stream_exists' && e.actual >= 0));
        if (!retriable || attempt >= this.maxConflictRetries) throw e;
      }
    }
  }

  private async tryAppend(prepared: PreparedAppend): Promise<AppendResult> {
    const { streamId, commandId, expectedRevision: expected } = prepared;
    let claimRevision: bigint | typeof NO_STREAM = NO_STREAM;
    if (commandId !== undefined) {
      const claim = await this.lastEvent(claimStreamName(streamId, commandId));
      if (claim) {
        claimRevision = claim.revision;
        const earlier = await this.findClaimedAppend(streamId, commandId, claim.data as unknown as CommandClaim);
        if (earlier) return earlier;
      }
    }
    const head = await this.head(streamId);
    assertExpectedRevision(streamId, expected, head.revision);

    if (commandId !== undefined) {
      const claim: CommandClaim = { expected: head.revision, count: prepared.events.length };
      try {
        await this.client.appendToStream(claimStreamName(streamId, commandId), jsonEvent({ type: CLAIM_EVENT_TYPE, data: claim as unknown as JSONType }), {
          expectedRevision: claimRevision,
        });
      } catch (e) {
        // A concurrent attempt of the same command claimed first: report a conflict so that the
        // retry loop re-reads the claim (and finds that attempt's result), or the caller sees it.
        if (e instanceof WrongExpectedVersionError) throw new WrongExpectedRevisionError(streamId, expected, head.revision);
        throw mapError(e);
      }
    }

    // recordedAt is hashed, so the adapter sets it before the write (KurrentDB's `created` is
    // only known after). Never earlier than the stream's last event, whatever the node's clock,
    // so recordedAt grows along a stream and "as known at" reads can stop at the first later one.
    const now = new Date().toISOString();
    const recordedAt = head.recordedAt !== undefined && head.recordedAt > now ? head.recordedAt : now;
    const sealed = sealEvents(prepared, head.revision, head.hash, recordedAt);
    const toSend = sealed.map((ev, i) =>
      jsonEvent({
        id: commandId !== undefined ? deterministicEventId(streamId, commandId, i) : randomUUID(),
        type: ev.type,
        data: ev.data as JSONType,
        metadata: toStoredMetadata(ev.metadata, ev.hash, ev.prevHash, ev.recordedAt) as unknown as JSONType,
      }),
    );
    const expectedRevision: AppendExpectedRevision = head.revision === -1 ? NO_STREAM : BigInt(head.revision);
    try {
      const res = await this.client.appendToStream(streamId, toSend, { expectedRevision });
      const next = Number(res.nextExpectedRevision);
      const position = res.position ? encodePosition(res.position) : await this.positionOf(streamId, next);
      return { streamId, nextExpectedRevision: next, position, duplicate: false };
    } catch (e) {
      if (e instanceof WrongExpectedVersionError) {
        const actual = e.actualVersion === NO_STREAM || e.actualVersion === undefined ? -1 : Number(e.actualVersion);
        throw new WrongExpectedRevisionError(streamId, expected, actual);
      }
      throw mapError(e);
    }
  }

  /** The result of an earlier attempt of this command if its events are in the stream. */
  private async findClaimedAppend(streamId: string, commandId: string, claim: CommandClaim): Promise<AppendResult | undefined> {
    if (typeof claim?.expected !== 'number' || typeof claim.count !== 'number') return undefined;
    const found = await this.collect(
      this.client.readStream(streamId, { fromRevision: BigInt(claim.expected + 1), maxCount: claim.count, direction: FORWARDS }),
    );
    if (found.length !== claim.count) return undefined;
    for (let i = 0; i < found.length; i++) {
      if (found[i].event?.id !== deterministicEventId(streamId, commandId, i)) return undefined;
    }
    const last = found[found.length - 1].event!;
    const position = last.position ? encodePosition(last.position) : await this.positionOf(streamId, Number(last.revision));
    return { streamId, nextExpectedRevision: Number(last.revision), position, duplicate: true };
  }

  /** Global position of one stream event; servers before 22.6 omit it on stream reads. */
  private async positionOf(streamId: string, revision: number): Promise<string> {
    const [r] = await this.collect(this.client.readStream(streamId, { fromRevision: BigInt(revision), maxCount: 1 }));
    if (r?.event?.position) return encodePosition(r.event.position);
    if (r?.commitPosition !== undefined) return encodePosition({ commit: r.commitPosition, prepare: r.commitPosition });
    throw new StoreUnavailableError(`KurrentDB returned no position for ${streamId}@${revision} (server older than 22.6?)`);
  }

  private async lastEvent(streamId: string) {
    const [r] = await this.collect(this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }));
    return r?.event;
  }

  private async head(streamId: string): Promise<Head> {
    const last = await this.lastEvent(streamId);
    if (!last) return { revision: -1, hash: GENESIS_HASH };
    const meta = last.metadata;
    if (!isStoredMetadata(meta)) throw new InvalidEventError(`stream ${streamId} was not written by Motcua (no hash chain)`);
    return { revision: Number(last.revision), hash: meta.hash, recordedAt: meta.recordedAt };
  }

  /** Reads a whole client stream; a missing stream is an empty one. */
  private async collect<E>(read: AsyncIterable<E>): Promise<E[]> {
    const out: E[] = [];
    try {
      for await (const e of read) out.push(e);
    } catch (e) {
      if (e instanceof StreamNotFoundError) return [];
      throw mapError(e);
    }
    return out;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const limit = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (limit <= 0) return [];
    // Compared as instants, on the recordedAt we stored (and hashed), not on KurrentDB's `created`.
    const asOf = options.recordedAtOrBefore !== undefined ? Date.parse(options.recordedAtOrBefore) : undefined;
    if (asOf !== undefined && Number.isNaN(asOf)) throw new InvalidEventError(`invalid instant ${options.recordedAtOrBefore}`);
    const out: RecordedEvent[] = [];
    // Only events the filter may drop (recordedAtOrBefore, backwards) make us read past `limit`.
    const read = this.client.readStream(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START,
      maxCount: asOf !== undefined && backwards ? Number.MAX_SAFE_INTEGER : limit,
    });
    try {
      for await (const r of read) {
        const e = r.event;
        if (!e) continue;
        if (options.toRevision !== undefined && (backwards ? Number(e.revision) < options.toRevision : Number(e.revision) > options.toRevision)) break;
        if (asOf !== undefined && isStoredMetadata(e.metadata) && Date.parse(e.metadata.recordedAt) > asOf) {
          if (backwards) continue;
          break; // forwards: `created` only grows along a stream
        }
        out.push(toRecorded(e as AllStreamRecordedEvent));
        if (out.length >= limit) break;
      }
    } catch (e) {
      if (e instanceof StreamNotFoundError) return [];
      throw mapError(e);
    } finally {
      await read.cancel().catch(() => undefined);
    }
    return out;
  }

  async streamRevision(streamId: string): Promise<number> {
    const last = await this.lastEvent(streamId);
    return last ? Number(last.revision) : -1;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? DEFAULT_READ_ALL_BATCH;
    const out: RecordedEvent[] = [];
    if (limit <= 0) return out;
    // readAll from a position is inclusive, and system/claim events are filtered here (the
    // client has no server-side filter for reads): page on until `limit` visible events.
    let cursor = options.after !== undefined ? BigInt(options.after) : undefined;
    for (;;) {
      const from = cursor !== undefined ? decodePosition(cursor.toString()) : START;
      const page = await this.collect(this.client.readAll({ fromPosition: from, maxCount: PAGE, direction: FORWARDS }));
      for (const r of page) {
        const e = r.event;
        if (!e) continue;
        const pos = BigInt(encodePosition(e.position));
        if (cursor !== undefined && pos <= cursor) continue;
        cursor = pos;
        if (isHiddenStream(e.streamId, e.type) || !isStoredMetadata(e.metadata)) continue;
        out.push(toRecorded(e));
        if (out.length >= limit) return out;
      }
      if (page.length < PAGE) return out;
    }
  }

  async headPosition(): Promise<string | undefined> {
    let cursor: bigint | undefined;
    for (;;) {
      const from = cursor !== undefined ? decodePosition(cursor.toString()) : END;
      const page = await this.collect(this.client.readAll({ fromPosition: from, maxCount: PAGE, direction: BACKWARDS }));
      for (const r of page) {
        const e = r.event;
        if (!e) continue;
        const pos = BigInt(encodePosition(e.position));
        if (cursor !== undefined && pos >= cursor) continue;
        cursor = pos;
        if (!isHiddenStream(e.streamId, e.type) && isStoredMetadata(e.metadata)) return pos.toString();
      }
      if (page.length < PAGE) return undefined;
    }
  }

  subscribeToAll(handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_READ_ALL_BATCH);
    let sub: AllStreamSubscription | undefined;
    let closed = false;
    let checkpoint = options.after !== undefined ? BigInt(options.after) : -1n;
    const run = async () => {
      // Catch-up, then live, is one server subscription; `checkpoint` also guarantees that an
      // event is never delivered twice whatever the server's inclusivity of fromPosition.
      sub = this.client.subscribeToAll({
        fromPosition: options.after !== undefined ? decodePosition(options.after) : START,
        filter: streamNameFilter({ regex: VISIBLE_STREAMS_REGEX }),
      });
      if (closed) await sub.unsubscribe();
      for await (const first of sub as AsyncIterable<ResolvedEvent>) {
        const batch: RecordedEvent[] = [];
        let r: ResolvedEvent | null = first;
        while (r !== null) {
          const e = r.event as AllStreamRecordedEvent | undefined;
          if (e?.position && !isHiddenStream(e.streamId, e.type) && isStoredMetadata(e.metadata)) {
            const pos = BigInt(encodePosition(e.position));
            if (pos > checkpoint) {
              batch.push(toRecorded(e));
              checkpoint = pos;
            }
          }
          // Drain what is already buffered, to hand the handler batches during catch-up.
          r = batch.length < batchSize ? (sub.read() as ResolvedEvent | null) : null;
        }
        if (closed) break;
        if (batch.length > 0) await handler(batch);
      }
    };
    const done = run().catch((e) => {
      if (closed) return;
      throw mapError(e);
    });
    done.catch(() => undefined); // the caller may never await `done`
    const close = async () => {
      closed = true;
      await sub?.unsubscribe().catch(() => undefined);
      await done.catch(() => undefined);
    };
    options.signal?.addEventListener('abort', () => void close(), { once: true });
    if (options.signal?.aborted) void close();
    return { close, done };
  }

  async setStreamMetadata(streamId: string, metadata: StreamMetadata): Promise<void> {
    // Nested under `motcua` so application keys never collide with KurrentDB's reserved ones
    // ($maxAge, $maxCount, $acl…, which would truncate or lock the stream).
    prepareStreamMetadata(streamId, metadata);
    try {
      await this.client.setStreamMetadata(streamId, { motcua: metadata }, { expectedRevision: ANY });
    } catch (e) {
      throw mapError(e);
    }
  }

  async getStreamMetadata(streamId: string): Promise<StreamMetadata | undefined> {
    try {
      const res = await this.client.getStreamMetadata(streamId);
      const m = res.metadata?.motcua;
      return m && typeof m === 'object' ? (m as StreamMetadata) : undefined;
    } catch (e) {
      if (e instanceof StreamNotFoundError) return undefined;
      throw mapError(e);
    }
  }

  async ping(): Promise<void> {
    await this.collect(this.client.readStream('motcua-ping', { maxCount: 1, deadline: 5000 }));
  }

  async writability(): Promise<Writability> {
    return this.space.current();
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

function toRecorded(e: AllStreamRecordedEvent): RecordedEvent {
  const m = e.metadata;
  if (!isStoredMetadata(m)) throw new InvalidEventError(`event ${e.streamId}@${e.revision} was not written by Motcua`);
  if (!e.position) throw new StoreUnavailableError('KurrentDB returned an event without position (server older than 22.6?)');
  return {
    streamId: e.streamId,
    revision: Number(e.revision),
    position: encodePosition(e.position),
    type: e.type,
    data: e.data as Record<string, unknown>,
    metadata: m.app,
    recordedAt: m.recordedAt,
    hash: m.hash,
    prevHash: m.prevHash,
  };
}

/** Engine errors to port errors; unreachable server -> StoreUnavailableError (HTTP 503). */
function mapError(e: unknown): Error {
  if (!(e instanceof Error)) return new StoreUnavailableError(String(e), e);
  if (!isCommandError(e)) return e;
  switch (e.type) {
    case 'unavailable':
    case 'deadline-exceeded':
    case 'timeout':
    case 'not-leader':
    case 'cancelled':
      return new StoreUnavailableError(`KurrentDB unavailable: ${e.message}`, e);
    case 'maximum-append-size-exceeded':
      return new InvalidEventError(`append too large for KurrentDB: ${e.message}`);
    default:
      return e;
  }
}
