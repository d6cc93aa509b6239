import { InvalidEventError, WrongExpectedRevisionError } from './errors';
import { canonicalJson, eventHashFromCanonical } from './hash';
import type { AppendOptions, EventMetadata, ExpectedRevision, NewEvent, StreamMetadata } from './port';

/**
 * Validation shared by every adapter, so that the same batch is accepted or refused alike on
 * SQLite, PostgreSQL and KurrentDB. Everything here is pure and runs before any I/O: a batch with
 * one bad event writes nothing.
 */

/** Default ceiling of one event: UTF-8 bytes of its canonical data + metadata JSON. */
export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

/** Stable, versioned, lower-case dotted type: `dossier.received.v1`. Never a class name. */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+\.v\d+$/;
const MAX_TYPE_LENGTH = 200;
/** `$` is reserved for KurrentDB system streams; whitespace and control characters never belong in an id. */
// eslint-disable-next-line no-control-regex -- control characters are what the pattern refuses
const STREAM_ID_PATTERN = /^[^$\s\u0000-\u001f][^\s\u0000-\u001f]*$/;
const MAX_ID_LENGTH = 255;

export interface ValidationLimits {
  maxEventBytes?: number;
}

/** A validated event, with data and metadata already in canonical JSON (store that text, hash it). */
export interface PreparedEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  dataJson: string;
  metadataJson: string;
}

export interface PreparedAppend {
  streamId: string;
  events: PreparedEvent[];
  expectedRevision: ExpectedRevision;
  /** The idempotency key, if any: options.commandId, else the commandId all events' metadata share. */
  commandId: string | undefined;
  /** `store` only with a command id and `options.commandIdScope: 'store'`; else `stream`. */
  commandIdScope: 'stream' | 'store';
}

/** A prepared event placed in its stream: what an adapter writes. */
export interface SealedEvent extends PreparedEvent {
  revision: number;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function validateStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > MAX_ID_LENGTH || !STREAM_ID_PATTERN.test(streamId)) {
    throw new InvalidEventError(
      `invalid stream id ${JSON.stringify(streamId)}: 1-${MAX_ID_LENGTH} characters, no whitespace or control characters, not starting with $`,
    );
  }
}

export function validateExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'no_stream' || expected === 'any' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= -1) return;
  throw new InvalidEventError(`invalid expected revision ${JSON.stringify(expected)}`);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/**
 * Validates one append and canonicalises its events. Throws InvalidEventError (nothing written)
 * when any event is invalid. When options.commandId is given it is stamped into each event's
 * metadata.commandId (a different commandId already there is refused); without it, a commandId
 * that every event's metadata carries becomes the idempotency key.
 */
export function prepareAppend(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}, limits: ValidationLimits = {}): PreparedAppend {
  validateStreamId(streamId);
  const expectedRevision = options.expectedRevision ?? 'any';
  validateExpectedRevision(expectedRevision);
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidEventError(`append to ${streamId}: at least one event is required`);
  }
  let commandId = options.commandId;
  if (commandId !== undefined && (!nonEmptyString(commandId) || commandId.length > MAX_ID_LENGTH)) {
    throw new InvalidEventError(`invalid command id ${JSON.stringify(commandId)}`);
  }
  if (commandId === undefined) {
    const fromMeta = (events[0] as NewEvent | undefined)?.metadata?.commandId;
    if (nonEmptyString(fromMeta) && events.every((e) => e?.metadata?.commandId === fromMeta)) commandId = fromMeta;
  }
  const maxBytes = limits.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const prepared: PreparedEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    prepared[i] = prepareEvent(events[i], i, commandId, maxBytes);
  }
  const scope = options.commandIdScope ?? 'stream';
  if (scope !== 'stream' && scope !== 'store') throw new InvalidEventError(`invalid command id scope ${JSON.stringify(scope)}`);
  return { streamId, events: prepared, expectedRevision, commandId, commandIdScope: commandId !== undefined ? scope : 'stream' };
}

function prepareEvent(e: NewEvent, i: number, commandId: string | undefined, maxBytes: number): PreparedEvent {
  const at = `event #${i}`;
  if (!isPlainObject(e)) throw new InvalidEventError(`${at}: not an object`);
  const { type, data } = e;
  let metadata = e.metadata;
  if (typeof type !== 'string' || type.length > MAX_TYPE_LENGTH || !EVENT_TYPE_PATTERN.test(type)) {
    throw new InvalidEventError(`${at}: type ${JSON.stringify(type)} is not a stable versioned type like dossier.received.v1`);
  }
  if (!isPlainObject(data)) throw new InvalidEventError(`${at} (${type}): data must be a plain JSON object`);
  if (!isPlainObject(metadata)) throw new InvalidEventError(`${at} (${type}): metadata must be a plain JSON object`);
  if (!nonEmptyString(metadata.actor)) throw new InvalidEventError(`${at} (${type}): metadata.actor is required`);
  if (!nonEmptyString(metadata.correlationId)) {
    throw new InvalidEventError(`${at} (${type}): metadata.correlationId is required`);
  }
  for (const k of ['agencyCode', 'causationId', 'commandId'] as const) {
    if (metadata[k] !== undefined && typeof metadata[k] !== 'string') {
      throw new InvalidEventError(`${at} (${type}): metadata.${k} must be a string`);
    }
  }
  if (commandId !== undefined && metadata.commandId !== commandId) {
    if (metadata.commandId !== undefined) {
      throw new InvalidEventError(`${at} (${type}): metadata.commandId ${metadata.commandId} differs from the append's commandId ${commandId}`);
    }
    metadata = { ...metadata, commandId };
  }
  const dataJson = canonicalJson(data, `${at} (${type}) data`);
  const metadataJson = canonicalJson(metadata, `${at} (${type}) metadata`);
  // Most events are far below the limit: only count UTF-8 bytes when the UTF-16 length could exceed it.
  if ((dataJson.length + metadataJson.length) * 3 > maxBytes) {
    const bytes = Buffer.byteLength(dataJson, 'utf8') + Buffer.byteLength(metadataJson, 'utf8');
    if (bytes > maxBytes) {
      throw new InvalidEventError(`${at} (${type}): ${bytes} bytes of JSON exceed the limit of ${maxBytes}`);
    }
  }
  return { type, data, metadata, dataJson, metadataJson };
}

/** Validates stream metadata (a plain JSON object) and returns its canonical JSON. */
export function prepareStreamMetadata(streamId: string, metadata: StreamMetadata, limits: ValidationLimits = {}): string {
  validateStreamId(streamId);
  if (!isPlainObject(metadata)) throw new InvalidEventError(`stream metadata of ${streamId} must be a plain JSON object`);
  const json = canonicalJson(metadata, `stream metadata of ${streamId}`);
  const maxBytes = limits.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  if (json.length * 3 > maxBytes && Buffer.byteLength(json, 'utf8') > maxBytes) {
    throw new InvalidEventError(`stream metadata of ${streamId} exceeds ${maxBytes} bytes`);
  }
  return json;
}

/**
 * Throws WrongExpectedRevisionError unless a stream whose current revision is `actual` (-1: no
 * stream) satisfies `expected`.
 */
export function assertExpectedRevision(streamId: string, expected: ExpectedRevision, actual: number): void {
  if (expected === 'any') return;
  const ok = expected === 'no_stream' ? actual === -1 : expected === 'stream_exists' ? actual >= 0 : actual === expected;
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
}

/**
 * Chains prepared events onto a stream whose last event has revision `currentRevision` (-1 when
 * empty) and hash `prevHash` (GENESIS_HASH when empty). All events of one append share recordedAt.
 */
export function sealEvents(append: PreparedAppend, currentRevision: number, prevHash: string, recordedAt: string): SealedEvent[] {
  const out: SealedEvent[] = new Array(append.events.length);
  let revision = currentRevision;
  for (let i = 0; i < append.events.length; i++) {
    const e = append.events[i];
    revision++;
    const hash = eventHashFromCanonical({
      streamId: append.streamId,
      revision,
      type: e.type,
      dataJson: e.dataJson,
      metadataJson: e.metadataJson,
      recordedAt,
      prevHash,
    });
    out[i] = { type: e.type, data: e.data, metadata: e.metadata, dataJson: e.dataJson, metadataJson: e.metadataJson, revision, recordedAt, prevHash, hash };
    prevHash = hash;
  }
  return out;
}
