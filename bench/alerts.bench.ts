/**
 * `alerts`: deadline alert delay. N open dossiers (default 50,000) are received with deadlines of a few
 * working seconds spread over a window, the deadline worker (real BullMQ on real Redis, SQLite store and
 * alerts DB) schedules due-soon and deadline jobs for all of them, and we measure, for every dossier,
 * `detectedAt - overdueFrom` of its `dossier.deadline-missed.v1` (the instant the domain says it is late).
 * Target: p99 under 2 s. The worker runs while the receipts are appended (live scheduling of
 * 2·N alerts: due soon + deadline, in the Redis schedule with one BullMQ delayed job per tick boundary);
 * a receipt written after its own deadline window would show as delay, honestly.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSqliteEventStore, type NewEvent } from '@motcua/event-store';
import { decide, dossierStreamId, initialState } from '@motcua/domain';
import { loadAlertsConfig, openAlertsDb } from '@motcua/alerts';
import { alwaysOpenCalendar, deletePrefix, procedureRules, secondsDeadline } from '@motcua/testing';
import { DeadlineWorker } from '../apps/worker/src/deadlines/deadline-worker';
import { createLogger } from '@motcua/platform';
import { registerBenchmark, type BenchContext } from './registry';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

registerBenchmark({
  name: 'alerts',
  description: 'deadline-missed alert delay after the due instant, N open dossiers scheduled (BullMQ + Redis, SQLite)',
  async run(ctx: BenchContext) {
    const n = ctx.size(50_000, 100);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'motcua-bench-alerts-'));
    const prefix = `bench-alerts-${randomBytes(4).toString('hex')}:`;
    const store = await createSqliteEventStore({ file: path.join(dir, 'events.sqlite') });
    // Tuning from the environment (ALERT_TICK_MS, ALERT_CONCURRENCY); never the deployment's database or Redis keys.
    const config = loadAlertsConfig(
      { ALERT_TICK_MS: process.env.ALERT_TICK_MS, ALERT_CONCURRENCY: process.env.ALERT_CONCURRENCY },
      { dataDir: dir, redisKeyPrefix: prefix },
    );
    const db = await openAlertsDb(config.db);
    const calendar = alwaysOpenCalendar();
    // Deadlines: first one `lead` seconds after the start, then spread over `window` seconds.
    const lead = Math.max(15, n / 1500);
    // BENCH_ALERTS_WINDOW_S overrides the window (0: every deadline at the same instant, a worst-case burst).
    const windowEnv = process.env.BENCH_ALERTS_WINDOW_S;
    const window = windowEnv !== undefined && windowEnv !== '' ? Number(windowEnv) : Math.max(20, n / 1000);
    if (!(window >= 0)) throw new Error(`BENCH_ALERTS_WINDOW_S must be a number of seconds >= 0, got '${windowEnv}'`);
    // The worker runs while the receipts are written (live scheduling, as in production).
    const worker = new DeadlineWorker({ store, db, redisUrl: REDIS_URL, config, logger: createLogger('warn', 'bench-alerts') });
    await worker.start();
    const t0 = Date.now();
    const bar = ctx.progress('receive dossiers', n);
    const overdueAt = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const code = `H30.01-BENCH-${String(i).padStart(6, '0')}`;
      const now = Date.now();
      const dueIn = (t0 + (lead + (window * i) / n) * 1000 - now) / 1000;
      const deadline = secondsDeadline(Math.max(0.5, dueIn));
      const events = decide(
        { type: 'receive', dossierCode: code, agencyCode: 'H30.01', procedureCode: 'P-BENCH', channel: 'counter', occurredAt: new Date(now).toISOString() },
        initialState,
        { calendar, procedure: procedureRules({ code: 'P-BENCH', deadline, version: 'bench.1' }) },
      );
      overdueAt.set(code, Date.parse((events[0].data as { dueAt: string }).dueAt) + 1);
      await store.append(
        dossierStreamId(code),
        events.map((e): NewEvent => ({
          type: e.type,
          data: e.data as unknown as Record<string, unknown>,
          metadata: { actor: 'bench', agencyCode: 'H30.01', correlationId: code },
        })),
        { expectedRevision: 'no_stream' },
      );
      bar.tick();
    }
    bar.done();
    const receivedMs = Date.now() - t0;
    const ws = Date.now();
    await worker.waitFor(undefined, 600_000);
    const scheduledMs = Date.now() - ws;
    ctx.log(`${n} dossiers received in ${receivedMs} ms; worker caught up ${scheduledMs} ms after the last receipt; first deadline at +${lead}s`);

    const delays: number[] = [];
    const seen = new Set<string>();
    const wait = ctx.progress('deadline-missed events', n);
    let after: string | undefined;
    const deadlineAt = t0 + (lead + window + 120) * 1000;
    while (seen.size < n && Date.now() < deadlineAt) {
      const batch = await store.readAll({ after, maxCount: 5000 });
      for (const e of batch) {
        after = e.position;
        if (e.type !== 'dossier.deadline-missed.v1') continue;
        const code = e.streamId.slice('dossier-'.length);
        if (seen.has(code)) throw new Error(`duplicate deadline-missed for ${code}`);
        seen.add(code);
        delays.push(Date.parse((e.data as { detectedAt: string }).detectedAt) - overdueAt.get(code)!);
        wait.tick();
      }
      if (batch.length < 5000) await new Promise((r) => setTimeout(r, 200));
    }
    wait.done();
    const counts = await worker.queueCounts();
    const scheduledLeft = await worker.scheduledCount();
    const lag = [...worker.startLag].sort((a, b) => a - b);
    const ticks = worker.counters.ticks;
    ctx.log(`tick job start lag p50 ${pct(lag, 50)} ms, p99 ${pct(lag, 99)} ms, max ${lag[lag.length - 1]} ms (${ticks} tick jobs)`);
    await worker.stop();
    await db.close();
    await store.close();
    await deletePrefix(REDIS_URL, prefix);
    rmSync(dir, { recursive: true, force: true });
    if (seen.size < n) throw new Error(`only ${seen.size} of ${n} deadlines raised`);
    delays.sort((a, b) => a - b);
    const p50 = pct(delays, 50);
    const p99 = pct(delays, 99);
    return {
      figures: [
        { name: 'alert delay p50', unit: 'ms', value: p50 },
        {
          name: 'alert delay p99',
          unit: 'ms',
          value: p99,
          target: { minRatio: 1, text: 'p99 < 2000 ms' },
          ratio: p99 > 0 ? 2000 / p99 : Infinity,
          met: p99 < 2000,
        },
        { name: 'alert delay max', unit: 'ms', value: delays[delays.length - 1] },
        { name: 'tick job start lag p50', unit: 'ms', value: pct(lag, 50) },
        { name: 'tick job start lag p99', unit: 'ms', value: pct(lag, 99) },
        { name: 'receipts written', unit: 'ms', value: receivedMs },
        { name: 'scheduling lag after the last receipt', unit: 'ms', value: scheduledMs },
      ],
      notes: [
        `${n} open dossiers (24/7 calendar, deadlines in working seconds) due between +${lead}s and +${lead + window}s; ${2 * n} scheduled alerts (due-soon + deadline), ${ticks} BullMQ tick jobs of ${config.tickMs} ms.`,
        `Delay = detectedAt of dossier.deadline-missed.v1 minus overdueFrom (dueAt + 1 ms). Worker concurrency ${config.concurrency} (dossiers in parallel per tick).`,
        `Queue after the run: ${JSON.stringify(counts)}; schedule entries left: ${scheduledLeft}`,
      ],
      parameters: { dossiers: n, leadSeconds: lead, windowSeconds: window, concurrency: config.concurrency, tickMs: config.tickMs },
    };
  },
});
