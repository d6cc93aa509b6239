import type { EventMetadata, ExpectedRevision } from '@motcua/event-store';
import { ApiError, type AuthUser } from '@motcua/platform';

/**
 * What every use case receives besides its DTO: who acts, the command id that makes the append
 * idempotent, the revision the client expects (If-Match), and the correlation id for logs and metadata.
 */
export interface CommandContext {
  /**
   * Idempotency: for a keyed command `idem:<scope>:<Idempotency-Key>` (or the body's commandId), the scope a
   * digest of who sent it (issuer, subject, agency); a fresh ULID when none was sent.
   */
  commandId: string;
  /** The raw key the client sent, if any. */
  idempotencyKey?: string;
  /**
   * The id the same key had before keys were scoped by issuer and agency (`<sub>:<key>`): a retry of a command an
   * earlier release wrote is still recognised on its dossier, within the idempotency TTL of its writing.
   */
  legacyCommandId?: string;
  /** From `If-Match: "<revision>"`; undefined when absent (then the handler uses the revision it loaded). */
  expectedRevision?: ExpectedRevision;
  correlationId: string;
  actor: AuthUser;
  /**
   * What the command is, for a keyed command: a digest of its method, path and body. Written with its
   * events, so a key reused for a different command is refused even when the idempotency cache has
   * forgotten the key (TTL, a Redis restart).
   */
  fingerprint?: string;
}

/** Event metadata for an append made under this context. */
export function eventMetadata(ctx: CommandContext, agencyCode?: string): EventMetadata {
  return {
    actor: ctx.actor.sub,
    ...((agencyCode ?? ctx.actor.agency) ? { agencyCode: agencyCode ?? ctx.actor.agency } : {}),
    correlationId: ctx.correlationId,
    commandId: ctx.commandId,
    role: ctx.actor.role,
  };
}

/**
 * The revision to append at: the client's If-Match when given (checked against what was loaded, so a
 * stale client gets 409 before any decision), else the loaded revision (optimistic concurrency anyway).
 */
export function checkExpectedRevision(ctx: CommandContext, loadedRevision: number): number {
  const e = ctx.expectedRevision;
  if (e === undefined || e === 'any') return loadedRevision;
  if (e === 'stream_exists' ? loadedRevision < 0 : e === 'no_stream' ? loadedRevision !== -1 : e !== loadedRevision) {
    throw ApiError.conflict(`the resource is at revision ${loadedRevision}, not ${String(e)}`, { expectedRevision: e, actualRevision: loadedRevision });
  }
  return loadedRevision;
}
