/**
 * SLA read API: a thin Nest shell over `SlaQueryService` (libs/read-models). Monitors see their
 * agency's subtree (as the tree stands today); auditors and admins see everything. The read-model
 * store is the configuration's `readModels` (READ_MODELS_*, validated when the process starts).
 */
import { BadRequestException, Controller, ForbiddenException, Get, Inject, Injectable, Module, OnApplicationShutdown, Param, Query } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@motcua/event-store';
import { InvalidQueryError, SlaQueryService, type SqlDb } from '@motcua/read-models';
import { DossierListQueryDto, PeriodQuery, RankingsQueryDto, SlaQueryDto } from './sla-query.dto';
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
  /** The agency a user may query: the one asked for if within their subtree, else theirs. */
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
      // Matched on the message, not `instanceof Error`: better-sqlite3's native addon keeps the SqliteError class of
      // the first realm that loaded it, which under Jest is another test file's.
      const message = typeof (e as { message?: unknown })?.message === 'string' ? (e as { message: string }).message : '';
      if (/no such table|relation "?[\w.]+"? does not exist/.test(message)) {
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

const by = (v?: string) => {
  if (v === undefined || v === 'agency' || v === 'level' || v === 'procedure') return v ?? 'agency';
  throw new BadRequestException('by must be agency, level or procedure');
};

@Controller()
@Roles('monitor', 'auditor', 'admin')
class SlaController {
  constructor(private readonly a: SlaAccess) {}

  @Get('sla')
  async sla(@CurrentUser() user: AuthUser, @Query() q: SlaQueryDto) {
    const scoped = await this.a.scope(user, q.agency);
    return this.a.run(() => this.a.q.sla({ from: q.from, to: q.to, by: by(q.by), agency: scoped }));
  }

  @Get('agencies/:code/sla')
  async agencySla(@CurrentUser() user: AuthUser, @Param('code') code: string, @Query() q: PeriodQuery) {
    await this.a.scope(user, code);
    return this.a.run(() => this.a.q.agencySla(code, { from: q.from, to: q.to }));
  }

  @Get('rankings')
  async rankings(@CurrentUser() user: AuthUser, @Query() q: RankingsQueryDto) {
    const scoped = await this.a.scope(user, q.parent);
    return this.a.run(() => this.a.q.ranking({ from: q.from, to: q.to, level: q.level, parent: scoped }));
  }

  /** `GET /api/dossiers?agency=&status=&overdue=&dueBefore=&cursor=&limit=` (no `:code`: the command module owns that). */
  @Get('dossiers')
  @Roles('clerk', 'monitor', 'auditor', 'admin')
  async dossiers(@CurrentUser() user: AuthUser, @Query() q: DossierListQueryDto) {
    const { agency, status, overdue, dueBefore, cursor, limit } = q;
    const scoped = user.role === 'clerk' ? await this.a.scope({ ...user, role: 'monitor' }, agency) : await this.a.scope(user, agency);
    return this.a.run(() =>
      this.a.q.dossiers({
        agency: scoped,
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
