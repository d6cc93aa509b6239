/**
 * The deadline scheduler: when each pending alert is due, kept in Redis and BullMQ.
 * - The schedule: the Redis sorted set `alerts:due`, one member per pending alert (score = due instant;
 *   libs/alerts/src/schedule.ts), filled after each committed batch of the log follower and cleared of
 *   closed dossiers and moved due dates.
 * - The tick jobs: one BullMQ delayed job per tick boundary, id `tick-{boundaryMs}` (adding an existing id
 *   is a no-op). A tick drains every member due by its start, chunk by chunk, handing each to the process
 *   manager: handled members leave the set, failed ones stay and the job is retried with back-off.
 * - The reconciler (at start and every ALERT_RECONCILE_MS): walks `alert_deadlines` and re-adds missing
 *   members and tick jobs, so nothing is lost when Redis (which keeps nothing on disk) is flushed or a run
 *   stopped between the read model's commit and the scheduling.
 * Drains and schedule changes of one process take turns per chunk (`exclusive`).
 * - A deadline row the planner cannot plan (a due date the calendar cannot place, written by an older
 *   version) is handed to `quarantineRow` (the facade quarantines it and drops the row) instead of failing
 *   the whole batch's scheduling or the reconciler (which at start used to fail the worker's start): every
 *   other row is scheduled. An unknown calendar version is the build's, not the row's: skipped with a
 *   warning and tried again at the next reconcile.
 *
 * It owns the Redis connections and the BullMQ queue and worker; it knows nothing of the domain: whether
 * a due entry is raised, skipped or due later is the process manager's answer (`DueEntryHandler`).
 */
import { Queue, Worker, DelayedError, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SqlDb } from '@motcua/read-models';
import {
  DEADLINE_QUEUE,
  dueMember,
  isUnreadableDossier,
  getDeadline,
  JOB_DEADLINE,
  JOB_TICK,
  listDeadlines,
  parseDueMember,
  planAlerts,
  tickFor,
  tickJobId,
  type AlertsConfig,
  type BatchEffects,
  type DeadlineJobData,
  type DeadlineRow,
  type DueEntry,
  type TickJobData,
} from '@motcua/alerts';
import type { DeadlineMetrics } from './metrics';
import type { EntryOutcome } from './process-manager';

export interface JobOutcome {
  result: 'raised' | 'skipped' | 'duplicate' | 'quarantined';
  reason?: string;
  /** Tick jobs: members handled. */
  handled?: number;
}

/** Tick jobs carry only their boundary; jobs of the per-dossier design (before ticks) are still handled. */
export type AnyJobData = TickJobData | DeadlineJobData;

/** Handles one due entry (the process manager); `correlationId`: the job's id. */
export type DueEntryHandler = (e: DueEntry, correlationId: string) => Promise<EntryOutcome>;

export interface DeadlineSchedulerOptions {
  db: SqlDb;
  redisUrl: string;
  config: AlertsConfig;
  logger: Logger;
  metrics: DeadlineMetrics;
  handle: DueEntryHandler;
  /**
   * Sets aside a deadline row the planner cannot plan (quarantine row + the row dropped); resolves with the
   * schedule entries to remove.
   */
  quarantineRow: (row: DeadlineRow, err: unknown) => Promise<Array<{ code: string; dueAtMs: number }>>;
  /** Clock (epoch ms). */
  now: () => number;
}

/** Members read from the sorted set per chunk of a drain. */
const DRAIN_CHUNK = 500;

/** Runs `fn` over `items`, at most `limit` at a time; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(lanes);
  return out;
}

export class DeadlineScheduler {
  private queue!: Queue<AnyJobData>;
  private worker!: Worker<AnyJobData, JobOutcome>;
  private redis!: Redis;
  private workerRedis!: Redis;
  /** Drain chunks and schedule changes of this process take turns (see `exclusive`). */
  private turn: Promise<unknown> = Promise.resolve();
  private reconcileTimer?: NodeJS.Timeout;
  private reconciling?: Promise<number>;
  private stopped = false;

  constructor(private readonly o: DeadlineSchedulerOptions) {}

  get bullQueue(): Queue<AnyJobData> {
    return this.queue;
  }

  /** Connects to Redis and starts the BullMQ worker of the tick jobs. */
  open(): void {
    this.stopped = false;
    const c = this.o.config;
    this.redis = new Redis(this.o.redisUrl, { maxRetriesPerRequest: null });
    // BullMQ workers block on their connection: a dedicated one, never retrying a command away.
    this.workerRedis = new Redis(this.o.redisUrl, { maxRetriesPerRequest: null });
    this.queue = new Queue<AnyJobData>(DEADLINE_QUEUE, { connection: this.redis, prefix: c.bullPrefix });
    this.worker = new Worker<AnyJobData, JobOutcome>(DEADLINE_QUEUE, (job, token) => this.process(job, token), {
      connection: this.workerRedis,
      prefix: c.bullPrefix,
      concurrency: c.concurrency,
    });
    this.worker.on('failed', (job, err) =>
      this.o.logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: { message: err.message } }, 'deadline job failed'),
    );
    this.worker.on('error', (err) => this.o.logger.warn({ err: { message: err.message } }, 'deadline worker error'));
  }

  /** Reconciles once, then every ALERT_RECONCILE_MS. */
  async startReconciler(): Promise<void> {
    // Nothing lost: re-create whatever Redis does not hold (after a flush, or entries never scheduled
    // because the previous run stopped between commit and scheduling).
    await this.reconcile();
    this.reconcileTimer = setInterval(() => {
      this.reconcile().catch((err) => this.o.logger.warn({ err: { message: (err as Error).message } }, 'reconcile failed'));
    }, this.o.config.reconcileMs);
    this.reconcileTimer.unref();
  }

  /** Stops taking new work at once: running drains and reconciles end after their current chunk. */
  halt(): void {
    this.stopped = true;
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
  }

  /** Waits for a running reconcile, closes the BullMQ worker and queue, and disconnects (after `halt`). */
  async close(): Promise<void> {
    await this.reconciling?.catch(() => undefined);
    await this.worker?.close();
    await this.queue?.close();
    this.redis?.disconnect();
    this.workerRedis?.disconnect();
  }

  /**
   * One at a time per process: a drain chunk (read members, handle, remove) and a schedule change. So a
   * member re-added (a dossier resumed with the same due date) while a chunk handled its old state is not
   * removed by that chunk. Across processes the reconciler repairs that rare case.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  // ------------------------------------------------------------------ read model -> schedule

  /**
   * After the log follower committed a batch: announces new alert-feed rows on Redis pub/sub for the API
   * instances, removes the members of closed dossiers and moved due dates, schedules the touched dossiers.
   */
  async afterCommit(fx: BatchEffects): Promise<void> {
    // Scheduling failures are not fatal: the reconciler re-creates what is missing.
    try {
      // The feed first: monitors should not wait for the schedule.
      if (fx.feed.length) await this.redis.publish(this.o.config.feedChannel, fx.position);
      const rows: DeadlineRow[] = [];
      for (const code of fx.touched) {
        const r = await getDeadline(this.o.db, code);
        if (r) rows.push(r);
      }
      const entries = await this.plan(rows);
      await this.exclusive(async () => {
        await this.forget(fx.obsolete);
        await this.schedule(entries, false);
      });
    } catch (err) {
      this.o.logger.warn({ err: { message: (err as Error).message } }, 'scheduling after commit failed; the reconciler will catch up');
    }
  }

  /** Removes the schedule entries of these dossiers' due dates (closed, re-dated or quarantined). */
  async forget(obsolete: ReadonlyArray<{ code: string; dueAtMs: number }>): Promise<void> {
    if (obsolete.length === 0) return;
    const gone = obsolete.flatMap((o) => [dueMember('due-soon', o.code, o.dueAtMs), dueMember('deadline', o.code, o.dueAtMs)]);
    for (let i = 0; i < gone.length; i += 1000) await this.redis.zrem(this.o.config.scheduleKey, ...gone.slice(i, i + 1000));
  }

  /**
   * The alerts these rows still need. A row the planner throws on is set aside (`quarantineRow`) when its
   * data is at fault, else skipped with a warning until the next reconcile: never the other rows' loss.
   */
  private async plan(rows: DeadlineRow[]): Promise<DueEntry[]> {
    const out: DueEntry[] = [];
    for (const r of rows) {
      let entries: DueEntry[];
      try {
        entries = this.entriesFor(r);
      } catch (err) {
        if (isUnreadableDossier(err)) await this.forget(await this.o.quarantineRow(r, err));
        else
          this.o.logger.warn({ code: r.code, err: { message: (err as Error).message } }, 'a deadline could not be planned; tried again at the next reconcile');
        continue;
      }
      for (const e of entries) out.push(e);
    }
    return out;
  }

  /** The alerts a row still needs: none when paused or already raised for its current due date. */
  private entriesFor(r: DeadlineRow): DueEntry[] {
    if (r.paused) return [];
    const plan = planAlerts(r, this.o.config.dueSoon);
    const out: DueEntry[] = [];
    // A warning after the due instant is noise: the missed-deadline alert follows.
    if (r.dueSoonDueMs !== r.dueAtMs && r.missedDueMs !== r.dueAtMs && this.o.now() < r.dueAtMs) {
      out.push({ kind: 'due-soon', code: r.code, dueAtMs: r.dueAtMs, at: plan.dueSoonAt });
    }
    if (r.missedDueMs !== r.dueAtMs) out.push({ kind: 'deadline', code: r.code, dueAtMs: r.dueAtMs, at: plan.overdueFrom });
    return out;
  }

  private tickOptions(boundary: number): { name: string; data: TickJobData; opts: JobsOptions } {
    return {
      name: JOB_TICK,
      data: { at: boundary },
      opts: {
        jobId: tickJobId(boundary),
        delay: Math.max(0, boundary - this.o.now()),
        attempts: this.o.config.jobAttempts,
        backoff: { type: 'exponential', delay: this.o.config.jobBackoffMs },
        removeOnComplete: true,
        removeOnFail: { count: 10_000 },
      },
    };
  }

  /** Adds the tick jobs of these boundaries (an existing id is a no-op). */
  private async addTicks(boundaries: Iterable<number>): Promise<void> {
    const jobs = [...new Set(boundaries)].map((b) => this.tickOptions(b));
    for (let i = 0; i < jobs.length; i += 1000) await this.queue.addBulk(jobs.slice(i, i + 1000));
  }

  private tickJobKey(boundary: number): string {
    return `${this.o.config.bullPrefix}:${DEADLINE_QUEUE}:${tickJobId(boundary)}`;
  }

  /**
   * Puts entries in the schedule and makes sure each has a tick job that has not started yet: one pipeline of
   * ZADD (the members first; `NX`: only missing ones, counted) and EXISTS on the tick job keys, then BullMQ adds
   * the missing jobs only. Runs within `exclusive`, with `now` read there: a tick is a boundary after now, so
   * its job, if it exists, has not started, or has started but waits for its turn to read the set.
   * Returns the number of members added.
   */
  private async schedule(entries: DueEntry[], onlyMissing: boolean): Promise<number> {
    if (entries.length === 0) return 0;
    const key = this.o.config.scheduleKey;
    const now = this.o.now();
    const pipe = this.redis.pipeline();
    let zadds = 0;
    for (let i = 0; i < entries.length; i += 1000, zadds++) {
      const args: Array<string | number> = [];
      for (const e of entries.slice(i, i + 1000)) args.push(e.at, dueMember(e.kind, e.code, e.dueAtMs));
      if (onlyMissing) pipe.zadd(key, 'NX', ...args);
      else pipe.zadd(key, ...args);
    }
    const boundaries = [...new Set(entries.map((e) => tickFor(e.at, now, this.o.config.tickMs)))];
    for (const b of boundaries) pipe.exists(this.tickJobKey(b));
    const res = (await pipe.exec()) ?? [];
    const failed = res.find(([err]) => err);
    if (failed) throw failed[0];
    let added = 0;
    for (let i = 0; i < zadds; i++) added += Number(res[i][1]);
    await this.addTicks(boundaries.filter((_, i) => res[zadds + i][1] === 0));
    return added;
  }

  // ------------------------------------------------------------------ reconciler

  /**
   * Re-creates what Redis lacks for every open dossier of the read model: schedule members (ZADD NX) and
   * tick jobs (EXISTS on the job keys, pipelined; only missing ones are added; a past-due member gets the
   * next tick). Returns the number of schedule entries re-created.
   */
  reconcile(): Promise<number> {
    if (this.reconciling) return this.reconciling;
    this.reconciling = this.reconcileOnce().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<number> {
    let after = '';
    let created = 0;
    for (;;) {
      if (this.stopped) break;
      const rows = await listDeadlines(this.o.db, after, 2000);
      if (rows.length === 0) break;
      after = rows[rows.length - 1].code;
      const wanted = await this.plan(rows);
      if (wanted.length === 0) continue;
      created += await this.exclusive(() => this.schedule(wanted, true));
    }
    // Members left behind by a tick job that failed for good (or a member whose job vanished alone).
    const overdue = await this.redis.zcount(this.o.config.scheduleKey, '-inf', this.o.now() - this.o.config.tickMs * 5);
    if (overdue > 0) await this.addTicks([tickFor(0, this.o.now(), this.o.config.tickMs)]);
    if (created) this.o.logger.info({ created }, 'reconciler re-created missing schedule entries');
    this.o.metrics.counters.reconciledJobs += created;
    return created;
  }

  // ------------------------------------------------------------------ counts

  async queueCounts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'delayed', 'active', 'failed', 'completed');
  }

  /** Pending alerts in the schedule (sorted-set members). */
  async scheduledCount(): Promise<number> {
    return this.redis.zcard(this.o.config.scheduleKey);
  }

  // ------------------------------------------------------------------ jobs

  private async process(job: Job<AnyJobData, JobOutcome>, token?: string): Promise<JobOutcome> {
    this.o.metrics.recordStart(this.o.now() - job.data.at);
    if (job.name === JOB_TICK) return this.drain(String(job.id));
    // A per-dossier job (scheduled by an earlier version, or added by hand).
    const d = job.data as DeadlineJobData;
    const out = await this.o.handle({ kind: job.name === JOB_DEADLINE ? 'deadline' : 'due-soon', code: d.code, dueAtMs: d.dueAtMs, at: d.at }, String(job.id));
    if (out.result === 'later') {
      this.o.metrics.counters.rescheduled++;
      await job.moveToDelayed(out.at, token);
      throw new DelayedError();
    }
    return out;
  }

  /**
   * Handles every member due by now, chunk by chunk. Handled members (raised, duplicate, no-op) leave the
   * set; one not yet due by the domain's clock gets its new instant and tick; failed ones stay, and the job
   * then fails so that BullMQ retries it with back-off (later ticks pick them up too).
   */
  private async drain(jobId: string): Promise<JobOutcome> {
    const counters = this.o.metrics.counters;
    counters.ticks++;
    const key = this.o.config.scheduleKey;
    let kept = 0;
    let handled = 0;
    let lastError: unknown;
    for (;;) {
      if (this.stopped) break; // what is left stays in the set: the reconciler at start re-adds its tick
      const more = await this.exclusive(async () => {
        const now = this.o.now();
        const raw = await this.redis.zrangebyscore(key, '-inf', now, 'WITHSCORES', 'LIMIT', kept, DRAIN_CHUNK);
        if (raw.length === 0) return false;
        const entries: DueEntry[] = [];
        const junk: string[] = [];
        for (let i = 0; i < raw.length; i += 2) {
          const e = parseDueMember(raw[i], Number(raw[i + 1]));
          if (e) entries.push(e);
          else junk.push(raw[i]);
        }
        const outcomes = await mapLimit(entries, this.o.config.concurrency, (e) =>
          this.o.handle(e, jobId).catch((err: unknown) => {
            lastError = err;
            return undefined;
          }),
        );
        const pipe = this.redis.pipeline();
        if (junk.length) pipe.zrem(key, ...junk);
        const later: number[] = [];
        const done: string[] = [];
        outcomes.forEach((out, i) => {
          const e = entries[i];
          const member = dueMember(e.kind, e.code, e.dueAtMs);
          if (!out) {
            kept++;
            counters.failedEntries++;
          } else if (out.result === 'later') {
            counters.rescheduled++;
            pipe.zadd(key, 'XX', out.at, member);
            later.push(tickFor(out.at, now, this.o.config.tickMs));
          } else {
            done.push(member);
            handled++;
          }
        });
        if (done.length) pipe.zrem(key, ...done);
        await pipe.exec();
        if (later.length) await this.addTicks(later);
        // Loops until nothing is due: a running drain takes alerts as they fall due (under load this beats
        // waiting for their own tick's BullMQ start). Nothing in a whole chunk went through (the store is
        // down?): stop here, the retry comes later.
        return entries.length === 0 || outcomes.some((o) => o !== undefined);
      });
      if (!more) break;
    }
    if (kept > 0) {
      const msg = (lastError as Error | undefined)?.message ?? 'unknown error';
      throw new Error(`${kept} due alert(s) failed (${msg}); they stay scheduled and the tick is retried`);
    }
    return { result: handled > 0 ? 'raised' : 'skipped', handled };
  }
}
