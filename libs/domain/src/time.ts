/**
 * Instants in commands and events are ISO-8601 strings with an explicit offset (events: always UTC `Z`).
 * Conversions here read no clock.
 */
import { InvalidCommandError } from './errors';

/** An ISO-8601 instant with a `Z` or `±hh:mm` offset; at least minute precision. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** What events carry: UTC with a `Z`. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/;

export function isIsoInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO_INSTANT.test(value) && Number.isFinite(Date.parse(value));
}

export function isIsoUtcInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO_UTC.test(value) && Number.isFinite(Date.parse(value));
}

/** Epoch ms of an instant already known to be valid (state and event data). */
export function ms(iso: string): number {
  return Date.parse(iso);
}

/** Canonical UTC form, as stored in events. */
export function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Parses a command instant, or throws `InvalidCommandError` naming the field. */
export function parseInstant(action: string, field: string, value: unknown): number {
  if (!isIsoInstant(value)) {
    throw new InvalidCommandError(action, field, `must be an ISO-8601 instant with an offset, got ${JSON.stringify(value)}`);
  }
  return Date.parse(value);
}

/** Start (local midnight) of the local day after the one containing `epochMs`. */
export function startOfNextLocalDay(epochMs: number, utcOffsetMinutes: number): number {
  const offset = utcOffsetMinutes * 60_000;
  const local = epochMs + offset;
  const dayStart = Math.floor(local / 86_400_000) * 86_400_000;
  return dayStart + 86_400_000 - offset;
}
