/**
 * `api`: receive commands/s and p50/p99 latency of the Counter API over real HTTP (acceptance:
 * ≥ 2,000 receive-commands/s with p99 < 50 ms on 2 cores), beside a no-op route of the same app in the same run.
 *
 * The API runs as a CHILD PROCESS (the compiled app, `node dist/apps/api/src/main.js`, exactly
 * what `npm start` runs, with its default API_PROCESSES: one API process per CPU behind one port, node:cluster)
 * on the embedded default: SQLite in a temp DATA_DIR, the local Redis under a unique key prefix (deleted at the
 * end), rate limiting off, pino at info (one access line per request, written to a file in DATA_DIR, gathered up
 * to 2 KiB per write as in production). autocannon drives it from this process, so the load generator does not
 * share an API event loop; on 2 cores it shares the CPUs with the API processes and Redis.
 *
 * Each POST /api/dossiers carries a new dossier code, a realistic body (applicant included) and its own
 * Idempotency-Key, as a counter's client sends them. The baseline is GET /api/ping: public, no I/O, the same
 * middleware (correlation id, metrics, access log), guard and interceptors as every route: the floor of the
 * platform. (/api/health would ping SQLite and Redis per request: not a no-op.)
 *
 * BENCH_API_CPU_PROF=<dir>: the API child writes a V8 CPU profile there (node --cpu-prof) on exit.
 */
import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { signDevToken } from '@motcua/platform';
import { registerProcedureBody, workingDays } from '@motcua/testing';
import { freePort } from '../test/faults/cluster';
import { registerBenchmark, type BenchContext, type Figure } from './registry';

/** Repository root: this file runs as dist/bench/api.bench.js (or bench/api.bench.ts under ts-node). */
const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

const TARGET_PER_SECOND = 2000;
const TARGET_P99_MS = 50;
const CONNECTIONS = 32;
const AGENCY = 'H30.01';
const PROCEDURE = '1.000948.000.00.00.H30';
/** Monday 3 March 2025, 09:00 in Viet Nam: inside the agency's validity and working hours. */
const OCCURRED_AT = '2025-03-03T09:00:00+07:00';

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}

interface ApiChild {
  baseUrl: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

async function startApi(dataDir: string, env: Record<string, string>, ctx: BenchContext): Promise<ApiChild> {
  const entry = path.join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
  const port = await freePort();
  const logFile = path.join(dataDir, 'api.log');
  const out = openSync(logFile, 'a');
  const prof = process.env.BENCH_API_CPU_PROF;
  const nodeArgs = prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (exited !== undefined) throw new Error(`the API exited with ${exited} before answering:\n${logTail(logFile)}`);
    try {
      const r = await fetch(`${baseUrl}/api/ping`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - t0 > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`the API did not answer within 60 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  ctx.log(`API child pid ${child.pid} on ${baseUrl} (compiled app, log ${logFile}${prof ? `, CPU profile to ${prof}` : ''})`);
  return {
    baseUrl,
    child,
    logFile,
    async stop() {
      if (exited !== undefined) return;
      // SIGINT: Nest's shutdown hooks close the store and Redis, then the process exits (and writes the profile).
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** User + system CPU time of a process in ms, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11], fields[12]: utime, stime in clock ticks (USER_HZ, 100 on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** The process and its descendants (API_PROCESSES > 1: the cluster primary and its API processes). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      const kids = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8').trim();
      if (kids) out.push(...kids.split(/\s+/).map(Number));
    } catch {
      /* gone, or not Linux */
    }
  }
  return out;
}

/** CPU ms of each process of the tree, by pid. */
function treeCpu(pid: number | undefined): Map<number, number> | undefined {
  if (!pid) return undefined;
  const m = new Map<number, number>();
  for (const p of processTree(pid)) {
    const c = cpuMs(p);
    if (c !== undefined) m.set(p, c);
  }
  return m.size ? m : undefined;
}

/** Runs a phase and returns its summary with the API's CPU ms per request (all its processes). */
async function measured(opts: autocannon.Options, pid: number | undefined): Promise<Run> {
  const c0 = treeCpu(pid);
  const r = summary(await run(opts));
  const c1 = treeCpu(pid);
  if (c0 && c1 && r.requests > 0) {
    let ms = 0;
    for (const [p, c] of c1) ms += c - (c0.get(p) ?? 0); // a process started during the phase counts from 0
    r.apiCpuMsPerRequest = ms / r.requests;
  }
  return r;
}

async function post(baseUrl: string, p: string, token: string, body: unknown): Promise<void> {
  const r = await fetch(baseUrl + p, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (r.status !== 201) throw new Error(`POST ${p}: ${r.status} ${await r.text()}`);
}

interface Run {
  requests: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  /** CPU time (user + system) the API process spent per request during the phase. */
  apiCpuMsPerRequest?: number;
}

function summary(r: autocannon.Result): Run {
  return {
    requests: r.requests.total,
    perSecond: r.requests.total / (r.duration || 1),
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationS: r.duration,
  };
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const inst = autocannon(opts, (err, res) => (err ? reject(err) : resolve(res)));
    // autocannon's own progress output is off: the harness prints one line per phase.
    void inst;
  });
}

registerBenchmark({
  name: 'api',
  description:
    'Counter API: POST /api/dossiers (receive: validation, JWT, scope, idempotency key in Redis, SQLite append) ' +
    'over real HTTP from autocannon, against the compiled app in a child process on the embedded default, beside GET /api/ping of the same app.',
  async run(ctx) {
    const seconds = ctx.size(10, 2);
    const warmSeconds = Math.max(2, Math.round(seconds / 3));
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'motcua-bench-api-'));
    const secret = randomBytes(32).toString('base64url');
    const prefix = `bench:${process.pid}-${randomBytes(4).toString('hex')}:`;
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const env = {
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      EVENT_STORE: 'sqlite',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      AUTH_JWT_SECRET: secret,
      // Production refuses to start without it (applicants' personal data is sealed under it).
      PERSONAL_DATA_MASTER_KEY: randomBytes(32).toString('base64'),
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'info',
    };
    const api = await startApi(dataDir, env, ctx);
    const figures: Figure[] = [];
    let receive: Run | undefined;
    let ping: Run | undefined;
    let logBytes = 0;
    try {
      const admin = await signDevToken(secret, { sub: 'bench-admin', role: 'admin' }, 3600);
      await post(api.baseUrl, '/api/agencies', admin, { code: 'H30', name: 'Tỉnh Hải Dương', level: 'province' });
      await post(api.baseUrl, '/api/agencies', admin, {
        code: AGENCY,
        name: 'Sở Tư pháp',
        level: 'department',
        parentCode: 'H30',
        workingHours: 'Mon-Fri 07:30-11:30 13:00-17:00',
      });
      await post(
        api.baseUrl,
        '/api/procedures',
        admin,
        registerProcedureBody({ code: PROCEDURE, name: 'Cấp giấy phép xây dựng', deadline: workingDays(15), cutoffTime: '15:00', paymentPausesClock: true }),
      );
      // One clerk per connection would be closer to reality, but the API treats them alike: one token suffices.
      const clerk = await signDevToken(secret, { sub: 'bench-clerk', role: 'clerk', agency: 'H30' }, 3600);
      const run0 = Date.now().toString(36);
      let seq = 0;
      const receiveOpts = (duration: number): autocannon.Options => ({
        url: api.baseUrl,
        connections: CONNECTIONS,
        duration,
        headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/json' },
        requests: [
          {
            method: 'POST',
            path: '/api/dossiers',
            // A new dossier code, body and Idempotency-Key per request.
            setupRequest: (req) => {
              const n = ++seq;
              const code = `${AGENCY}-${run0}-${String(n).padStart(7, '0')}`;
              return {
                ...req,
                headers: { ...req.headers, 'idempotency-key': `bench-${run0}-${n}` },
                body: JSON.stringify({
                  code,
                  agencyCode: AGENCY,
                  procedureCode: PROCEDURE,
                  channel: n % 3 === 0 ? 'online' : 'counter',
                  occurredAt: OCCURRED_AT,
                  applicant: { name: 'Nguyễn Thị Hồng Nhung', idNumber: `0010950${String(n % 100000).padStart(5, '0')}`, phone: '0912345678' },
                }),
              };
            },
          },
        ],
      });
      const pingOpts = (duration: number): autocannon.Options => ({ url: `${api.baseUrl}/api/ping`, connections: CONNECTIONS, duration });

      // Warm-up (JIT, SQLite page cache, Redis connection): not measured.
      let bar = ctx.progress(`warm-up (${warmSeconds} s receive + ${warmSeconds} s ping)`, 2);
      const warm = await run(receiveOpts(warmSeconds));
      if (warm.non2xx > 0) throw new Error(`warm-up: ${warm.non2xx} non-2xx answers to POST /api/dossiers; see ${api.logFile}`);
      bar.tick();
      await run(pingOpts(warmSeconds));
      bar.tick();
      bar.done();

      bar = ctx.progress(`GET /api/ping, ${CONNECTIONS} connections, ${seconds} s`, 1);
      ping = await measured(pingOpts(seconds), api.child.pid);
      bar.tick();
      bar.done();
      bar = ctx.progress(`POST /api/dossiers, ${CONNECTIONS} connections, ${seconds} s`, 1);
      receive = await measured(receiveOpts(seconds), api.child.pid);
      bar.tick();
      bar.done();
      const cpu = (r: Run) => (r.apiCpuMsPerRequest !== undefined ? `, API CPU ${r.apiCpuMsPerRequest.toFixed(3)} ms/request` : '');
      ctx.log(
        `receive: ${Math.round(receive.perSecond)}/s p50 ${receive.p50} ms p99 ${receive.p99} ms (non-2xx ${receive.non2xx}, errors ${receive.errors})${cpu(receive)}`,
      );
      ctx.log(`ping:    ${Math.round(ping.perSecond)}/s p50 ${ping.p50} ms p99 ${ping.p99} ms${cpu(ping)}`);
      ctx.log(
        `machine load average during the run: ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} on ${os.cpus().length} cores`,
      );
      if (receive.non2xx + receive.errors + receive.timeouts > 0) {
        throw new Error(`POST /api/dossiers: ${receive.non2xx} non-2xx, ${receive.errors} errors, ${receive.timeouts} timeouts; see ${api.logFile}`);
      }
      const base = (v: number) => ({ name: 'GET /api/ping (no-op)', value: v });
      figures.push(
        {
          name: `receive (POST /api/dossiers), ${CONNECTIONS} connections`,
          unit: 'commands/s',
          value: receive.perSecond,
          baseline: base(ping.perSecond),
          ratio: receive.perSecond / ping.perSecond,
          target: { minRatio: 0, text: `≥ ${TARGET_PER_SECOND.toLocaleString('en-US')}/s` },
          met: receive.perSecond >= TARGET_PER_SECOND,
        },
        { name: 'receive latency p50', unit: 'ms', value: receive.p50, baseline: base(ping.p50), ratio: ping.p50 > 0 ? receive.p50 / ping.p50 : undefined },
        {
          name: 'receive latency p99',
          unit: 'ms',
          value: receive.p99,
          baseline: base(ping.p99),
          ratio: ping.p99 > 0 ? receive.p99 / ping.p99 : undefined,
          target: { minRatio: 0, text: `< ${TARGET_P99_MS} ms` },
          met: receive.p99 < TARGET_P99_MS,
        },
      );
      if (receive.apiCpuMsPerRequest !== undefined && ping.apiCpuMsPerRequest !== undefined) {
        // Load-independent: what one request costs the API process, whatever else the machine runs.
        figures.push({
          name: 'API CPU per receive (user + system)',
          unit: 'ms',
          value: receive.apiCpuMsPerRequest,
          baseline: { name: 'per GET /api/ping', value: ping.apiCpuMsPerRequest },
          ratio: ping.apiCpuMsPerRequest > 0 ? receive.apiCpuMsPerRequest / ping.apiCpuMsPerRequest : undefined,
        });
      }
    } finally {
      await api.stop();
      try {
        logBytes = statSync(api.logFile).size;
      } catch {
        /* no log */
      }
      const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      } catch (e) {
        ctx.log(`could not delete the Redis keys ${prefix}*: ${(e as Error).message}`);
      } finally {
        redis.disconnect();
      }
      if (!process.env.BENCH_API_KEEP) rmSync(dataDir, { recursive: true, force: true });
    }
    return {
      figures,
      parameters: {
        connections: CONNECTIONS,
        seconds,
        warmSeconds,
        receive,
        ping,
        apiLogBytes: logBytes,
        cpus: os.cpus().length,
        apiProcesses: os.availableParallelism(),
        loadAverageAtEnd: os.loadavg(),
      },
      notes: [
        `autocannon, ${CONNECTIONS} connections, ${seconds} s per route after a ${warmSeconds} s warm-up of each; ping measured first, then receive.`,
        'The API is the compiled app (`dist/apps/api/src/main.js`) in a child process, as `npm start` runs it: API_PROCESSES at its default ' +
          `(one per CPU: ${os.availableParallelism()} here, node:cluster on one port), NODE_ENV=production, LOG_LEVEL=info (one access line per request to a file; ` +
          'since the cluster change stdout gathers lines up to 2 KiB per write, flushed every second, at exit and on SIGINT/SIGTERM: the production default too), ' +
          'SQLite in a temp DATA_DIR, local Redis under a unique key prefix (removed afterwards), rate limiting off. The load generator is this process.',
        'Every receive has a new dossier code, an applicant, and its own Idempotency-Key (looked up and stored in Redis); any non-2xx fails the run.',
        `Baseline: GET /api/ping, a public no-op route of the same app (same middleware, guard and interceptors; no I/O). Latency ratios compare with its p50/p99.`,
        'API CPU per request: user + system time of the API processes (/proc: the primary and its workers) over the phase divided by its requests; unlike rates and latencies it depends little on what else the machine runs ' +
          `(load average at the end: ${os
            .loadavg()
            .map((l) => l.toFixed(1))
            .join(' ')} on ${os.cpus().length} cores).`,
        `receive: ${receive ? `${receive.requests} requests, p90 ${receive.p90} ms, max ${receive.max} ms` : 'not measured'}; ping: ${ping ? `${ping.requests} requests, p99 ${ping.p99} ms` : 'not measured'}.`,
      ],
    };
  },
});
