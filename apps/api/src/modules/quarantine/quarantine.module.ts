/**
 * The quarantine, for admins: what the worker's consumers set aside because they could not process it (an
 * event the current code cannot read, or a read-model row derived from one), with the reason, so that an
 * operator sees it, fixes the cause (a new build, a correcting event) and explains the figures.
 *   GET /api/admin/quarantine?consumer=&limit=&cursor=  -> { items (log order), nextCursor, counts, total }
 * Read through the `QUARANTINE` port, bound to the deployment's quarantine tables (read models and alerts
 * database, `openQuarantine` of the platform). `events_quarantined{consumer}` in /metrics is the same count,
 * read at each scrape: a durable signal for alerting rules (the worker's log line and counter are per run).
 */
import { Controller, Get, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Gauge } from 'prom-client';
import { InvalidQuarantineCursorError, QUARANTINE, type QuarantineReader } from '@motcua/read-models';
import { ApiError, APP_CONFIG, openQuarantine, type AppConfig, type OpenedQuarantine } from '@motcua/platform';
import { Roles } from '../../shared/auth/decorators';
import { MetricsService } from '../../shared/http/metrics';
import { QuarantinePageView, QuarantineQueryDto } from './quarantine.dto';

/** The opened quarantine tables (connections closed at shutdown); `QUARANTINE` is its reader. */
const OPENED_QUARANTINE = Symbol.for('motcua.OpenedQuarantine');

@Injectable()
class QuarantineLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(OPENED_QUARANTINE) private readonly opened: OpenedQuarantine,
    @Inject(QUARANTINE) private readonly reader: QuarantineReader,
    private readonly metrics: MetricsService,
  ) {}

  /** `events_quarantined{consumer}` in /metrics: the rows, counted at each scrape. */
  onModuleInit(): void {
    const reader = this.reader;
    new Gauge({
      name: 'events_quarantined',
      help: 'Events (or read-model rows derived from them) set aside because a consumer could not process them, by consumer (GET /api/admin/quarantine)',
      labelNames: ['consumer'],
      registers: [this.metrics.registry],
      // API_PROCESSES > 1: every process reads the same tables; the primary keeps one value, not the sum.
      aggregator: 'max',
      async collect() {
        try {
          const counts = await Promise.race([reader.counts(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000).unref())]);
          this.reset();
          for (const [consumer, n] of Object.entries(counts)) this.set({ consumer }, n);
        } catch {
          this.reset(); // a database down: no figures rather than stale ones
        }
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.opened.close();
  }
}

@ApiTags('operations')
@ApiBearerAuth()
@Controller('admin/quarantine')
@Roles('admin')
class QuarantineController {
  constructor(@Inject(QUARANTINE) private readonly quarantine: QuarantineReader) {}

  @Get()
  @ApiOperation({
    summary: 'Events the worker set aside because it could not process them (quarantine), in log order',
    description:
      'Each row: the consumer (sla_v3: SLA projection; alerts_v1: alerts read model; alert-schedule: deadline schedule; deadline-process: ' +
      'deadline process manager), the event (stream, revision, position, type), the reason and when it was first seen. A quarantined event ' +
      'is listed once per consumer however often the worker restarts. What happens to the dossier is in docs/reliability.md.',
  })
  @ApiOkResponse({ type: QuarantinePageView })
  async list(@Query() q: QuarantineQueryDto): Promise<QuarantinePageView> {
    try {
      const [page, counts] = await Promise.all([
        this.quarantine.list({ consumer: q.consumer, limit: q.limit === undefined ? 100 : Number(q.limit), cursor: q.cursor }),
        this.quarantine.counts(),
      ]);
      return { ...page, counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
    } catch (err) {
      if (err instanceof InvalidQuarantineCursorError) throw ApiError.validation([{ field: 'cursor', message: err.message }]);
      throw err;
    }
  }
}

@Module({
  controllers: [QuarantineController],
  providers: [
    { provide: OPENED_QUARANTINE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => openQuarantine(config) },
    { provide: QUARANTINE, inject: [OPENED_QUARANTINE], useFactory: (opened: OpenedQuarantine) => opened.reader },
    QuarantineLifecycle,
  ],
  exports: [QUARANTINE],
})
export class QuarantineModule {}
