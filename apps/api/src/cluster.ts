import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from 'pino';

/**
 * API_PROCESSES > 1: `main.ts` runs as the primary of a node:cluster and forks that many API processes, which
 * share PORT (the primary hands each new connection to a worker in turn). Each worker is an ordinary instance of
 * the app: the store, the key vault, Redis and the alerts database are shared the same way as between separate
 * instances (SQLite: WAL + busy_timeout; reference data: read after own writes, polled for others'; alerts:
 * Redis fan-out), and so are their limits (the rate limit is per process).
 *
 * The primary serves no request. It forks the first worker alone and the others once it is initialised (so
 * creating and migrating the files in DATA_DIR never races), lets them listen once all are initialised (so the
 * connections of a client that starts at once are spread over all of them), restarts a worker that dies after it has served, stops the
 * whole set when one dies before it could listen (a start-up error would only repeat), forwards SIGINT/SIGTERM,
 * and answers the workers' requests for cluster-wide Prometheus metrics.
 */

const READY = 'motcua:cluster-worker-ready';
const LISTEN = 'motcua:cluster-listen';
const METRICS_REQ = 'motcua:cluster-metrics-req';
const METRICS_RES = 'motcua:cluster-metrics-res';

interface MetricsRequest {
  type: typeof METRICS_REQ;
  id: number;
}
interface MetricsResponse {
  type: typeof METRICS_RES;
  id: number;
  text?: string;
  error?: string;
}

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** Whether this process was started from a script file a worker can be started from (not `node -e`, a REPL). */
export function canFork(): boolean {
  return !!require.main?.filename;
}

/** Runs the primary; resolves once every worker listens (the caller logs where to look). */
export function runPrimary(processes: number, logger: Logger): Promise<void> {
  const aggregator = new AggregatorRegistry();
  const listening = new Set<number>();
  let stopping = false;
  let exitCode = 0;
  let forkedRest = false;
  let resolveReady!: () => void;
  const allListening = new Promise<void>((r) => (resolveReady = r));

  // Workers start the way this process was started: the entry itself (`node dist/apps/api/src/main.js`) or a
  // launcher script that requires it (the tests'); cluster's default would run the entry without the launcher.
  const launcher = require.main?.filename;
  // A young generation of 64 MiB semi-spaces (V8's default is 16): a request allocates much short-lived garbage,
  // and fewer scavenges cut the main thread's GC time by about 40 % under load (measured: 7.0 % -> 4.3 % of
  // the profile). Costs up to ~100 MiB more memory per process. Not added when the operator set it already.
  const semiSpace = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('--max-semi-space-size')) ? [] : ['--max-semi-space-size=64'];
  cluster.setupPrimary({
    execArgv: [...process.execArgv, ...semiSpace],
    ...(launcher && launcher !== process.argv[1] ? { exec: launcher, args: process.argv.slice(1) } : {}),
  });

  const ready = new Set<number>();
  let open = false;
  const go = (w: Worker) => w.isConnected() && w.send({ type: LISTEN });

  const fork = (): Worker => {
    const w = cluster.fork();
    w.on('message', (m: { type?: string }) => {
      if (m?.type !== READY) return;
      ready.add(w.id);
      // The first worker has created and migrated the files: the others may start together now.
      if (!forkedRest) {
        forkedRest = true;
        for (let i = 1; i < processes; i++) fork();
      }
      // The port opens when every worker can take connections (the primary hands them out in turn from then on).
      if (open) go(w);
      else if (ready.size >= processes) {
        open = true;
        for (const x of Object.values(cluster.workers ?? {})) if (x && ready.has(x.id)) go(x);
      }
    });
    w.on('listening', () => {
      listening.add(w.id);
      if (listening.size >= processes) resolveReady();
    });
    w.on('message', (m: MetricsRequest) => {
      if (m?.type !== METRICS_REQ) return;
      aggregator.clusterMetrics().then(
        (text) => w.isConnected() && w.send({ type: METRICS_RES, id: m.id, text } satisfies MetricsResponse),
        (err: Error) => w.isConnected() && w.send({ type: METRICS_RES, id: m.id, error: err.message } satisfies MetricsResponse),
      );
    });
    w.on('exit', (code, signal) => {
      const served = listening.delete(w.id);
      ready.delete(w.id);
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
        return;
      }
      if (!served) {
        logger.fatal({ worker: w.process.pid, code, signal }, 'api process exited before it could listen; stopping');
        stop('SIGTERM', code ?? 1);
        return;
      }
      logger.error({ worker: w.process.pid, code, signal }, 'api process died; starting another');
      fork();
    });
    return w;
  };

  const stop = (signal: NodeJS.Signals, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    if (workers.length === 0) process.exit(exitCode);
    for (const w of workers) w.process.kill(signal);
    // Workers close the store and Redis in their shutdown hooks; do not wait for ever.
    setTimeout(() => process.exit(exitCode), 15_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  fork();
  return allListening;
}

/**
 * In a worker, once the app is initialised (files created and migrated, connections opened): tells the primary
 * and waits for the word to listen, which comes when every worker is ready.
 */
export function readyToListen(): Promise<void> {
  return new Promise<void>((resolve) => {
    const onMessage = (m: { type?: string }) => {
      if (m?.type !== LISTEN) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    process.send!({ type: READY });
  });
}

/** In a worker: makes `registry` the one the primary aggregates. */
export function shareMetricsWithPrimary(registry: Registry): void {
  if (!cluster.isWorker) return;
  AggregatorRegistry.setRegistries([registry]);
  // prom-client answers the primary's requests only once an AggregatorRegistry exists in the process.
  new AggregatorRegistry();
}

let nextId = 0;
const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
let listening = false;

/** In a worker: the metrics of every API process, aggregated by the primary (counters and histograms summed). */
export function clusterMetrics(): Promise<string> {
  if (!listening) {
    listening = true;
    process.on('message', (m: MetricsResponse) => {
      if (m?.type !== METRICS_RES) return;
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.text !== undefined) p.resolve(m.text);
      else p.reject(new Error(m.error ?? 'no metrics from the primary'));
    });
  }
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the cluster primary did not answer for metrics within 10 s'));
    }, 10_000);
    pending.set(id, { resolve, reject, timer });
    process.send!({ type: METRICS_REQ, id } satisfies MetricsRequest);
  });
}
