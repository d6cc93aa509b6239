/**
 * The deadline watcher (issue 6). One per deployment (several are safe: the checkpoint is compare-and-set,
 * jobs are idempotent by id, every raise is idempotent in the event store).
 *
 * 1. Follows the global log from its own checkpoint (in the alerts DB, committed with the read model:
 *    never only in Redis, which keeps nothing on disk) and keeps `alert_deadlines` (open dossiers) and the
 *    alerts read model.
 * 2. After each committed batch, schedules BullMQ delayed jobs for the touched dossiers: `due-soon` and
 *    `deadline` with ids `due-soon-{code}-{dueAtMs}` / `deadline-{code}-{dueAtMs}` (adding an existing id
 *    is a no-op), removes jobs of closed dossiers or moved due dates, and announces new alert-feed rows on
 *    Redis pub/sub for the API instances.
 * 3. A reconciler (at start and every ALERT_RECONCILE_MS) walks `alert_deadlines` and re-creates missing
 *    jobs: after a Redis flush, deadlines that passed meanwhile get a job with no delay.
 * 4. Jobs re-check the dossier from its stream: a closed, paused or re-dated dossier makes them no-ops.
 */
import { Queue, Worker, DelayedError, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { WrongExpectedRevisionError, type EventStore, type RecordedEvent, type Subscription } from '@motcua/event-store';
import {
  DeadlineNotPassedError,
  IllegalTransitionError,
  decide,
  dossierStreamId,
  fold,
  isOpen,
  overdueFrom,
  parseDossierEvent,
  type DossierState,
} from '@motcua/domain';
import type { SqlDb } from '@motcua/read-models';
import {
  ALERT_DUE_SOON_RAISED,
  alertStreamId,
  applyAlertsBatch,
  calendarForVersion,
  DEADLINE_QUEUE,
  deadlineJobId,
  deadlineMissedCommandId,
  dueSoonAlertId,
  dueSoonCommandId,
  dueSoonJobId,
  JOB_DEADLINE,
  JOB_DUE_SOON,
  getDeadline,
  listDeadlines,
  planAlerts,
  readAlertsCheckpoint,
  remainingTime,
  type AlertsConfig,
  type BatchEffects,
  type DeadlineJobData,
  type DeadlineRow,
  type DueSoonRaisedData,
} from '@motcua/alerts';

export interface DeadlineWorkerOptions {
  store: EventStore;
  db: SqlDb;
  redisUrl: string;
  config: AlertsConfig;
  logger: Logger;
  /** Clock (epoch ms); the system clock by default. */
  now?: () => number;
}

export interface JobOutcome {
  result: 'raised' | 'skipped' | 'duplicate';
  reason?: string;
}

const iso = (t: number) => new Date(t).toISOString();

export class DeadlineWorker {
  private queue!: Queue<DeadlineJobData>;
  private worker!: Worker<DeadlineJobData, JobOutcome>;
  private redis!: Redis;
  private workerRedis!: Redis;
  private sub?: Subscription;
  private checkpoint = '';
  private chain: Promise<void> = Promise.resolve();
  private reconcileTimer?: NodeJS.Timeout;
  private reconciling?: Promise<number>;
  private stopped = false;
  private generation = 0;
  private readonly waiters: Array<{ position: string; resolve: () => void }> = [];
  private readonly now: () => number;
  /** Raised by jobs of this worker (tests, metrics). */
  readonly counters = { raisedDueSoon: 0, raisedMissed: 0, skipped: 0, rescheduled: 0, reconciledJobs: 0 };

  constructor(private readonly o: DeadlineWorkerOptions) {
    this.now = o.now ?? Date.now;
  }

  get position(): string {
    return this.checkpoint;
  }

  get bullQueue(): Queue<DeadlineJobData> {
    return this.queue;
  }

  async start(): Promise<void> {
    this.stopped = false;
    const c = this.o.config;
    this.redis = new Redis(this.o.redisUrl, { maxRetriesPerRequest: null });
    // BullMQ workers block on their connection: a dedicated one, never retrying a command away.
    this.workerRedis = new Redis(this.o.redisUrl, { maxRetriesPerRequest: null });
    this.queue = new Queue<DeadlineJobData>(DEADLINE_QUEUE, { connection: this.redis, prefix: c.bullPrefix });
    this.worker = new Worker<DeadlineJobData, JobOutcome>(DEADLINE_QUEUE, (job, token) => this.process(job, token), {
      connection: this.workerRedis,
      prefix: c.bullPrefix,
      concurrency: c.concurrency,
    });
    this.worker.on('failed', (job, err) => this.o.logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: { message: err.message } }, 'deadline job failed'));
    this.worker.on('error', (err) => this.o.logger.warn({ err: { message: err.message } }, 'deadline worker error'));
    this.checkpoint = await readAlertsCheckpoint(this.o.db);
    this.subscribe();
    // Nothing lost: re-create whatever Redis does not hold (after a flush, or jobs never scheduled
    // because the previous run stopped between commit and scheduling).
    await this.reconcile();
    this.reconcileTimer = setInterval(() => {
      this.reconcile().catch((err) => this.o.logger.warn({ err: { message: (err as Error).message } }, 'reconcile failed'));
    }, c.reconcileMs);
    this.reconcileTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    await this.sub?.close().catch(() => undefined);
    await this.chain.catch(() => undefined);
    await this.reconciling?.catch(() => undefined);
    await this.worker?.close();
    await this.queue?.close();
    this.redis?.disconnect();
    this.workerRedis?.disconnect();
  }

  // ------------------------------------------------------------------ log -> read model -> jobs

  private subscribe(): void {
    const gen = ++this.generation;
    this.sub = this.o.store.subscribeToAll((events) => this.onEvents(gen, events), { after: this.checkpoint || undefined, batchSize: 1000 });
    this.sub.done.catch((err) => this.restart(gen, err));
  }

  private restart(gen: number, err: unknown): void {
    if (this.stopped || gen !== this.generation) return;
    this.o.logger.warn({ err: { message: (err as Error).message } }, 'alerts subscription failed; restarting from the checkpoint');
    this.generation++;
    void this.sub?.close().catch(() => undefined);
    setTimeout(() => {
      if (this.stopped) return;
      this.chain = this.chain.then(async () => {
        this.checkpoint = await readAlertsCheckpoint(this.o.db);
        this.subscribe();
      });
    }, 1000).unref();
  }

  private onEvents(gen: number, events: RecordedEvent[]): Promise<void> {
    const run = this.chain.then(async () => {
      if (gen !== this.generation || this.stopped) return;
      const fx = await applyAlertsBatch(this.o.db, events, this.checkpoint);
      if (!fx) return;
      this.checkpoint = fx.position;
      await this.afterCommit(fx);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (BigInt(this.checkpoint) >= BigInt(this.waiters[i].position)) {
          this.waiters[i].resolve();
          this.waiters.splice(i, 1);
        }
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async afterCommit(fx: BatchEffects): Promise<void> {
    // Scheduling failures are not fatal: the reconciler re-creates what is missing.
    try {
      for (const o of fx.obsolete) {
        await this.queue.remove(dueSoonJobId(o.code, o.dueAtMs)).catch(() => undefined);
        await this.queue.remove(deadlineJobId(o.code, o.dueAtMs)).catch(() => undefined);
      }
      const rows: DeadlineRow[] = [];
      for (const code of fx.touched) {
        const r = await getDeadline(this.o.db, code);
        if (r) rows.push(r);
      }
      await this.schedule(rows);
      if (fx.feed.length) await this.redis.publish(this.o.config.feedChannel, fx.position);
    } catch (err) {
      this.o.logger.warn({ err: { message: (err as Error).message } }, 'scheduling after commit failed; the reconciler will catch up');
    }
  }

  private jobOptions(jobId: string, at: number): JobsOptions {
    return {
      jobId,
      delay: Math.max(0, at - this.now()),
      attempts: this.o.config.jobAttempts,
      backoff: { type: 'exponential', delay: this.o.config.jobBackoffMs },
      removeOnComplete: true,
      removeOnFail: { count: 10_000 },
    };
  }

  /** The jobs a row needs now: none when paused or already raised for its current due date. */
  private jobsFor(r: DeadlineRow): Array<{ name: string; data: DeadlineJobData; opts: JobsOptions }> {
    if (r.paused) return [];
    const plan = planAlerts(r, this.o.config.dueSoon);
    const out: Array<{ name: string; data: DeadlineJobData; opts: JobsOptions }> = [];
    const base = { code: r.code, agencyCode: r.agencyCode, dueAt: r.dueAt, dueAtMs: r.dueAtMs };
    // A warning after the due instant is noise: the missed-deadline alert follows.
    if (r.dueSoonDueMs !== r.dueAtMs && r.missedDueMs !== r.dueAtMs && this.now() < r.dueAtMs) {
      out.push({ name: JOB_DUE_SOON, data: { ...base, at: plan.dueSoonAt }, opts: this.jobOptions(dueSoonJobId(r.code, r.dueAtMs), plan.dueSoonAt) });
    }
    if (r.missedDueMs !== r.dueAtMs) {
      out.push({ name: JOB_DEADLINE, data: { ...base, at: plan.overdueFrom }, opts: this.jobOptions(deadlineJobId(r.code, r.dueAtMs), plan.overdueFrom) });
    }
    return out;
  }

  private async schedule(rows: DeadlineRow[]): Promise<number> {
    const jobs = rows.flatMap((r) => this.jobsFor(r));
    for (let i = 0; i < jobs.length; i += 1000) await this.queue.addBulk(jobs.slice(i, i + 1000));
    return jobs.length;
  }

  /**
   * Re-creates the jobs Redis lacks for every open dossier of the read model. Existence is checked with
   * pipelined EXISTS on the job keys; failed jobs that exhausted their attempts are retried.
   * Returns the number of jobs (re)created.
   */
  reconcile(): Promise<number> {
    if (this.reconciling) return this.reconciling;
    this.reconciling = this.reconcileOnce().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<number> {
    let after = '';
    let created = 0;
    const keyPrefix = `${this.o.config.bullPrefix}:${DEADLINE_QUEUE}:`;
    for (;;) {
      if (this.stopped) break;
      const rows = await listDeadlines(this.o.db, after, 2000);
      if (rows.length === 0) break;
      after = rows[rows.length - 1].code;
      const wanted = rows.flatMap((r) => this.jobsFor(r));
      if (wanted.length === 0) continue;
      const pipe = this.redis.pipeline();
      for (const j of wanted) pipe.exists(keyPrefix + j.opts.jobId);
      const res = (await pipe.exec()) ?? [];
      const missing = wanted.filter((_, i) => res[i]?.[1] === 0);
      if (missing.length) {
        for (let i = 0; i < missing.length; i += 1000) await this.queue.addBulk(missing.slice(i, i + 1000));
        created += missing.length;
      }
      // Overdue and not marked although a job exists: it may have failed for good. Retry it.
      const stale = wanted.filter((j, i) => res[i]?.[1] === 1 && j.data.at < this.now() - 60_000);
      for (const j of stale) {
        const job = await this.queue.getJob(j.opts.jobId!);
        if (job && (await job.isFailed())) await job.retry('failed').catch(() => undefined);
      }
    }
    if (created) this.o.logger.info({ created }, 'reconciler re-created missing deadline jobs');
    this.counters.reconciledJobs += created;
    return created;
  }

  /** Resolves once the read model has applied the log up to `position` (default: the head). */
  async waitFor(position?: string, timeoutMs = 30_000): Promise<void> {
    const target = position ?? (await this.o.store.headPosition());
    if (!target || (this.checkpoint && BigInt(this.checkpoint) >= BigInt(target))) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`alerts projection did not reach ${target} in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ position: target, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  async queueCounts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'delayed', 'active', 'failed', 'completed');
  }

  // ------------------------------------------------------------------ jobs

  /** How late jobs started after their planned instant (ms), newest last, at most 100,000 kept (bench). */
  readonly startLag: number[] = [];

  private async process(job: Job<DeadlineJobData, JobOutcome>, token?: string): Promise<JobOutcome> {
    if (this.startLag.length >= 100_000) this.startLag.shift();
    this.startLag.push(this.now() - job.data.at);
    const out = job.name === JOB_DEADLINE ? await this.deadline(job, token) : await this.dueSoon(job);
    if (out.result === 'skipped') this.counters.skipped++;
    return out;
  }

  private async load(code: string): Promise<{ state: DossierState; events: RecordedEvent[] }> {
    const events = await this.o.store.readStream(dossierStreamId(code));
    return { state: fold(events.map((e) => parseDossierEvent(e.type, e.data))), events };
  }

  private async deadline(job: Job<DeadlineJobData, JobOutcome>, token?: string): Promise<JobOutcome> {
    const { code, dueAt, dueAtMs } = job.data;
    const streamId = dossierStreamId(code);
    const commandId = deadlineMissedCommandId(code, dueAtMs);
    for (let attempt = 0; attempt < 10; attempt++) {
      const { state } = await this.load(code);
      if (!isOpen(state)) return { result: 'skipped', reason: 'closed' };
      if (state.dueAt !== dueAt) return { result: 'skipped', reason: 'due date moved' };
      if (state.paused) return { result: 'skipped', reason: 'paused' };
      const calendar = calendarForVersion(state.calendarVersion);
      let decided;
      try {
        decided = decide({ type: 'mark_deadline_missed', now: iso(this.now()) }, state, { calendar });
      } catch (err) {
        if (err instanceof DeadlineNotPassedError) {
          // Fired early (clock skew between hosts): run again at the domain's instant.
          this.counters.rescheduled++;
          await job.moveToDelayed(overdueFrom(dueAt, calendar, state.deadline?.unit), token);
          throw new DelayedError();
        }
        if (err instanceof IllegalTransitionError) return { result: 'skipped', reason: err.message };
        throw err;
      }
      if (decided.length === 0) return { result: 'skipped', reason: 'already marked' };
      try {
        const res = await this.o.store.append(
          streamId,
          decided.map((e) => ({
            type: e.type,
            data: e.data as unknown as Record<string, unknown>,
            metadata: { actor: 'system', agencyCode: state.agencyCode ?? undefined, correlationId: String(job.id), commandId },
          })),
          { expectedRevision: state.revision, commandId },
        );
        if (!res.duplicate) this.counters.raisedMissed++;
        return { result: res.duplicate ? 'duplicate' : 'raised' };
      } catch (err) {
        if (err instanceof WrongExpectedRevisionError) continue; // a clerk wrote meanwhile: decide again
        throw err;
      }
    }
    throw new Error(`deadline of ${code}: too many concurrent writes`);
  }

  private async dueSoon(job: Job<DeadlineJobData, JobOutcome>): Promise<JobOutcome> {
    const { code, dueAt, dueAtMs, at } = job.data;
    const { state } = await this.load(code);
    if (!isOpen(state)) return { result: 'skipped', reason: 'closed' };
    if (state.dueAt !== dueAt) return { result: 'skipped', reason: 'due date moved' };
    if (state.paused) return { result: 'skipped', reason: 'paused' };
    const now = this.now();
    if (now >= dueAtMs) return { result: 'skipped', reason: 'already due' };
    const agencyCode = state.agencyCode!;
    const facts = { dueAtMs, unit: state.deadline?.unit ?? null, calendarVersion: state.calendarVersion };
    const data: DueSoonRaisedData = {
      alertId: dueSoonAlertId(code, dueAtMs),
      dossierCode: code,
      agencyCode,
      dueAt,
      overdueFrom: iso(overdueFrom(dueAt, calendarForVersion(state.calendarVersion), state.deadline?.unit)),
      remainingWorkingMs: remainingTime(facts, now),
      occurredAt: iso(Math.min(at, now)),
      detectedAt: iso(now),
    };
    const commandId = dueSoonCommandId(code, dueAtMs);
    const res = await this.o.store.append(
      alertStreamId(agencyCode),
      [{ type: ALERT_DUE_SOON_RAISED, data: data as unknown as Record<string, unknown>, metadata: { actor: 'system', agencyCode, correlationId: String(job.id), commandId } }],
      { expectedRevision: 'any', commandId },
    );
    if (!res.duplicate) this.counters.raisedDueSoon++;
    return { result: res.duplicate ? 'duplicate' : 'raised' };
  }
}
