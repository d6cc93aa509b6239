import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import {
  auditReplay,
  BrokenChainsError,
  checkSeal,
  DossierNotFoundError,
  dossierStateAt,
  InvalidPointInTimeError,
  NoLiveReadModelError,
  readDossierHistory,
  recordAccess,
  sealStore,
  slaReport,
  verifyStore,
  verifyStream,
  type AccessRecord,
  type PointInTime,
  type SlaReportQuery,
  type StoreSeal,
} from '@motcua/audit';
import { EVENT_STORE, type EventStore } from '@motcua/event-store';
import { InvalidQueryError, type SqlDb } from '@motcua/read-models';
import { APP_CONFIG, auditScratch, openReadModels, type AppConfig } from '@motcua/platform';
import { CLOCK, type Clock } from '@motcua/platform';
import type { AuthUser } from '@motcua/platform';
import { ApiError } from '@motcua/platform';
import { correlationIdOf } from '../../shared/logging/request-context';

/**
 * The auditors' use cases over the audit library. Reads only, except the access record each one
 * appends first (libs/audit/src/access-log.ts): a look that could not be recorded is refused.
 */
@Injectable()
export class AuditService implements OnApplicationShutdown {
  private live?: SqlDb;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private liveDb(): SqlDb {
    return (this.live ??= openReadModels(this.config));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.live?.close();
  }

  async record(user: AuthUser, rec: Omit<AccessRecord, 'actor' | 'role' | 'correlationId'>): Promise<void> {
    await recordAccess(this.store, { ...rec, actor: user.sub, role: user.role, correlationId: correlationIdOf(user) }, this.clock.now());
  }

  history(code: string) {
    return readDossierHistory(this.store, code).catch(mapError);
  }

  state(code: string, at: PointInTime) {
    return dossierStateAt(this.store, code, at).catch(mapError);
  }

  verify(stream?: string) {
    return stream ? verifyStream(this.store, stream) : verifyStore(this.store);
  }

  seal() {
    return sealStore(this.store, this.clock.now()).catch(mapError);
  }

  checkSeal(seal: StoreSeal) {
    return checkSeal(this.store, seal);
  }

  async replay() {
    const live = this.liveDb();
    const scratch = await auditScratch(live, this.config)('replay');
    try {
      return await auditReplay({ store: this.store, live, scratch: scratch.db }).catch(mapError);
    } finally {
      await scratch.dispose();
    }
  }

  sla(query: SlaReportQuery) {
    return slaReport({ store: this.store, scratch: auditScratch(this.liveDb(), this.config), query }).catch(mapError);
  }
}

function mapError(err: unknown): never {
  if (err instanceof DossierNotFoundError) throw ApiError.notFound(err.message);
  if (err instanceof InvalidPointInTimeError || err instanceof InvalidQueryError) throw ApiError.validation([{ field: 'query', message: err.message }]);
  if (err instanceof NoLiveReadModelError) throw ApiError.notFound(err.message);
  if (err instanceof BrokenChainsError) throw new ApiError(409, 'BROKEN_HASH_CHAINS', err.message, undefined, undefined, { broken: err.broken });
  throw err;
}
