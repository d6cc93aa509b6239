/**
 * Hash chain and validation used by the KurrentDB adapter. Placeholder until the shared
 * `../hash` and `../validation` helpers land; then this file only re-exports them, so every
 * adapter hashes the same canonical form.
 */
import { createHash } from 'node:crypto';
import { InvalidEventError } from '../errors';
import type { EventMetadata, NewEvent } from '../port';

export const GENESIS_HASH = '0'.repeat(64);

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

export function chainHash(e: { type: string; data: unknown; metadata: EventMetadata; revision: number; prevHash: string }): string {
  return createHash('sha256')
    .update(canonical({ type: e.type, data: e.data, metadata: e.metadata, revision: e.revision, prevHash: e.prevHash }))
    .digest('hex');
}

export function validateAppend(streamId: string, events: NewEvent[]): void {
  if (!streamId) throw new InvalidEventError('stream id is required');
  for (const e of events) {
    if (!e || typeof e.type !== 'string' || !e.type) throw new InvalidEventError('event type is required');
    if (!e.metadata || typeof e.metadata.actor !== 'string') throw new InvalidEventError('metadata.actor is required');
  }
}
