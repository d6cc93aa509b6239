/**
 * The deadline schedule kept in Redis (pure helpers: names, encodings, instants; no I/O).
 *
 * One sorted set `<REDIS_KEY_PREFIX>alerts:due` holds every pending alert of every open dossier: member
 * `{d|s}:{dueAtMs}:{code}` (d = deadline, s = due soon), score = the instant it is due (the domain's
 * `overdueFrom`, or the due-soon instant). Adding a member twice is a no-op (same member, same score).
 *
 * BullMQ delayed jobs are per tick, not per dossier: job `tick-{boundaryMs}` runs at a tick boundary
 * (a multiple of ALERT_TICK_MS) and handles every member whose score is at or before its start, however
 * many. The tick of an instant is the first boundary strictly after it, or, for an instant already past,
 * the first boundary strictly after now: a tick job that has not started yet always exists for a pending
 * member, so a dossier joining a tick whose job already ran is handled by the next one (at most one tick
 * later), never lost.
 */

export type DueKind = 'due-soon' | 'deadline';

export interface DueEntry {
  kind: DueKind;
  code: string;
  dueAtMs: number;
  /** The instant it is due (the sorted-set score). */
  at: number;
}

export const JOB_TICK = 'tick';

/** Default tick: the longest a due alert waits for its tick job (plus the job's own start lag). */
export const DEFAULT_TICK_MS = 200;

export function dueMember(kind: DueKind, code: string, dueAtMs: number): string {
  return `${kind === 'deadline' ? 'd' : 's'}:${dueAtMs}:${code}`;
}

/** The inverse of dueMember (codes may contain ':'); undefined for anything else. */
export function parseDueMember(member: string, at: number): DueEntry | undefined {
  const m = /^([ds]):(-?\d+):(.+)$/s.exec(member);
  if (!m) return undefined;
  return { kind: m[1] === 'd' ? 'deadline' : 'due-soon', dueAtMs: Number(m[2]), code: m[3], at };
}

/** The boundary whose tick job handles an entry due at `at`, seen at `now`. */
export function tickFor(at: number, now: number, tickMs: number): number {
  return Math.floor(Math.max(at, now) / tickMs) * tickMs + tickMs;
}

/** BullMQ job id of a tick (no ':' in custom ids). */
export function tickJobId(boundaryMs: number): string {
  return `tick-${boundaryMs}`;
}

export interface TickJobData {
  /** The boundary (epoch ms) the job is delayed to. */
  at: number;
}
