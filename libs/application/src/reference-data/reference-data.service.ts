import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppendResult, EVENT_STORE, EventStore, NewEvent, StoreUnavailableError } from '@motcua/event-store';
import { APP_CONFIG, AppConfig } from '@motcua/platform';
import { CLOCK, Clock, vnDate } from '@motcua/platform';
import { LOGGER } from '@motcua/platform';
import { AGENCY_STREAM, PROCEDURE_STREAM } from '@motcua/reference-data';
import { ReferenceData } from '@motcua/reference-data';

/**
 * Keeps the reference-data read model live: loaded from the two reference streams at start, updated
 * right after each of this instance's writes (read-your-writes), and polled every REFERENCE_POLL_MS for
 * writes made by other instances or the CLI. If the store is down at start the instance still starts;
 * reads answer 503 until the first load succeeds.
 */
@Injectable()
export class ReferenceDataService implements OnModuleInit, OnApplicationShutdown {
  readonly model = new ReferenceData();
  private loaded = false;
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.refresh();
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'reference data not loaded yet; retrying');
    }
    if (this.config.referencePollMs > 0) {
      this.timer = setInterval(() => {
        this.refresh().catch((err) => this.logger.warn({ err: { message: (err as Error).message } }, 'reference data refresh failed'));
      }, this.config.referencePollMs);
      this.timer.unref();
    }
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Today in Viet Nam: the default "as of" date of queries and scope checks. */
  today(): string {
    return vnDate(this.clock.now());
  }

  /** The read model, once loaded; 503 (StoreUnavailableError) before. */
  ready(): ReferenceData {
    if (!this.loaded) throw new StoreUnavailableError('reference data not loaded yet');
    return this.model;
  }

  /** Reads what is new in both streams. Serialised, so concurrent callers never apply an event twice. */
  refresh(): Promise<void> {
    const run = this.chain.then(async () => {
      const a = await this.store.readStream(AGENCY_STREAM, { fromRevision: this.model.agencyStreamRevision + 1 });
      for (const e of a) this.model.applyAgencyEvent({ revision: e.revision, type: e.type, data: e.data, commandId: e.metadata.commandId });
      const p = await this.store.readStream(PROCEDURE_STREAM, { fromRevision: this.model.procedureStreamRevision + 1 });
      for (const e of p) this.model.applyProcedureEvent({ revision: e.revision, type: e.type, data: e.data, commandId: e.metadata.commandId });
      if (!this.loaded) {
        this.loaded = true;
        this.logger.info({ agencies: this.model.allAgencies().length }, 'reference data loaded');
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Appends to a reference stream at the expected stream revision, then brings the model up to date. */
  async append(stream: typeof AGENCY_STREAM | typeof PROCEDURE_STREAM, events: NewEvent[], expectedRevision: number, commandId: string): Promise<AppendResult> {
    const result = await this.store.append(stream, events, { expectedRevision: expectedRevision < 0 ? 'no_stream' : expectedRevision, commandId });
    await this.refresh();
    return result;
  }
}
