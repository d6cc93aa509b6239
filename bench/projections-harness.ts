/**
 * The projection benchmark's harness (bench/projections.bench.ts runs it): a generated province-year on the SQLite event store (dossiers through the
 * real decider, ~5 events each), then in the same run the raw global-read rate of the store and the
 * full rebuild rate of the SLA projection into a fresh SQLite read store, with peak memory. The
 * rebuild runs in a child process on the same files, as the worker or the CLI would run it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createWorkingCalendar } from '@motcua/calendar';
import { createSqliteEventStore, sqliteEventStoreFile, comparePositions, type EventStore } from '@motcua/event-store';
import {
  createSqliteDb,
  motcuaModulePrelude,
  ProjectionRunner,
  rebuildSla,
  SlaQueryService,
  type RebuildProgress,
  type RebuildResult,
} from '@motcua/read-models';
import { prng, procedureTable, randomLifecycle, workingDays, writeRandomDossiers } from '@motcua/testing';

export interface BenchProjectionsOptions {
  /** Dossiers to generate (default 700 000, about 4 M events). Ignored when `store` is given. */
  dossiers?: number;
  /** An existing event store to replay instead of generating one. */
  store?: EventStore;
  dir?: string;
  onGenerate?: (done: number, total: number) => void;
  onProgress?: (p: RebuildProgress) => void;
  log?: (m: string) => void;
  /** Run the rebuild in a child process, as the worker or CLI would (default true; SQLite on a file only). */
  childProcess?: boolean;
}

export interface BenchProjectionsResult {
  dossiers: number;
  events: number;
  generateSeconds: number;
  rawReadEventsPerSecond: number;
  rebuildEventsPerSecond: number;
  rebuildSeconds: number;
  peakRssMB: number;
  peakHeapMB: number;
  /** Events per CPU-second of this process (user + system): the rates a machine to ourselves would give. */
  rawReadEventsPerCpuSecond: number;
  rebuildEventsPerCpuSecond: number;
  summaryRows: number;
  dailyRows: number;
  /** Main-thread phases (the catch-up after the threaded bulk replay, or the whole replay without threads). */
  timings: { readMs: number; applyMs: number; writeMs: number };
  cpu: { readMs: number; applyMs: number; writeMs: number; totalMs: number };
  /** The threaded bulk replay, when it ran (`RebuildResult.parallel`). */
  parallel?: RebuildResult['parallel'];
  /** The rebuild ran in a child process (its RSS and CPU are that process's). */
  rebuildInChildProcess: boolean;
}

/** 40 procedures, 1 to 10 working days, a third of them pausing the clock while a fee is awaited. */
const PROCS = procedureTable(
  ...Array.from({ length: 40 }, (_, i) => ({
    code: `1.${String(100 + i).padStart(6, '0')}`,
    deadline: workingDays(1 + (i % 10)),
    paymentPausesClock: i % 3 === 0,
    version: 'bench',
  })),
);

export async function benchProjections(o: BenchProjectionsOptions = {}): Promise<BenchProjectionsResult> {
  const log = o.log ?? (() => undefined);
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'motcua-proj-bench-'));
  const owned = !o.store;
  const store = o.store ?? (await createSqliteEventStore({ file: join(dir, 'events.sqlite') }));
  let dossiers = 0;
  let generateSeconds = 0;
  try {
    if (owned) {
      dossiers = o.dossiers ?? 700_000;
      const t0 = performance.now();
      // ~1 000 agencies of a province: communes under districts, departments under the province.
      const agencies = Array.from({ length: 1000 }, (_, i) => `H30.${String(i).padStart(4, '0')}`);
      await writeRandomDossiers(store, dossiers, { agencies, procedures: PROCS, startDay: '2025-01-01', days: 365, seed: 2025 }, 0, {
        code: (i) => `H30-250101-${String(i).padStart(7, '0')}`,
        concurrency: 256,
        actor: 'bench',
        onProgress: o.onGenerate,
      });
      generateSeconds = (performance.now() - t0) / 1000;
      log(`generated ${dossiers} dossiers in ${generateSeconds.toFixed(1)} s`);
    }
    // Raw global read: the ceiling for any projection over this store.
    let events = 0;
    let after: string | undefined;
    const r0 = performance.now();
    const rc0 = process.cpuUsage();
    for (;;) {
      const page = await store.readAll({ after, maxCount: 10_000 });
      events += page.length;
      if (page.length < 10_000) break;
      after = page[page.length - 1].position;
    }
    const rawReadEventsPerSecond = events / ((performance.now() - r0) / 1000);
    const rc = process.cpuUsage(rc0);
    const rawReadEventsPerCpuSecond = events / ((rc.user + rc.system) / 1e6 || 1e-9);
    log(`raw read ${events} events: ${Math.round(rawReadEventsPerSecond)} events/s`);

    const readFile = join(dir, `read-${Date.now()}.sqlite`);
    const eventsFile = sqliteEventStoreFile(store);
    const inChild = (o.childProcess ?? true) && eventsFile !== undefined;
    let res: RebuildResult;
    let summaryRows: number;
    let dailyRows: number;
    if (inChild) {
      // As deployed: the rebuild runs in a process of its own (worker, CLI), so its memory is not the
      // generator's and the raw read's leftovers.
      ({ res, summaryRows, dailyRows } = await rebuildInChild(eventsFile, readFile, o.onProgress));
    } else {
      fullGc();
      const db = createSqliteDb({ file: readFile });
      try {
        res = await rebuildSla({ store, db, onProgress: o.onProgress });
        const count = async (t: string) => Number((await db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${db.table(`${res.tableSet}_${t}`)}`))[0].n);
        summaryRows = await count('dossiers');
        dailyRows = await count('daily');
      } finally {
        await db.close();
      }
    }
    return {
      dossiers,
      events: res.events,
      generateSeconds,
      rawReadEventsPerSecond,
      rebuildEventsPerSecond: res.eventsPerSecond,
      rebuildSeconds: res.elapsedMs / 1000,
      peakRssMB: res.peakRssBytes / 1024 / 1024,
      peakHeapMB: res.peakHeapBytes / 1024 / 1024,
      rawReadEventsPerCpuSecond,
      rebuildEventsPerCpuSecond: res.events / (res.cpu.totalMs / 1000 || 1e-9),
      summaryRows,
      dailyRows,
      timings: res.timings,
      cpu: res.cpu,
      parallel: res.parallel,
      rebuildInChildProcess: inChild,
    };
  } finally {
    if (owned) {
      await store.close();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * The rebuild in a fresh node process on the same files, running the same build of the libraries as this
 * process (resolved here: the compiled ones in a build, the TypeScript sources through the tests' ts-register).
 */
function rebuildInChild(
  eventsFile: string,
  readFile: string,
  onProgress?: (p: RebuildProgress) => void,
): Promise<{ res: RebuildResult; summaryRows: number; dailyRows: number }> {
  const prelude = motcuaModulePrelude();
  const code = `${prelude}
    const { rebuildSla, createSqliteDb } = require(${JSON.stringify(require.resolve('@motcua/read-models'))});
    const { createSqliteEventStore } = require(${JSON.stringify(require.resolve('@motcua/event-store'))});
    (async () => {
      const job = JSON.parse(process.env.MOTCUA_BENCH_REBUILD);
      const store = await createSqliteEventStore({ file: job.eventsFile });
      const db = createSqliteDb({ file: job.readFile });
      const res = await rebuildSla({ store, db, onProgress: (p) => process.send({ kind: 'progress', p }) });
      const count = async (t) => Number((await db.all('SELECT COUNT(*) AS n FROM ' + db.table(res.tableSet + '_' + t)))[0].n);
      const msg = { kind: 'done', res, summaryRows: await count('dossiers'), dailyRows: await count('daily') };
      await db.close();
      await store.close();
      process.send(msg, () => process.exit(0));
    })().catch((e) => process.send({ kind: 'error', message: String((e && e.stack) || e) }, () => process.exit(1)));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, MOTCUA_BENCH_REBUILD: JSON.stringify({ eventsFile, readFile }) },
    });
    let settled = false;
    child.on('message', (m: { kind: string; p?: RebuildProgress; res?: RebuildResult; summaryRows?: number; dailyRows?: number; message?: string }) => {
      if (m.kind === 'progress') onProgress?.(m.p!);
      else if (m.kind === 'done') {
        settled = true;
        resolve({ res: m.res!, summaryRows: m.summaryRows!, dailyRows: m.dailyRows! });
      } else if (m.kind === 'error') {
        settled = true;
        reject(new Error(`rebuild child: ${m.message}`));
      }
    });
    child.on('exit', (c) => {
      if (!settled) reject(new Error(`rebuild child exited with code ${c}`));
    });
  });
}

function fullGc(): void {
  if (!global.gc) setFlagsFromString('--expose-gc');
  const gc = global.gc ?? (runInNewContext('gc') as () => void);
  gc();
}

export interface BenchLiveLagOptions {
  /** Commands (one append each) per second (default 500: the live-lag target is set at that rate). */
  commandsPerSecond?: number;
  /** Duration of the paced load (default 10 s). */
  seconds?: number;
  dir?: string;
  log?: (m: string) => void;
}

export interface BenchLiveLagResult {
  commands: number;
  events: number;
  /** Commands per second actually sent. */
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Watermark of a query after the load: events behind the head (0 = everything visible). */
  behindAfter: number | null;
}

/**
 * Live lag: append -> visible in a query, at a paced command rate. As deployed, the writer (the API)
 * and the runner (the worker) use separate store handles, so the runner learns of appends by polling
 * (default 100 ms), then stages and commits the batch with its checkpoint. A row is visible to every
 * query once that COMMIT returns (WAL readers see committed data), so the lag of a command is the
 * time from just before its append to the commit of the first batch that contains it.
 */
export async function benchLiveLag(o: BenchLiveLagOptions = {}): Promise<BenchLiveLagResult> {
  const rate = o.commandsPerSecond ?? 500;
  const total = Math.round(rate * (o.seconds ?? 10));
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'motcua-lag-bench-'));
  const writer = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const reader = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const db = createSqliteDb({ file: join(dir, 'read.sqlite') });
  const pending: Array<{ t0: number; position?: string }> = [];
  const lags: number[] = [];
  let lastCommitted = '';
  let lastCommitAt = 0;
  const runner = new ProjectionRunner({
    store: reader,
    db,
    hooks: {
      afterCommit: (info) => {
        const t = performance.now();
        lastCommitted = info.to;
        lastCommitAt = t;
        while (pending.length > 0 && pending[0].position !== undefined && comparePositions(pending[0].position, info.to) <= 0) {
          lags.push(t - pending.shift()!.t0);
        }
      },
    },
  });
  try {
    await runner.start();
    // Commands: the next event of one of ~200 dossiers in progress, each dossier's events in order.
    const rnd = prng(7);
    const calendar = createWorkingCalendar();
    const load = { agencies: Array.from({ length: 50 }, (_, i) => `H30.${String(i).padStart(4, '0')}`), procedures: PROCS, startDay: '2025-03-03', days: 30 };
    const active: Array<{ code: string; events: ReturnType<typeof randomLifecycle>; next: number }> = [];
    let made = 0;
    const fresh = () => {
      const code = `LAG-250303-${String(made).padStart(6, '0')}`;
      return { code, events: randomLifecycle(code, made++, rnd, load, calendar), next: 0 };
    };
    while (active.length < 200) active.push(fresh());
    const interval = 1000 / rate;
    const start = performance.now();
    let events = 0;
    for (let i = 0; i < total; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const k = Math.floor(rnd() * active.length);
      const d = active[k];
      const e = d.events[d.next];
      const item: { t0: number; position?: string } = { t0: performance.now() };
      pending.push(item);
      // The store's own append (not DossierCommands): the lag is timed to the log position it returns.
      const r = await writer.append(
        `dossier-${d.code}`,
        [{ type: e.type, data: e.data as unknown as Record<string, unknown>, metadata: { actor: 'bench', correlationId: d.code } }],
        {
          expectedRevision: d.next === 0 ? 'no_stream' : d.next - 1,
        },
      );
      item.position = r.position;
      events++;
      // Committed before we learnt our position (rare): visible at that commit.
      if (pending[0] === item && lastCommitted && comparePositions(r.position, lastCommitted) <= 0) {
        lags.push(lastCommitAt - pending.shift()!.t0);
      }
      if (++d.next >= d.events.length) active[k] = fresh();
    }
    const achievedRate = total / ((performance.now() - start) / 1000);
    await runner.waitFor(await writer.headPosition(), 60_000);
    const q = new SlaQueryService({ db, store: writer });
    const behindAfter = (await q.watermark()).behind;
    lags.sort((a, b) => a - b);
    const pct = (p: number) => lags[Math.min(lags.length - 1, Math.ceil(p * lags.length) - 1)] ?? NaN;
    o.log?.(`live lag: ${lags.length} commands at ${achievedRate.toFixed(0)}/s, p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms`);
    return { commands: lags.length, events, achievedRate, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: lags[lags.length - 1] ?? NaN, behindAfter };
  } finally {
    await runner.stop();
    await db.close();
    await reader.close();
    await writer.close();
    if (!o.dir) rmSync(dir, { recursive: true, force: true });
  }
}
