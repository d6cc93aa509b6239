/**
 * Simulated one-stop-shop counters for the fault, scale-out and load runs: each counter receives dossiers and
 * completes some, every command with its own Idempotency-Key, and retries a command whose answer it did not
 * get (network error, timeout) or that was refused for now (503, 429) WITH THE SAME KEY, as a counter's client
 * does. Every answer is recorded (status, Retry-After, latency) for the assertions and figures.
 * With `badEvery`, a counter also sends bad data now and then (./bad-data.ts); `probeWhile` keeps a request in
 * flight for as long as an outage lasts.
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
  /** When the answer came (Date.now()), and when the request was sent. */
  at: number;
  sent: number;
  /** `probe`: the outage probe's receipts; `bad`: bad data (./bad-data.ts), refused on purpose. */
  route: 'receive' | 'complete' | 'read' | 'sla' | 'probe' | 'bad';
  code?: string;
  error?: string;
  /** `error.code` of a 4xx/5xx body. */
  errorCode?: string;
}

export interface Acked {
  commandId: string;
  code: string;
  type: 'dossier.received.v1' | 'dossier.completed.v1';
  /** What was sent and what the acknowledgement said (a replay of the same command must get the same). */
  path: string;
  key: string;
  body: unknown;
  status: number;
  answer: unknown;
  sub: string;
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
  /** Set when the run is over (a failed test): retry loops end at once instead of at their deadline. */
  aborted = false;
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

  /** `body` is sent as JSON; a RawBody is sent as it is (malformed JSON), still as application/json. */
  async call(
    route: Answer['route'],
    method: string,
    path: string,
    token: string,
    body?: unknown,
    key?: string,
  ): Promise<{ status: number; body: any; retryAfter: string | null }> {
    const started = performance.now();
    const sent = Date.now();
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (key) headers['idempotency-key'] = key;
    const raw = body instanceof RawBody ? body.text : undefined;
    try {
      const r = await fetch(this.base() + path, {
        method,
        headers,
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
        signal: AbortSignal.timeout(this.o.requestTimeoutMs ?? 5000),
      });
      const text = await r.text();
      const a: Answer = { status: r.status, retryAfter: r.headers.get('retry-after'), ms: performance.now() - started, at: Date.now(), sent, route };
      if (r.status >= 500) a.error = text.slice(0, 300);
      let parsed: any = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      if (r.status >= 400) a.errorCode = parsed?.error?.code;
      this.record(a);
      return { status: r.status, body: parsed, retryAfter: a.retryAfter };
    } catch (err) {
      this.record({ status: 0, retryAfter: null, ms: performance.now() - started, at: Date.now(), sent, route, error: (err as Error).message });
      return { status: 0, body: undefined, retryAfter: null };
    }
  }

  private record(a: Answer): void {
    if (this.o.keepAnswers === false && a.status >= 200 && a.status < 300) {
      this.answers.push({ status: a.status, retryAfter: null, ms: a.ms, at: a.at, sent: a.sent, route: a.route });
      return;
    }
    this.answers.push(a);
  }

  /**
   * One command until it is acknowledged: retried with the same key on 0/503/429 (after Retry-After or a
   * short back-off). Gives up at `deadline`. Returns the last answer: the acknowledgement, or what ended it.
   */
  async command(
    route: 'receive' | 'complete' | 'probe',
    path: string,
    token: string,
    key: string,
    body: unknown,
    deadline: number,
  ): Promise<{ status: number; body: unknown }> {
    let backoff = 100;
    for (;;) {
      const r = await this.call(route, 'POST', path, token, body, key);
      if (r.status >= 200 && r.status < 300) return r;
      // A racing writer (the deadline watcher appending to the same stream) without If-Match: nothing was
      // written, so the client submits again with the same key (docs: 409 CONCURRENCY_CONFLICT).
      const racing = r.status === 409 && r.body?.error?.code === 'CONCURRENCY_CONFLICT';
      if ((!racing && r.status !== 0 && r.status !== 503 && r.status !== 429) || Date.now() > deadline || this.aborted) {
        this.unacked.push({ key, status: r.status });
        return r;
      }
      await sleep(Math.min(backoff, 1000));
      backoff *= 2;
    }
  }

  private acknowledge(sub: string, code: string, type: Acked['type'], path: string, key: string, body: unknown, r: { status: number; body: unknown }): void {
    this.acked.push({ commandId: commandIdOf(sub, key), code, type, path, key, body, status: r.status, answer: r.body, sub });
    if (type === 'dossier.received.v1') this.received.add(code);
    else this.completed.add(code);
  }

  /** Receives dossier `code` (March 2025: past due at once) until acknowledged; records it. Returns the answer. */
  async receive(
    sub: string,
    token: string,
    code: string,
    finishBy: number,
    route: 'receive' | 'probe' = 'receive',
  ): Promise<{ status: number; body: unknown }> {
    const key = `rcv-${code}`;
    const body = receiptBody(code);
    const r = await this.command(route, '/api/dossiers', token, key, body, finishBy);
    if (r.status >= 200 && r.status < 300) this.acknowledge(sub, code, 'dossier.received.v1', '/api/dossiers', key, body, r);
    return r;
  }

  /**
   * The outage probe: receipts of new dossiers one after another, 100 ms apart, for as long as `lasts()`;
   * one not acknowledged is sent again with the same key, like a counter's. So whatever the counters happen
   * to be doing, requests are in flight during the whole outage. Afterwards the last one is driven to its
   * acknowledgement like any command (it counts among the acknowledged commands checked afterwards).
   */
  async probeWhile(label: string, lasts: () => boolean, finishBy: number): Promise<void> {
    const sub = 'probe';
    const token = await this.token('clerk', sub, AGENCY);
    let n = 0;
    let pending: string | undefined;
    while (lasts() && !this.aborted) {
      pending ??= `${AGENCY}-250303-${label}-${++n}`;
      const key = `rcv-${pending}`;
      const body = receiptBody(pending);
      const r = await this.call('probe', 'POST', '/api/dossiers', token, body, key);
      if (r.status >= 200 && r.status < 300) {
        this.acknowledge(sub, pending, 'dossier.received.v1', '/api/dossiers', key, body, r);
        pending = undefined;
      } else if (r.status !== 0 && r.status !== 503 && r.status !== 429) {
        this.unacked.push({ key, status: r.status }); // a refusal: the assertions name it
        pending = undefined;
      }
      await sleep(100);
    }
    if (pending) await this.receive(sub, token, pending, finishBy, 'probe');
  }

  /**
   * Counter `n`: until `stopAt`, receive a dossier, then complete it with probability `completeShare`.
   * Commands started before `stopAt` are driven to an answer until `finishBy`. With `badEvery` = k, every
   * k-th dossier is followed by one bad request (`bad`, ./bad-data.ts), the kinds taken in turn from `n`.
   */
  async runCounter(
    n: number,
    o: {
      stopAt: number;
      finishBy: number;
      completeShare: number;
      rnd: () => number;
      codeOf: (n: number, seq: number) => string;
      pauseMs?: number;
      badEvery?: number;
      bad?: (c: Counters, ctx: BadContext) => Promise<void>;
    },
  ): Promise<void> {
    const sub = `counter-${n}`;
    const token = await this.token('clerk', sub, AGENCY);
    let seq = 0;
    let badTurn = n;
    while (Date.now() < o.stopAt && !this.aborted) {
      const code = o.codeOf(n, ++seq);
      const s1 = await this.receive(sub, token, code, o.finishBy);
      if (s1.status < 200 || s1.status >= 300) continue;
      if (o.rnd() < o.completeShare) {
        const k2 = `cpl-${code}`;
        const path = `/api/dossiers/${encodeURIComponent(code)}/completion`;
        const body = { outcome: 'approved', occurredAt: COMPLETED_AT };
        const s2 = await this.command('complete', path, token, k2, body, o.finishBy);
        if (s2.status >= 200 && s2.status < 300) this.acknowledge(sub, code, 'dossier.completed.v1', path, k2, body, s2);
      }
      if (o.bad && o.badEvery && seq % o.badEvery === 0) {
        await o.bad(this, { sub, token, code, turn: badTurn++, seq, finishBy: o.finishBy, rnd: o.rnd });
      }
      if (o.pauseMs) await sleep(o.pauseMs);
    }
  }
}

/** What a bad request of a counter may use: its identity, the dossier it just handled, whose turn it is. */
export interface BadContext {
  sub: string;
  token: string;
  /** The dossier just received (and maybe completed) by this counter. */
  code: string;
  turn: number;
  seq: number;
  finishBy: number;
  rnd: () => number;
}

/** The command id the API stores a counter's keyed command under (its key within the clerk's scope: no issuer, AGENCY). */
export function commandIdOf(sub: string, key: string): string {
  return scopedCommandId({ sub, agency: AGENCY }, key);
}

/** A request body sent as it is (not JSON-encoded): malformed JSON. */
export class RawBody {
  constructor(readonly text: string) {}
}

export function receiptBody(code: string) {
  return { code, agencyCode: AGENCY, procedureCode: PROCEDURE, channel: 'counter', occurredAt: RECEIVED_AT };
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
