/**
 * The deadline watcher. One per deployment (several are safe: the checkpoint is compare-and-set,
 * the schedule and the tick jobs are idempotent, every raise is idempotent in the event store).
 *
 * 1. Follows the global log from its own checkpoint (in the alerts DB, committed with the read model:
 *    never only in Redis, which keeps nothing on disk) and keeps `alert_deadlines` (open dossiers) and the
 *    alerts read model.
 * 2. After each committed batch, schedules the touched dossiers' alerts: members of the Redis sorted set
 *    `alerts:due` (score = due instant; libs/alerts/src/schedule.ts) plus a BullMQ delayed job per tick
 *    boundary, id `tick-{boundaryMs}` (adding an existing id is a no-op); removes the members of closed
 *    dossiers and moved due dates; announces new alert-feed rows on Redis pub/sub for the API instances.
 * 3. A tick job drains every member due by its start, in chunks, many dossiers in parallel: each is
 *    re-checked from its stream (closed, paused or re-dated: no-op), decided by the domain's clock and
 *    raised idempotently with the `system` actor; handled members leave the set, failed ones stay and the
 *    job is retried with back-off. Drains and scheduling of one process take turns per chunk.
 * 4. A reconciler (at start and every ALERT_RECONCILE_MS) walks `alert_deadlines` and re-adds missing
 *    members and tick jobs: after a Redis flush, deadlines that passed meanwhile are due at the next tick.
 */
import { Queue, Worker, DelayedError, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DossierCommands } from '@motcua/application';
import { WrongExpectedRevisionError, type EventStore, type RecordedEvent, type Subscription } from '@motcua/event-store';
import {
  DeadlineNotPassedError,
  IllegalTransitionError,
  isOpen,
  overdueFrom,
  type DossierState,
} from '@motcua/domain';
import type { SqlDb } from '@motcua/read-models';
import {
  ALERT_DUE_SOON_RAISED,
  alertStreamId,
  applyAlertsBatch,
  calendarForVersion,
  DEADLINE_QUEUE,
  deadlineMissedCommandId,
  dueMember,
  dueSoonAlertId,
  dueSoonCommandId,
  getDeadline,
  JOB_DEADLINE,
  JOB_TICK,
  listDeadlines,
  parseDueMember,
  planAlerts,
  readAlertsCheckpoint,
  remainingTime,
  tickFor,
  tickJobId,
  type AlertsConfig,
  type BatchEffects,
  type DeadlineJobData,
  type DeadlineRow,
  type DueEntry,
  type DueSoonRaisedData,
  type TickJobData,
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
  /** Tick jobs: members handled. */
  handled?: number;
}

/** What handling one due entry came to; `later`: not due yet by the domain's clock, due at `at`. */
type EntryOutcome = { result: 'raised' | 'duplicate' | 'skipped'; reason?: string } | { result: 'later'; at: number };

/** Tick jobs carry only their boundary; jobs of the per-dossier design (before ticks) are still handled. */
type AnyJobData = TickJobData | DeadlineJobData;

const iso = (t: number) => new Date(t).toISOString();

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

export class DeadlineWorker {
  private queue!: Queue<AnyJobData>;
  private worker!: Worker<AnyJobData, JobOutcome>;
  private redis!: Redis;
  private workerRedis!: Redis;
  private sub?: Subscription;
  private checkpoint = '';
  private chain: Promise<void> = Promise.resolve();
  /** Drain chunks and schedule changes of this process take turns (see `exclusive`). */
  private turn: Promise<unknown> = Promise.resolve();
  private reconcileTimer?: NodeJS.Timeout;
  private reconciling?: Promise<number>;
  private stopped = false;
  private generation = 0;
  private readonly waiters: Array<{ position: string; resolve: () => void }> = [];
  private readonly now: () => number;
  /** Raised by this worker (tests, metrics). `reconciledJobs`: schedule entries the reconciler re-created. */
  readonly counters = { raisedDueSoon: 0, raisedMissed: 0, skipped: 0, rescheduled: 0, reconciledJobs: 0, ticks: 0, failedEntries: 0 };

  private readonly commands: DossierCommands;
  constructor(private readonly o: DeadlineWorkerOptions) {
    this.commands = new DossierCommands(o.store);
    this.now = o.now ?? Date.now;
  }

  get position(): string {
    return this.checkpoint;
  }

  get bullQueue(): Queue<AnyJobData> {
    return this.queue;
  }

  async start(): Promise<void> {
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
    this.worker.on('failed', (job, err) => this.o.logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: { message: err.message } }, 'deadline job failed'));
    this.worker.on('error', (err) => this.o.logger.warn({ err: { message: err.message } }, 'deadline worker error'));
    this.checkpoint = await readAlertsCheckpoint(this.o.db);
    this.subscribe();
    // Nothing lost: re-create whatever Redis does not hold (after a flush, or entries never scheduled
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

  // ------------------------------------------------------------------ log -> read model -> schedule

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
      // The feed first: monitors should not wait for the schedule.
      if (fx.feed.length) await this.redis.publish(this.o.config.feedChannel, fx.position);
      const rows: DeadlineRow[] = [];
      for (const code of fx.touched) {
        const r = await getDeadline(this.o.db, code);
        if (r) rows.push(r);
      }
      await this.exclusive(async () => {
        if (fx.obsolete.length) {
          const gone = fx.obsolete.flatMap((o) => [dueMember('due-soon', o.code, o.dueAtMs), dueMember('deadline', o.code, o.dueAtMs)]);
          for (let i = 0; i < gone.length; i += 1000) await this.redis.zrem(this.o.config.scheduleKey, ...gone.slice(i, i + 1000));
        }
        await this.schedule(rows.flatMap((r) => this.entriesFor(r)), false);
      });
    } catch (err) {
      this.o.logger.warn({ err: { message: (err as Error).message } }, 'scheduling after commit failed; the reconciler will catch up');
    }
  }

  /** The alerts a row still needs: none when paused or already raised for its current due date. */
  private entriesFor(r: DeadlineRow): DueEntry[] {
    if (r.paused) return [];
    const plan = planAlerts(r, this.o.config.dueSoon);
    const out: DueEntry[] = [];
    // A warning after the due instant is noise: the missed-deadline alert follows.
    if (r.dueSoonDueMs !== r.dueAtMs && r.missedDueMs !== r.dueAtMs && this.now() < r.dueAtMs) {
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
        delay: Math.max(0, boundary - this.now()),
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
    const now = this.now();
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
      const wanted = rows.flatMap((r) => this.entriesFor(r));
      if (wanted.length === 0) continue;
      created += await this.exclusive(() => this.schedule(wanted, true));
    }
    // Members left behind by a tick job that failed for good (or a member whose job vanished alone).
    const overdue = await this.redis.zcount(this.o.config.scheduleKey, '-inf', this.now() - this.o.config.tickMs * 5);
    if (overdue > 0) await this.addTicks([tickFor(0, this.now(), this.o.config.tickMs)]);
    if (created) this.o.logger.info({ created }, 'reconciler re-created missing schedule entries');
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

  /** Pending alerts in the schedule (sorted-set members). */
  async scheduledCount(): Promise<number> {
    return this.redis.zcard(this.o.config.scheduleKey);
  }

  // ------------------------------------------------------------------ jobs

  /** How late tick jobs started after their boundary (ms), newest last, at most 100,000 kept (bench). */
  readonly startLag: number[] = [];
  /** How late alerts were raised after their due instant (ms), newest last, at most 100,000 kept (bench). */
  readonly raiseLag: number[] = [];

  private async process(job: Job<AnyJobData, JobOutcome>, token?: string): Promise<JobOutcome> {
    if (this.startLag.length >= 100_000) this.startLag.shift();
    this.startLag.push(this.now() - job.data.at);
    if (job.name === JOB_TICK) return this.drain(String(job.id));
    // A per-dossier job (scheduled by an earlier version, or added by hand).
    const d = job.data as DeadlineJobData;
    const out = await this.handle({ kind: job.name === JOB_DEADLINE ? 'deadline' : 'due-soon', code: d.code, dueAtMs: d.dueAtMs, at: d.at }, String(job.id));
    if (out.result === 'later') {
      this.counters.rescheduled++;
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
    this.counters.ticks++;
    const key = this.o.config.scheduleKey;
    let kept = 0;
    let handled = 0;
    let lastError: unknown;
    for (;;) {
      if (this.stopped) break; // what is left stays in the set: the reconciler at start re-adds its tick
      const more = await this.exclusive(async () => {
        const now = this.now();
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
          this.handle(e, jobId).catch((err: unknown) => {
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
            this.counters.failedEntries++;
          } else if (out.result === 'later') {
            this.counters.rescheduled++;
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

  private async load(code: string): Promise<DossierState> {
    return (await this.commands.load(code)).state;
  }

  private recordRaise(e: DueEntry): void {
    if (this.raiseLag.length >= 100_000) this.raiseLag.shift();
    this.raiseLag.push(this.now() - e.at);
  }

  /** One due alert, re-checked against the dossier's current stream. */
  private async handle(e: DueEntry, correlationId: string): Promise<EntryOutcome> {
    const out = e.kind === 'deadline' ? await this.deadline(e, correlationId) : await this.dueSoon(e, correlationId);
    if (out.result === 'skipped') this.counters.skipped++;
    if (out.result === 'raised') this.recordRaise(e);
    return out;
  }

  /** Why an open-looking entry no longer applies, if it does not. */
  private stale(state: DossierState, dueAtMs: number): string | undefined {
    if (!isOpen(state)) return 'closed';
    if (!state.dueAt || Date.parse(state.dueAt) !== dueAtMs) return 'due date moved';
    if (state.paused) return 'paused';
    return undefined;
  }

  private async deadline(e: DueEntry, correlationId: string): Promise<EntryOutcome> {
    const { code, dueAtMs } = e;
    const commandId = deadlineMissedCommandId(code, dueAtMs);
    const now = iso(this.now());
    try {
      const out = await this.commands.execute<EntryOutcome>(
        code,
        ({ state }) => {
          const reason = this.stale(state, dueAtMs);
          if (reason) return { result: { result: 'skipped', reason } };
          return { command: { type: 'mark_deadline_missed', now }, inputs: { calendar: calendarForVersion(state.calendarVersion) } };
        },
        {
          origin: { actor: 'system', correlationId, commandId },
          // A clerk wrote meanwhile: decide again on the new state.
          retryOnConflict: 9,
          onRefused: (err, state) => {
            // Due early (clock skew between hosts): handled again at the domain's instant.
            if (err instanceof DeadlineNotPassedError) return { result: 'later', at: overdueFrom(state.dueAt!, calendarForVersion(state.calendarVersion), state.deadline?.unit) };
            if (err instanceof IllegalTransitionError) return { result: 'skipped', reason: err.message };
            return undefined;
          },
        },
      );
      if ('result' in out) return out.result;
      if (!out.duplicate && out.events.length === 0) return { result: 'skipped', reason: 'already marked' };
      if (!out.duplicate) this.counters.raisedMissed++;
      return { result: out.duplicate ? 'duplicate' : 'raised' };
    } catch (err) {
      if (err instanceof WrongExpectedRevisionError) throw new Error(`deadline of ${code}: too many concurrent writes`, { cause: err });
      throw err;
    }
  }

  private async dueSoon(e: DueEntry, correlationId: string): Promise<EntryOutcome> {
    const { code, dueAtMs, at } = e;
    const state = await this.load(code);
    const reason = this.stale(state, dueAtMs);
    if (reason) return { result: 'skipped', reason };
    const now = this.now();
    if (now >= dueAtMs) return { result: 'skipped', reason: 'already due' };
    const agencyCode = state.agencyCode!;
    const dueAt = state.dueAt!;
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
      [{ type: ALERT_DUE_SOON_RAISED, data: data as unknown as Record<string, unknown>, metadata: { actor: 'system', agencyCode, correlationId, commandId } }],
      { expectedRevision: 'any', commandId },
    );
    if (!res.duplicate) this.counters.raisedDueSoon++;
    return { result: res.duplicate ? 'duplicate' : 'raised' };
  }
}
