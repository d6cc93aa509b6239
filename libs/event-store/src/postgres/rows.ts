/**
 * Event rows of the PostgreSQL adapter as its reads select them, and their mapping to the port's
 * RecordedEvent: the column list (recorded_at formatted by the server as the port's ISO-8601 UTC text, the
 * transaction id as decimal text) and the packing of (transaction_id, seq) into one position.
 */
import { EventStoreError } from '../errors';
import type { RecordedEvent } from '../port';
import { encodePosition } from './positions';

export interface EventRow {
  stream_id: string;
  revision: string;
  txid: string;
  seq: string;
  type: string;
  data: Record<string, unknown>;
  metadata: RecordedEvent['metadata'];
  recorded_at: string;
  hash: string;
  prev_hash: string;
}

export const EVENT_COLUMNS = `stream_id, revision, transaction_id::text AS txid, seq, type, data, metadata,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, hash, prev_hash`;

export function toRecorded(r: EventRow): RecordedEvent {
  return {
    streamId: r.stream_id,
    revision: Number(r.revision),
    position: encodePosition(r.txid, r.seq),
    type: r.type,
    data: r.data,
    metadata: r.metadata,
    recordedAt: r.recorded_at,
    hash: r.hash,
    prevHash: r.prev_hash,
  };
}

/** An "as known at" bound of readStream, checked and written as UTC before it reaches SQL. */
export function normaliseInstant(s: string): string {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new EventStoreError('INVALID_INSTANT', `not an ISO-8601 instant: ${JSON.stringify(s)}`);
  return new Date(t).toISOString();
}
