/**
 * Admin routes of the projections:
 *   POST /api/admin/projections/rebuild             -> 202 { id, status, ... } + Location; 409 while one runs
 *   GET  /api/admin/projections/rebuild/:id         -> the job: status, phase, events, position, head, rate
 *   GET  /api/admin/projections/rebuild/:id/events  -> the same as server-sent events until it ends
 *   GET  /api/admin/projections                     -> active table set, checkpoint, watermark, quarantine counts
 * The rebuild is blue/green (`rebuildSla`): it writes a new table set and swaps it in when caught up,
 * so the old tables serve every query until that commit. It runs in this API instance with its own
 * read-model connection (the configuration's `readModels`, READ_MODELS_*, as the worker's); jobs are kept in memory (the last 20),
 * and a shutdown aborts a running one (its half-built table set is dropped by the next rebuild).
 */
import { Controller, Get, HttpCode, Inject, Injectable, Module, OnApplicationShutdown, Param, Post, Res, Sse, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { ulid } from 'ulid';
import type { Logger } from 'pino';
import { EVENT_STORE, type EventStore } from '@motcua/event-store';
import {
  activeSet,
  createReadModelDb,
  isMissingTableError,
  QUARANTINE,
  rebuildSla,
  SlaQueryService,
  type QuarantineReader,
  type ReadModelDbConfig,
  type RebuildProgress,
  type SqlDb,
} from '@motcua/read-models';
import { ApiError, APP_CONFIG, type AppConfig } from '@motcua/platform';
import { CurrentUser, Roles } from '../../shared/auth/decorators';
import type { AuthUser } from '@motcua/platform';
import { LOGGER } from '@motcua/platform';
import { QuarantineModule } from '../quarantine/quarantine.module';

/** Where the admin routes open the read models; a provider so tests can point it elsewhere. */
export const PROJECTIONS_READ_MODEL_CONFIG = Symbol.for('motcua.ProjectionsReadModelConfig');

export type RebuildStatus = 'running' | 'succeeded' | 'failed';

export interface RebuildJob {
  id: string;
  status: RebuildStatus;
  requestedBy: string;
  startedAt: string;
  endedAt: string | null;
  phase: RebuildProgress['phase'] | 'starting';
  events: number;
  /** Events this rebuild newly quarantined. */
  quarantined: number;
  position: string;
  headPosition: string | null;
  eventsPerSecond: number;
  tableSet: string | null;
  previousTableSet: string | null;
  error: string | null;
}

const KEEP_JOBS = 20;

@Injectable()
export class ProjectionRebuilds implements OnApplicationShutdown {
  private readonly jobs = new Map<string, RebuildJob>();
  private readonly listeners = new Map<string, Set<(j: RebuildJob) => void>>();
  private running?: { id: string; abort: AbortController; done: Promise<void> };

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTIONS_READ_MODEL_CONFIG) private readonly config: ReadModelDbConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(QUARANTINE) private readonly quarantine: QuarantineReader,
  ) {}

  get(id: string): RebuildJob | undefined {
    const j = this.jobs.get(id);
    return j && { ...j };
  }

  /** Starts a rebuild in the background; throws 409 when one is running in this instance. */
  start(user: AuthUser): RebuildJob {
    if (this.running) throw ApiError.conflict(`a rebuild is running: ${this.running.id}`, { rebuildId: this.running.id });
    const id = ulid();
    const job: RebuildJob = {
      id,
      status: 'running',
      requestedBy: user.sub,
      startedAt: new Date().toISOString(),
      endedAt: null,
      phase: 'starting',
      events: 0,
      quarantined: 0,
      position: '',
      headPosition: null,
      eventsPerSecond: 0,
      tableSet: null,
      previousTableSet: null,
      error: null,
    };
    this.jobs.set(id, job);
    for (const old of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEEP_JOBS))) this.jobs.delete(old);
    const abort = new AbortController();
    const done = this.run(job, abort.signal).finally(() => (this.running = undefined));
    this.running = { id, abort, done };
    return { ...job };
  }

  private async run(job: RebuildJob, signal: AbortSignal): Promise<void> {
    const log = this.logger.child({ rebuildId: job.id });
    let db: SqlDb | undefined;
    try {
      db = createReadModelDb(this.config);
      log.info({ requestedBy: job.requestedBy }, 'projection rebuild started');
      const r = await rebuildSla({
        store: this.store,
        db,
        signal,
        onQuarantined: (q) => {
          for (const e of q)
            log.error(
              { event: 'event-quarantined', quarantine: e },
              `event quarantined by ${e.consumer}: ${e.eventType} ${e.streamId}@${e.revision}: ${e.reason}`,
            );
        },
        onProgress: (p) => {
          Object.assign(job, {
            phase: p.phase,
            events: p.events,
            position: p.position,
            headPosition: p.headPosition ?? null,
            eventsPerSecond: Math.round(p.eventsPerSecond),
            tableSet: p.tableSet,
          });
          this.emit(job);
        },
      });
      Object.assign(job, {
        status: 'succeeded',
        phase: 'done',
        events: r.events,
        quarantined: r.quarantined,
        position: r.position,
        tableSet: r.tableSet,
        previousTableSet: r.previousTableSet ?? null,
      });
      log.info({ tableSet: r.tableSet, events: r.events, ms: Math.round(r.elapsedMs) }, 'projection rebuild swapped in');
    } catch (err) {
      Object.assign(job, { status: 'failed', error: (err as Error).message });
      log.error({ err }, 'projection rebuild failed');
    } finally {
      job.endedAt = new Date().toISOString();
      await db?.close().catch(() => undefined);
      this.emit(job);
    }
  }

  private emit(job: RebuildJob): void {
    for (const l of this.listeners.get(job.id) ?? []) l({ ...job });
  }

  /** Progress of one job as it happens: the current state first, then every change, until it ends. */
  watch(id: string): Observable<RebuildJob> {
    return new Observable<RebuildJob>((sub) => {
      const job = this.jobs.get(id);
      if (!job) {
        sub.error(ApiError.notFound(`no rebuild ${id}`));
        return;
      }
      sub.next({ ...job });
      if (job.status !== 'running') {
        sub.complete();
        return;
      }
      const l = (j: RebuildJob) => {
        sub.next(j);
        if (j.status !== 'running') sub.complete();
      };
      let set = this.listeners.get(id);
      if (!set) this.listeners.set(id, (set = new Set()));
      set.add(l);
      return () => {
        set.delete(l);
        if (set.size === 0) this.listeners.delete(id);
      };
    });
  }

  /** The active table set and its watermark; both null before the worker's first start (no read models yet). */
  async status() {
    const db = createReadModelDb(this.config);
    try {
      const active = await activeSet(db).catch((e: unknown) => {
        if (isMissingTableError(e)) return undefined;
        throw e;
      });
      const watermark = active ? await new SlaQueryService({ db, store: this.store }).watermark() : null;
      // The operator's signal that something was set aside (details: GET /api/admin/quarantine).
      const counts = await this.quarantine.counts();
      const quarantine = { total: Object.values(counts).reduce((a, b) => a + b, 0), counts, link: '/api/admin/quarantine' };
      return { active: active ?? null, watermark, quarantine, rebuild: this.running ? this.get(this.running.id) : null };
    } finally {
      await db.close();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const r = this.running;
    if (!r) return;
    r.abort.abort();
    await r.done.catch(() => undefined);
  }
}

@Controller('admin/projections')
@Roles('admin')
class ProjectionsAdminController {
  constructor(private readonly rebuilds: ProjectionRebuilds) {}

  @Get()
  status() {
    return this.rebuilds.status();
  }

  @Post('rebuild')
  @HttpCode(202)
  rebuild(@CurrentUser() user: AuthUser, @Res({ passthrough: true }) res: { header(name: string, value: string): unknown }) {
    const job = this.rebuilds.start(user);
    res.header('Location', `/api/admin/projections/rebuild/${job.id}`);
    return { ...job, links: { self: `/api/admin/projections/rebuild/${job.id}`, events: `/api/admin/projections/rebuild/${job.id}/events` } };
  }

  @Get('rebuild/:id')
  job(@Param('id') id: string) {
    const job = this.rebuilds.get(id);
    if (!job) throw ApiError.notFound(`no rebuild ${id}`);
    return job;
  }

  /** Server-sent events: `progress` while running, then one `end` event with the final state. */
  @Sse('rebuild/:id/events')
  events(@Param('id') id: string): Observable<MessageEvent> {
    if (!this.rebuilds.get(id)) throw ApiError.notFound(`no rebuild ${id}`);
    return new Observable<MessageEvent>((sub) =>
      this.rebuilds.watch(id).subscribe({
        next: (j) => sub.next({ type: j.status === 'running' ? 'progress' : 'end', data: j }),
        error: (e) => sub.error(e),
        complete: () => sub.complete(),
      }),
    );
  }
}

@Module({
  imports: [QuarantineModule],
  controllers: [ProjectionsAdminController],
  providers: [ProjectionRebuilds, { provide: PROJECTIONS_READ_MODEL_CONFIG, inject: [APP_CONFIG], useFactory: (config: AppConfig) => config.readModels }],
})
export class ProjectionsAdminModule {}
