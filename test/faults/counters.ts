/**
 * Simulated one-stop-shop counters for the fault, scale-out and load runs: each counter receives dossiers and
 * completes some, every command with its own Idempotency-Key, and retries a command whose answer it did not
 * get (network error, timeout) or that was refused for now (503, 429) WITH THE SAME KEY, as a counter's client
 * does. Every answer is recorded (status, Retry-After, latency) for the assertions and figures.
 */
import { signDevToken } from '@motcua/platform';
import { scopedCommandId } from '../../apps/api/src/shared/command/command-context';
import { registerProcedureBody, workingDays } from '@motcua/testing';
import { sleep } from './cluster';

export const AGENCY = 'H30.01';
export const PROCEDURE = 'P.FAULTS';
/** Monday 3 March 2025, 09:00 in Viet Nam: the dossiers are long past due by now (deadline alerts at once). */
export const RECEIVED_AT = '2025-03-03T09:00:00+07:00';
export const COMPLETED_AT = '2025-03-04T10:00:00+07:00';

export interface Answer {
  status: number; // 0 = network error / timeout
  retryAfter: string | null;
  ms: number;
  at: number;
  route: 'receive' | 'complete' | 'read' | 'sla';
  code?: string;
  error?: string;
  /** `error.code` of a 4xx/5xx body. */
  errorCode?: string;
}

export interface Acked {
  commandId: string;
  code: string;
  type: 'dossier.received.v1' | 'dossier.completed.v1';
}

export class Counters {
  readonly answers: Answer[] = [];
  readonly acked: Acked[] = [];
  /** Dossiers whose receipt was acknowledged, and which of them were completed. */
  readonly received = new Set<string>();
  readonly completed = new Set<string>();
  /** Commands that ended without an acknowledgement (final status), for "recovers by itself". */
  readonly unacked: Array<{ key: string; status: number }> = [];
  private rr = 0;
  constructor(
    private readonly baseUrls: string[],
    private readonly secret: string,
    private readonly o: { requestTimeoutMs?: number; keepAnswers?: boolean } = {},
  ) {}

  async token(role: string, sub: string, agency?: string): Promise<string> {
    return signDevToken(this.secret, { sub, role, agency }, 24 * 3600);
  }

  private base(): string {
    return this.baseUrls[this.rr++ % this.baseUrls.length];
  }

  async call(route: Answer['route'], method: string, path: string, token: string, body?: unknown, key?: string): Promise<{ status: number; body: any }> {
    const started = performance.now();
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (key) headers['idempotency-key'] = key;
    try {
      const r = await fetch(this.base() + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.requestTimeoutMs ?? 5000),
      });
      const text = await r.text();
      const a: Answer = { status: r.status, retryAfter: r.headers.get('retry-after'), ms: performance.now() - started, at: Date.now(), route };
      if (r.status >= 500) a.error = text.slice(0, 300);
      let parsed: any = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      if (r.status >= 400) a.errorCode = parsed?.error?.code;
      this.record(a);
      return { status: r.status, body: parsed };
    } catch (err) {
      this.record({ status: 0, retryAfter: null, ms: performance.now() - started, at: Date.now(), route, error: (err as Error).message });
      return { status: 0, body: undefined };
    }
  }

  private record(a: Answer): void {
    if (this.o.keepAnswers === false && a.status >= 200 && a.status < 300) {
      this.answers.push({ status: a.status, retryAfter: null, ms: a.ms, at: a.at, route: a.route });
      return;
    }
    this.answers.push(a);
  }

  /**
   * One command until it is acknowledged: retried with the same key on 0/503/429 (after Retry-After or a
   * short back-off). Gives up (returns the last status) at `deadline`.
   */
  async command(route: 'receive' | 'complete', path: string, token: string, _sub: string, key: string, body: unknown, deadline: number): Promise<number> {
    let backoff = 100;
    for (;;) {
      const r = await this.call(route, 'POST', path, token, body, key);
      if (r.status >= 200 && r.status < 300) return r.status;
      // A racing writer (the deadline watcher appending to the same stream) without If-Match: nothing was
      // written, so the client submits again with the same key (docs: 409 CONCURRENCY_CONFLICT).
      const racing = r.status === 409 && r.body?.error?.code === 'CONCURRENCY_CONFLICT';
      if ((!racing && r.status !== 0 && r.status !== 503 && r.status !== 429) || Date.now() > deadline) {
        this.unacked.push({ key, status: r.status });
        return r.status;
      }
      await sleep(Math.min(backoff, 1000));
      backoff *= 2;
    }
  }

  /**
   * Counter `n`: until `stopAt`, receive a dossier, then complete it with probability `completeShare`.
   * Commands started before `stopAt` are driven to an answer until `finishBy`.
   */
  async runCounter(
    n: number,
    o: { stopAt: number; finishBy: number; completeShare: number; rnd: () => number; codeOf: (n: number, seq: number) => string; pauseMs?: number },
  ): Promise<void> {
    const sub = `counter-${n}`;
    const token = await this.token('clerk', sub, AGENCY);
    let seq = 0;
    while (Date.now() < o.stopAt) {
      const code = o.codeOf(n, ++seq);
      const k1 = `rcv-${code}`;
      const s1 = await this.command(
        'receive',
        '/api/dossiers',
        token,
        sub,
        k1,
        { code, agencyCode: AGENCY, procedureCode: PROCEDURE, channel: 'counter', occurredAt: RECEIVED_AT },
        o.finishBy,
      );
      if (s1 < 200 || s1 >= 300) continue;
      this.received.add(code);
      this.acked.push({ commandId: scopedCommandId({ sub, agency: AGENCY }, k1), code, type: 'dossier.received.v1' });
      if (o.rnd() < o.completeShare) {
        const k2 = `cpl-${code}`;
        const s2 = await this.command(
          'complete',
          `/api/dossiers/${encodeURIComponent(code)}/completion`,
          token,
          sub,
          k2,
          { outcome: 'approved', occurredAt: COMPLETED_AT },
          o.finishBy,
        );
        if (s2 >= 200 && s2 < 300) {
          this.completed.add(code);
          this.acked.push({ commandId: scopedCommandId({ sub, agency: AGENCY }, k2), code, type: 'dossier.completed.v1' });
        }
      }
      if (o.pauseMs) await sleep(o.pauseMs);
    }
  }
}

/** Agencies and the procedure, as an admin registers them (retried: the API may still be starting). */
export async function seedReference(c: Counters, deadline = Date.now() + 60_000): Promise<void> {
  const admin = await c.token('admin', 'admin-1');
  const post = async (path: string, body: unknown) => {
    for (;;) {
      const r = await c.call('read', 'POST', path, admin, body, `seed-${(body as { code: string }).code}`);
      if (r.status === 201 || r.status === 200 || r.status === 409) return;
      if (Date.now() > deadline) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
      await sleep(300);
    }
  };
  await post('/api/agencies', { code: 'H30', name: 'Tỉnh Hải Dương', level: 'province' });
  await post('/api/agencies', { code: AGENCY, name: 'Sở Tư pháp', level: 'department', parentCode: 'H30' });
  await post('/api/procedures', registerProcedureBody({ code: PROCEDURE, name: 'Chứng thực bản sao', deadline: workingDays(1) }));
}

/** The chaos schedule of a run is reproducible from FAULTS_SEED (mulberry32, shared with the read-model tests). */
export { prng } from '@motcua/testing';

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
