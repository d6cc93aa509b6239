/**
 * Private infrastructure for the fault, scale-out and load runs: a PostgreSQL cluster of its own (initdb into
 * a temp dir, run as the `postgres` user because postgres refuses root), a redis-server of its own, and the
 * compiled API / worker as child processes. The shared services on 5432/6379 are never restarted: other
 * suites run beside these ones. Everything started here is registered for clean-up on close() AND on process
 * exit, so a failed or interrupted run leaves no server behind.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, closeSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');

/** Every child we start, killed on exit whatever happens. */
const children = new Set<ChildProcess>();
const cleanups = new Set<() => void>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const all = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const f of cleanups) {
      try {
        f();
      } catch {
        /* best effort on exit */
      }
    }
  };
  process.once('exit', all);
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => (all(), process.exit(130)));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(500);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => (s.destroy(), resolve(false)));
    s.once('timeout', () => (s.destroy(), resolve(false)));
    s.connect(port, '127.0.0.1');
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await ok()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const v = readdirSync(base).sort((a, b) => Number(b) - Number(a))[0];
  return path.join(base, v, 'bin');
}

/** A throw-away PostgreSQL cluster on its own port; stop()/start() simulate an outage (data kept). */
export class PgInstance {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private static asPostgres(args: string[]): void {
    const r = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stderr || r.stdout}`);
  }

  static async create(): Promise<PgInstance> {
    hookExit();
    const dir = mkdtempSync(path.join(tmpdir(), 'motcua-pg-'));
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    const pg = new PgInstance(dir, await freePort());
    cleanups.add(() => pg.destroySync());
    PgInstance.asPostgres([path.join(pgBin(), 'initdb'), '-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await pg.start();
    return pg;
  }

  async start(): Promise<void> {
    PgInstance.asPostgres([
      path.join(pgBin(), 'pg_ctl'),
      '-D',
      path.join(this.dir, 'data'),
      '-l',
      path.join(this.dir, 'log'),
      '-w',
      '-t',
      '30',
      '-o',
      // fsync off: a test cluster; crash-consistency of PostgreSQL itself is not what is tested here.
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      'start',
    ]);
    await waitFor(`PostgreSQL on ${this.port}`, () => listening(this.port), 30_000);
  }

  /** `immediate` is a crash as far as clients are concerned (connections dropped, no checkpoint). */
  async stop(mode: 'fast' | 'immediate' = 'immediate'): Promise<void> {
    PgInstance.asPostgres([path.join(pgBin(), 'pg_ctl'), '-D', path.join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  private destroySync(): void {
    if (!existsSync(this.dir)) return;
    spawnSync('runuser', ['-u', 'postgres', '--', path.join(pgBin(), 'pg_ctl'), '-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop'], {
      stdio: 'ignore',
    });
    rmSync(this.dir, { recursive: true, force: true });
  }

  async destroy(): Promise<void> {
    this.destroySync();
  }
}

/** A throw-away redis-server without persistence: a restart loses everything, the worst case. */
export class RedisInstance {
  private proc?: ChildProcess;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<RedisInstance> {
    hookExit();
    const r = new RedisInstance(await freePort());
    await r.start();
    return r;
  }

  async start(): Promise<void> {
    const p = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
      stdio: 'ignore',
    });
    children.add(p);
    p.once('exit', () => children.delete(p));
    this.proc = p;
    await waitFor(`Redis on ${this.port}`, () => listening(this.port), 10_000);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
  }
}

/**
 * Compiles the build (tsconfig.build.json) into a private out dir once per run, so concurrent `npm run build`s
 * of other engineers never race with ours. Returns the dist dir. It lies inside the repository (under dist/,
 * ignored) because the app finds its packages and its dashboard files by walking up from itself.
 * Jest runs the fault and scale-out suites in sibling workers (same parent pid): the first one builds under a
 * lock directory, the other waits for the `.built` marker. Builds older than two hours are removed.
 */
export async function buildOnce(outDir = process.env.FAULTS_DIST ?? path.join(ROOT, 'dist', '.faults', `jest-${process.ppid}`)): Promise<string> {
  const marker = path.join(outDir, '.built');
  if (existsSync(marker)) return outDir;
  const parent = path.dirname(outDir);
  mkdirSync(parent, { recursive: true });
  for (const old of readdirSync(parent)) {
    const p = path.join(parent, old);
    if (p !== outDir && p !== `${outDir}.lock` && Date.now() - statSync(p).mtimeMs > 2 * 3600_000) rmSync(p, { recursive: true, force: true });
  }
  try {
    mkdirSync(`${outDir}.lock`);
  } catch {
    await waitFor(`the build in ${outDir} (another test file builds it)`, async () => existsSync(marker), 600_000);
    return outDir;
  }
  try {
    mkdirSync(outDir, { recursive: true });
    // Type errors in others' in-progress files must not stop the run: tsc still emits (noEmitOnError is off).
    await new Promise<void>((resolve) => {
      const p = spawn(
        process.execPath,
        [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', outDir],
        { cwd: ROOT, stdio: 'ignore' },
      );
      p.once('exit', () => resolve());
    });
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'link-dist.js'), outDir], { cwd: ROOT, stdio: 'ignore' });
    for (const entry of ['apps/api/src/main.js', 'apps/worker/src/main.js']) {
      if (!existsSync(path.join(outDir, entry))) throw new Error(`build produced no ${entry} in ${outDir}`);
    }
    closeSync(openSync(marker, 'w'));
  } finally {
    rmSync(`${outDir}.lock`, { recursive: true, force: true });
  }
  return outDir;
}

/** Why this machine cannot run the private-instance tests (undefined when it can). */
export function missingTools(): string | undefined {
  const redis = missingRedisTools();
  if (redis) return redis;
  try {
    pgBin();
  } catch {
    return 'no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (initdb, pg_ctl)';
  }
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) return 'no `postgres` OS user to run initdb as (PostgreSQL refuses root)';
  if (spawnSync('runuser', ['--help']).status !== 0) return 'no runuser';
  return undefined;
}

/** Why this machine cannot run the tests that need only a private Redis (the embedded default: SQLite files). */
export function missingRedisTools(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux (/proc)';
  if (spawnSync('redis-server', ['--version']).status !== 0) return 'no redis-server on PATH';
  return undefined;
}

/**
 * A launcher script: runs `MOTCUA_ENTRY` (a path under `MOTCUA_DIST`). The private build is laid out by
 * scripts/link-dist.js like `npm run build`'s, so its code finds its own compiled `@motcua/*` libraries.
 * Given to `node -e`, or written to a file for a process that forks (node:cluster re-runs its own script).
 */
export const RUNNER = `require(require('path').join(process.env.MOTCUA_DIST, process.env.MOTCUA_ENTRY));`;

/** One API or worker process; restartable after a kill. */
export class NodeProc {
  private proc?: ChildProcess;
  readonly logFile: string;
  starts = 0;
  private readonly script?: string;
  /**
   * `script`: run RUNNER from a file instead of `node -e` (a process that forks, as the API with
   * API_PROCESSES > 1 does, needs a script its workers can be started from).
   */
  constructor(
    readonly name: string,
    readonly entry: 'apps/api/src/main.js' | 'apps/worker/src/main.js',
    readonly dist: string,
    readonly env: Record<string, string>,
    logDir: string,
    o: { script?: boolean } = {},
  ) {
    hookExit();
    this.logFile = path.join(logDir, `${name}.log`);
    if (o.script) {
      this.script = path.join(logDir, `${name}-launch.js`);
      writeFileSync(this.script, RUNNER);
    }
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  start(): void {
    const fd = openSync(this.logFile, 'a');
    const p = spawn(process.execPath, this.script ? [this.script] : ['-e', RUNNER], {
      cwd: ROOT,
      // NODE_PATH: the private dist lives outside the repository, its packages inside.
      env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(ROOT, 'node_modules'), ...this.env, MOTCUA_DIST: this.dist, MOTCUA_ENTRY: this.entry },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    children.add(p);
    p.once('exit', () => children.delete(p));
    this.proc = p;
    this.starts++;
  }

  /** kill -9: no shutdown hook runs, like a machine losing power under the process. */
  async kill9(): Promise<void> {
    const p = this.proc;
    if (!p || !this.running) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  /** The processes this one forked (API_PROCESSES > 1: the API processes under the cluster primary). */
  childPids(): number[] {
    if (!this.running || !this.pid) return [];
    try {
      const t = readFileSync(`/proc/${this.pid}/task/${this.pid}/children`, 'utf8').trim();
      return t ? t.split(/\s+/).map(Number) : [];
    } catch {
      return [];
    }
  }

  /**
   * kill -9 of one forked process (one API process of the cluster; its primary forks another), or of the
   * process itself when it forked none. Returns the pid killed.
   */
  async kill9One(pick: (n: number) => number): Promise<number | undefined> {
    const kids = this.childPids();
    if (kids.length === 0) {
      const pid = this.pid;
      await this.kill9();
      return pid;
    }
    const pid = kids[pick(kids.length)];
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return undefined; // already gone
    }
    await waitFor(`pid ${pid} to die`, async () => gone(pid), 10_000);
    return pid;
  }

  /** kill -9 of the process and everything it forked at once, as when its machine loses power. */
  async kill9Tree(): Promise<void> {
    const p = this.proc;
    if (!p || !this.running) return;
    const kids = this.childPids();
    const exited = new Promise((r) => p.once('exit', r));
    for (const pid of kids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    p.kill('SIGKILL');
    await exited;
    await waitFor('the forked processes to die', async () => kids.every(gone), 10_000);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || !this.running) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  }

  /** Resident set size of the process in bytes (Linux /proc), undefined when not running. */
  rss(): number | undefined {
    if (!this.running || !this.pid) return undefined;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  tail(chars = 3000): string {
    try {
      const size = statSync(this.logFile).size;
      return readFileSync(this.logFile, 'utf8').slice(Math.max(0, size - chars));
    } catch {
      return '(no log)';
    }
  }
}

/** A process that no longer runs (no /proc entry, or a zombie: it holds no file, lock or socket any more). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

export interface ClusterEnvOptions {
  pg: PgInstance;
  redis: RedisInstance;
  dataDir: string;
  secret: string;
  masterKey: string;
  prefix: string;
  extra?: Record<string, string>;
}

/** Settings of both deployments under test: quick alert reconciles and polls, no rate limit, quiet logs. */
function testTuning(): Record<string, string> {
  return {
    LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'warn',
    ALERT_RECONCILE_MS: '2000',
    ALERT_FEED_POLL_MS: '500',
    ALERT_JOB_BACKOFF_MS: '200',
    REFERENCE_POLL_MS: '1000',
    WORKER_PROGRESS_MS: '0',
    RATE_LIMIT_PER_MINUTE: '0',
  };
}

/** The environment of API and worker: everything on our own PostgreSQL and Redis. */
export function clusterEnv(o: ClusterEnvOptions): Record<string, string> {
  return {
    NODE_ENV: 'test',
    ...testTuning(),
    DATA_DIR: o.dataDir,
    AUTH_JWT_SECRET: o.secret,
    PERSONAL_DATA_MASTER_KEY: o.masterKey,
    EVENT_STORE: 'postgres',
    EVENT_STORE_URL: o.pg.url,
    EVENT_STORE_SCHEMA: 'event_store',
    REDIS_URL: o.redis.url,
    REDIS_KEY_PREFIX: o.prefix,
    READ_MODELS_ENGINE: 'postgres',
    READ_MODELS_PG_URL: o.pg.url,
    READ_MODELS_PG_SCHEMA: 'read_models',
    ALERTS_DB: o.pg.url,
    ALERTS_DB_SCHEMA: 'alerts',
    ...o.extra,
  };
}

export type EmbeddedEnvOptions = Omit<ClusterEnvOptions, 'pg'>;

/**
 * The environment of `npm start` (scripts/start.sh): the embedded default, i.e. no EVENT_STORE,
 * READ_MODELS_ENGINE or ALERTS_DB, so the event store, the read models and the alerts are SQLite files in
 * DATA_DIR, and API_PROCESSES is left to the caller; only Redis is ours instead of the local one.
 */
export function embeddedEnv(o: EmbeddedEnvOptions): Record<string, string> {
  return {
    ...testTuning(),
    DATA_DIR: o.dataDir,
    READ_MODELS_SQLITE_FILE: path.join(o.dataDir, 'read-models.sqlite'), // as scripts/start.sh sets it
    AUTH_JWT_SECRET: o.secret,
    PERSONAL_DATA_MASTER_KEY: o.masterKey,
    REDIS_URL: o.redis.url,
    REDIS_KEY_PREFIX: o.prefix,
    ...o.extra,
  };
}

/**
 * Another process in the middle of a write transaction on an SQLite file: it takes the write lock
 * (BEGIN IMMEDIATE), inserts `rows` rows of about 1 KB into `events` under `streamId` with a page cache of
 * a few pages, so most of them are spilled into the WAL uncommitted, then holds the lock until it is
 * killed with SIGKILL: it never commits. What an operator's long import or `sqlite3` session that dies
 * (OOM killer, kill -9, power) leaves: the kernel releases its lock, and SQLite must ignore its frames.
 */
export class SqliteTornWriter {
  private constructor(private readonly proc: ChildProcess) {}

  static async begin(file: string, streamId: string, rows = 2000): Promise<SqliteTornWriter> {
    hookExit();
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.env.FILE);
      db.pragma('busy_timeout = 10000');
      db.pragma('cache_size = 8');
      db.exec('BEGIN IMMEDIATE');
      const ins = db.prepare("INSERT INTO events (stream_id, revision, type, data, metadata, recorded_at, hash, prev_hash) VALUES (?, ?, 'faults.torn-write.v1', ?, '{}', ?, 'x', 'x')");
      const pad = JSON.stringify({ pad: 'x'.repeat(1000) });
      for (let i = 0; i < Number(process.env.ROWS); i++) ins.run(process.env.STREAM, i, pad, new Date().toISOString());
      process.stdout.write('locked\\n');
      setInterval(() => undefined, 1 << 30);
    `;
    const p = spawn(process.execPath, ['-e', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(ROOT, 'node_modules'), FILE: file, STREAM: streamId, ROWS: String(rows) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(p);
    p.once('exit', () => children.delete(p));
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      p.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
      p.once('exit', (code) => reject(new Error(`the torn writer exited (${code}) before it held the lock: ${err}`)));
    });
    return new SqliteTornWriter(p);
  }

  async kill9(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGKILL');
    await exited;
  }
}

export function newSecrets(): { secret: string; masterKey: string; prefix: string } {
  return { secret: randomBytes(32).toString('base64url'), masterKey: randomBytes(32).toString('hex'), prefix: `faults:${randomBytes(4).toString('hex')}:` };
}

export async function waitHttp(baseUrl: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${baseUrl}/api/health`,
    async () => {
      try {
        const r = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        return r.status < 500 || r.status === 503;
      } catch {
        return false;
      }
    },
    timeoutMs,
  );
}

const tempDirs = new Set<string>();

export function tempDir(label: string): string {
  const d = mkdtempSync(path.join(tmpdir(), `motcua-${label}-`));
  tempDirs.add(d);
  cleanups.add(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Removes the temp dirs of this process now (afterAll): jest workers may end without an 'exit' event. */
export function removeTempDirs(): void {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}
