/**
 * SLA read API: a thin Nest shell over `SlaQueryService` (libs/read-models). Monitors see their
 * agency's subtree (as the tree stands today); auditors and admins see everything. The read-model
 * store is the configuration's `readModels` (READ_MODELS_*, validated when the process starts).
 */
import {
  applyDecorators,
  BadRequestException,
  Controller,
  ForbiddenException,
  Get,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  Param,
  Query,
} from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@motcua/event-store';
import { InvalidQueryError, isMissingTableError, SlaQueryService, type SqlDb } from '@motcua/read-models';
import { DossierListQueryDto, PeriodQuery, RankingsQueryDto, SlaQueryDto } from './sla-query.dto';
import { ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { ApiError, APP_CONFIG, openReadModels, type AppConfig } from '@motcua/platform';
import { CurrentUser, Roles } from '../shared/auth/decorators';
import type { AuthUser } from '@motcua/platform';

@Injectable()
class SlaAccess implements OnApplicationShutdown {
  private db?: SqlDb;
  private service?: SlaQueryService;
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}
  /** Opened on first use, so the API starts even before the worker created the read store. */
  get q(): SlaQueryService {
    if (!this.service) {
      this.db = openReadModels(this.config);
      this.service = new SlaQueryService({ db: this.db, store: this.store });
    }
    return this.service;
  }
  /** The agency a user may query: the one asked for if within their subtree, else theirs. Reads the read models: call it inside `run`. */
  async scope(user: AuthUser, asked?: string): Promise<string | undefined> {
    if (user.role === 'auditor' || user.role === 'admin') return asked;
    if (!user.agency) throw new ForbiddenException('no agency in token');
    if (!asked || asked === user.agency) return user.agency;
    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    if (!(await this.q.subtree(user.agency, today)).includes(asked)) throw new ForbiddenException(`agency ${asked} is outside your scope`);
    return asked;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof InvalidQueryError) throw new BadRequestException(e.message);
      // The worker creates the read models on its first start: until then there is nothing to read yet.
      if (isMissingTableError(e)) {
        throw new ApiError(503, 'SERVICE_UNAVAILABLE', 'the read models are not built yet (the worker builds them on its first start)', undefined, {
          'Retry-After': '5',
        });
      }
      throw e;
    }
  }
  async onApplicationShutdown(): Promise<void> {
    await this.db?.close();
  }
}

/** The answers of a read-model route, with the one 5xx it documents: before the worker's first start there is nothing to read yet. */
const ReadModelResponses = () =>
  applyDecorators(
    ApiOkResponse({ description: 'read-model figures with their freshness watermark' }),
    ApiResponse({
      status: 503,
      description: 'SERVICE_UNAVAILABLE with Retry-After: the read models are not built yet (the worker builds them on its first start)',
    }),
  );

const by = (v?: string) => {
  if (v === undefined || v === 'agency' || v === 'level' || v === 'procedure') return v ?? 'agency';
  throw new BadRequestException('by must be agency, level or procedure');
};

@Controller()
@Roles('monitor', 'auditor', 'admin')
class SlaController {
  constructor(private readonly a: SlaAccess) {}

  @Get('sla')
  @ReadModelResponses()
  async sla(@CurrentUser() user: AuthUser, @Query() q: SlaQueryDto) {
    return this.a.run(async () => this.a.q.sla({ from: q.from, to: q.to, by: by(q.by), agency: await this.a.scope(user, q.agency) }));
  }

  @Get('agencies/:code/sla')
  @ReadModelResponses()
  async agencySla(@CurrentUser() user: AuthUser, @Param('code') code: string, @Query() q: PeriodQuery) {
    return this.a.run(async () => {
      await this.a.scope(user, code);
      return this.a.q.agencySla(code, { from: q.from, to: q.to });
    });
  }

  @Get('rankings')
  @ReadModelResponses()
  async rankings(@CurrentUser() user: AuthUser, @Query() q: RankingsQueryDto) {
    return this.a.run(async () => this.a.q.ranking({ from: q.from, to: q.to, level: q.level, parent: await this.a.scope(user, q.parent) }));
  }

  /** `GET /api/dossiers?agency=&status=&overdue=&dueBefore=&cursor=&limit=` (no `:code`: the command module owns that). */
  @Get('dossiers')
  @Roles('clerk', 'monitor', 'auditor', 'admin')
  @ReadModelResponses()
  async dossiers(@CurrentUser() user: AuthUser, @Query() q: DossierListQueryDto) {
    const { agency, status, overdue, dueBefore, cursor, limit } = q;
    return this.a.run(async () =>
      this.a.q.dossiers({
        agency: user.role === 'clerk' ? await this.a.scope({ ...user, role: 'monitor' }, agency) : await this.a.scope(user, agency),
        status,
        overdue: overdue === undefined ? undefined : overdue === 'true' || overdue === '1',
        dueBefore,
        cursor,
        limit: limit ? Number(limit) : undefined,
      }),
    );
  }
}

@Module({
  controllers: [SlaController],
  providers: [SlaAccess],
})
export class SlaModule {}
