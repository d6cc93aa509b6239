/**
 * Bad data a counter sends during the fault run, between its ordinary commands, and what each must be answered
 * with. None of it may change what is stored: the fault suite checks afterwards that the log holds exactly the
 * acknowledged commands (no stream for a refused receipt, no completion that was not acknowledged, no event
 * under a refused request's key).
 *
 * - `replay`: an acknowledged command sent again, same key, same body: the same status and body as its
 *   acknowledgement (from the idempotency cache, or from the store when Redis lost it).
 * - `reuse-key`: an acknowledged command's key on a different command on the SAME dossier (the receipt's key
 *   on a completion; the completion's key with the other outcome, or the receipt's key on a receipt by
 *   another channel): 422 IDEMPOTENCY_KEY_REUSED, whether or not the cache still holds the key.
 * - `reuse-key-elsewhere`: an acknowledged receipt's key on ANOTHER dossier (a receipt of a new code, or the
 *   completion of the counter's open dossier): 422 IDEMPOTENCY_KEY_REUSED, no second dossier and nothing
 *   written, with or without the cache (the key is claimed in the store; true of SQLite and PostgreSQL, the two
 *   deployments this suite runs, not of KurrentDB).
 * - `far-future`: occurredAt a day ahead of the clock, past OCCURRED_AT_MAX_FUTURE_SECONDS: 422
 *   INVALID_COMMAND naming occurredAt.
 * - `impossible-date`: occurredAt 2026-02-30: 400 VALIDATION_FAILED (or 422) naming occurredAt.
 * - `malformed-json`: a body cut short: 400 MALFORMED_JSON.
 * - `wrong-types`: numbers, arrays, null, booleans where strings are due: 400 VALIDATION_FAILED.
 * Each of the last four goes to a receipt of a new code or to a completion of the counter's dossier, in turn.
 * An answer 0 (no answer), 429, 503 with Retry-After or 409 CONCURRENCY_CONFLICT (a racing writer: nothing was
 * written) is sent again with the same key, as a client would; the answer judged is the first other one. Every
 * answer must carry the error shape (code, message, correlationId).
 */
import { isDeepStrictEqual } from 'node:util';
import { sleep } from './cluster';
import { AGENCY, commandIdOf, COMPLETED_AT, Counters, PROCEDURE, RawBody, receiptBody, type BadContext } from './counters';

export const BAD_KINDS = ['replay', 'reuse-key', 'reuse-key-elsewhere', 'far-future', 'impossible-date', 'malformed-json', 'wrong-types'] as const;
export type BadKind = (typeof BAD_KINDS)[number];

export interface BadOutcome {
  kind: BadKind;
  path: string;
  key: string;
  status: number;
  errorCode?: string;
  /** Why the answer is not the one expected (undefined: it is). */
  wrong?: string;
}

interface Expectation {
  status: number[];
  /** `error.code` of the answer; for a replay, the acknowledgement's body instead. */
  code?: string;
  /** A field the answer must name in `error.details`. */
  field?: string;
  same?: { status: number; body: unknown };
}

export class BadData {
  readonly outcomes: BadOutcome[] = [];
  /** Dossier codes only bad requests used: none may exist in the store at the end. */
  readonly neverWritten = new Set<string>();
  /** Command ids of refused requests (commandIdOf): no event may carry one. */
  readonly refusedCommandIds = new Set<string>();

  /** One bad request of the counter, of the kind whose turn it is (BAD_KINDS in order). */
  readonly send = async (c: Counters, ctx: BadContext): Promise<void> => {
    const kind = BAD_KINDS[ctx.turn % BAD_KINDS.length];
    const toReceipt = Math.floor(ctx.turn / BAD_KINDS.length) % 2 === 0;
    const fresh = `${AGENCY}-BAD-${ctx.sub}-${ctx.seq}`;
    const completion = `/api/dossiers/${encodeURIComponent(ctx.code)}/completion`;
    const key = `bad-${ctx.sub}-${ctx.seq}`;
    const refused = (path: string, body: unknown, e: Expectation, code?: string) => {
      this.refusedCommandIds.add(commandIdOf(ctx.sub, key));
      if (code) this.neverWritten.add(code);
      return this.judge(c, ctx, kind, path, key, body, e);
    };
    switch (kind) {
      case 'replay': {
        const mine = c.acked.filter((a) => a.sub === ctx.sub);
        const a = mine[Math.floor(ctx.rnd() * mine.length)];
        return this.judge(c, ctx, kind, a.path, a.key, a.body, { status: [a.status], same: { status: a.status, body: a.answer } });
      }
      case 'reuse-key': {
        const reused = { status: [422], code: 'IDEMPOTENCY_KEY_REUSED' };
        if (toReceipt) {
          return this.judge(c, ctx, kind, completion, `rcv-${ctx.code}`, { outcome: 'approved', occurredAt: COMPLETED_AT }, reused);
        }
        if (c.completed.has(ctx.code)) {
          return this.judge(c, ctx, kind, completion, `cpl-${ctx.code}`, { outcome: 'rejected', occurredAt: COMPLETED_AT }, reused);
        }
        return this.judge(c, ctx, kind, '/api/dossiers', `rcv-${ctx.code}`, { ...receiptBody(ctx.code), channel: 'postal' }, reused);
      }
      case 'reuse-key-elsewhere': {
        const reused = { status: [422], code: 'IDEMPOTENCY_KEY_REUSED' };
        const other = c.acked.filter((a) => a.sub === ctx.sub && a.type === 'dossier.received.v1' && a.code !== ctx.code).pop()?.code;
        // Only an open dossier: on a completed one, without the cache, the completion is refused as illegal first.
        if (!toReceipt && other && !c.completed.has(ctx.code)) {
          return this.judge(c, ctx, kind, completion, `rcv-${other}`, { outcome: 'approved', occurredAt: COMPLETED_AT }, reused);
        }
        this.neverWritten.add(fresh);
        return this.judge(c, ctx, kind, '/api/dossiers', `rcv-${ctx.code}`, receiptBody(fresh), reused);
      }
      case 'far-future': {
        const ahead = new Date(Date.now() + 86_400_000).toISOString();
        const e = { status: [422], code: 'INVALID_COMMAND', field: 'occurredAt' };
        return toReceipt
          ? refused('/api/dossiers', { ...receiptBody(fresh), occurredAt: ahead }, e, fresh)
          : refused(completion, { outcome: 'approved', occurredAt: ahead }, e);
      }
      case 'impossible-date': {
        const e = { status: [400, 422], field: 'occurredAt' };
        return toReceipt
          ? refused('/api/dossiers', { ...receiptBody(fresh), occurredAt: '2026-02-30T09:00:00+07:00' }, e, fresh)
          : refused(completion, { outcome: 'approved', occurredAt: '2026-02-30T09:00:00+07:00' }, e);
      }
      case 'malformed-json': {
        const e = { status: [400], code: 'MALFORMED_JSON' };
        return toReceipt
          ? refused('/api/dossiers', new RawBody(`{"code":"${fresh}","agencyCode":"${AGENCY}","procedureCode":"${PROCEDURE}",`), e, fresh)
          : refused(completion, new RawBody('{"outcome": approved, "occurredAt": }'), e);
      }
      case 'wrong-types': {
        const e = { status: [400], code: 'VALIDATION_FAILED' };
        return toReceipt
          ? refused('/api/dossiers', { code: 42, agencyCode: [AGENCY], procedureCode: null, channel: 7, occurredAt: 20250303 }, e)
          : refused(completion, { outcome: 1, occurredAt: false, electronicResult: 'yes' }, e);
      }
    }
  };

  private async judge(c: Counters, ctx: BadContext, kind: BadKind, path: string, key: string, body: unknown, e: Expectation): Promise<void> {
    let backoff = 100;
    for (;;) {
      const r = await c.call('bad', 'POST', path, ctx.token, body, key);
      const racing = r.status === 409 && (r.body as { error?: { code?: unknown } })?.error?.code === 'CONCURRENCY_CONFLICT';
      const later = r.status === 0 || r.status === 429 || (r.status === 503 && !!r.retryAfter) || racing;
      if (later && Date.now() < ctx.finishBy && !c.aborted) {
        await sleep(Math.min(backoff, 1000));
        backoff *= 2;
        continue;
      }
      const error = (r.body as { error?: { code?: unknown; message?: unknown; correlationId?: unknown; details?: Array<{ field?: unknown }> } })?.error;
      let wrong: string | undefined;
      if (!e.status.includes(r.status)) wrong = `status ${r.status}, expected ${e.status.join(' or ')}: ${JSON.stringify(r.body)?.slice(0, 300)}`;
      else if (e.same) {
        if (!isDeepStrictEqual(r.body, e.same.body))
          wrong = `replayed body ${JSON.stringify(r.body)} differs from the acknowledgement ${JSON.stringify(e.same.body)}`;
      } else if (typeof error?.code !== 'string' || typeof error.message !== 'string' || typeof error.correlationId !== 'string') {
        wrong = `not the error shape: ${JSON.stringify(r.body)?.slice(0, 300)}`;
      } else if (e.code && error.code !== e.code) wrong = `error code ${error.code}, expected ${e.code}`;
      else if (e.field && !(error.details ?? []).some((d) => d.field === e.field)) wrong = `error does not name ${e.field}: ${JSON.stringify(error)}`;
      this.outcomes.push({ kind, path, key, status: r.status, errorCode: typeof error?.code === 'string' ? error.code : undefined, wrong });
      return;
    }
  }
}
