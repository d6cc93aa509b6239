/**
 * The API side of deadline alerts: reads the alerts read model (written by the worker into the alerts
 * database), records acknowledgements as events, and feeds Server-Sent Events.
 *
 * Fan-out across API instances: the worker publishes the position of each batch with new feed rows on
 * the Redis channel `<REDIS_KEY_PREFIX>alerts:feed`. Every instance subscribes (pub/sub reaches all of
 * them) and then reads the feed TABLE from its own cursor, so the message is only a wake-up: a message
 * lost while Redis restarts is made up by the ALERT_FEED_POLL_MS poll, and each instance delivers every
 * alert to its own clients exactly in log order.
 */
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { EVENT_STORE, type EventStore } from '@motcua/event-store';
import type { SqlDb } from '@motcua/read-models';
import {
  ALERT_ACKNOWLEDGED,
  acknowledgeCommandId,
  alertStreamId,
  DEADLINE_QUEUE,
  feedHead,
  getAlert,
  openAlertsDb,
  positionKey,
  queryAlerts,
  readFeed,
  type AcknowledgedData,
  type AlertsConfig,
  type AlertView,
  type FeedRow,
} from '@motcua/alerts';
import { StoreUnavailableError } from '@motcua/event-store';
import { APP_CONFIG, type AppConfig } from '@motcua/platform';
import { CLOCK, type Clock } from '@motcua/platform';
import { LOGGER } from '@motcua/platform';
import { MetricsService } from '../../shared/http/metrics';

export interface FeedClient {
  /**
   * Whether this client may see alerts of an agency. Asked at each send, not snapshotted at connect:
   * the agency tree changes (a commune registered or re-parented later still reaches its monitors), and
   * another instance's reference data may reach this one a moment after the client connected.
   */
  canSee(agencyCode: string): boolean;
  /** Last position written to this client. */
  lastSent: string;
  /** Rows arriving while the client replays from the table. */
  buffer: FeedRow[] | null;
  write(row: FeedRow): void;
}

const after = (a: string, b: string) => !b || (a !== '' && BigInt(a) > BigInt(b));

@Injectable()
export class AlertsService implements OnModuleInit, OnApplicationShutdown {
  readonly config: AlertsConfig;
  private db?: SqlDb;
  private opening?: Promise<SqlDb>;
  private subscriber?: Redis;
  private queueRedis?: Redis;
  private queue?: Queue;
  private timer?: NodeJS.Timeout;
  private cursor = '';
  private pumping?: Promise<void>;
  private pumpAgain = false;
  private readonly clients = new Set<FeedClient>();

  constructor(
    @Inject(APP_CONFIG) private readonly app: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
  ) {
    this.config = app.alerts;
  }

  async onModuleInit(): Promise<void> {
    try {
      const db = await this.database();
      this.cursor = await feedHead(db);
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'alerts database not available yet');
    }
    this.subscriber = new Redis(this.app.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', () => this.pump());
    this.subscriber
      .connect()
      .then(() => this.subscriber!.subscribe(this.config.feedChannel))
      .catch(() => undefined);
    this.timer = setInterval(() => this.pump(), this.config.feedPollMs);
    this.timer.unref();
    this.registerMetrics();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.subscriber?.disconnect();
    await this.queue?.close().catch(() => undefined);
    this.queueRedis?.disconnect();
    await this.pumping?.catch(() => undefined);
    await this.db?.close();
  }

  /** Resolves when the alerts database is open (503 otherwise). */
  async ready(): Promise<void> {
    await this.database();
  }

  private async database(): Promise<SqlDb> {
    if (this.db) return this.db;
    this.opening ??= openAlertsDb(this.config.db)
      .then((db) => (this.db = db))
      .finally(() => (this.opening = undefined));
    try {
      return await this.opening;
    } catch (err) {
      throw new StoreUnavailableError(`alerts database unavailable: ${(err as Error).message}`);
    }
  }

  /** BullMQ queue counts in the API's /metrics (waiting, delayed, active, failed). */
  private registerMetrics(): void {
    // prom-client calls collect() with the gauge as `this`: the service is reached through `self`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    // Its own connection (queued commands while connecting; the collect timeout covers Redis being down).
    this.queueRedis = new Redis(this.app.redisUrl, { maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 200, 2000) });
    this.queueRedis.on('error', () => undefined);
    this.queue = new Queue(DEADLINE_QUEUE, { connection: this.queueRedis, prefix: this.config.bullPrefix, skipWaitingForReady: true });
    this.queue.on('error', () => undefined);
    new Gauge({
      name: 'alerts_queue_jobs',
      help: 'BullMQ deadline queue jobs by state',
      labelNames: ['state'],
      registers: [this.metrics.registry],
      async collect() {
        try {
          const counts = await Promise.race([
            self.queue!.getJobCounts('waiting', 'delayed', 'active', 'failed'),
            new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000).unref()),
          ]);
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        } catch {
          this.reset(); // Redis down: no figures rather than stale ones
        }
      },
    });
  }

  async list(agencies: 'all' | string[], status: 'open' | 'acknowledged' | undefined, limit: number): Promise<AlertView[]> {
    return queryAlerts(await this.database(), { agencies, status, limit });
  }

  async get(id: string): Promise<AlertView | undefined> {
    return getAlert(await this.database(), id);
  }

  /**
   * Records `alert.acknowledged.v1` on the agency's alert stream. The command id is per alert, so the
   * first acknowledgement wins and a repeat (by anyone) returns it instead of writing a second one.
   */
  async acknowledge(alert: AlertView, by: string, correlationId: string): Promise<AlertView & { acknowledgementPosition: string }> {
    const commandId = acknowledgeCommandId(alert.id);
    const data: AcknowledgedData = { alertId: alert.id, by, occurredAt: this.clock.now().toISOString() };
    const streamId = alertStreamId(alert.agencyCode);
    const res = await this.store.append(
      streamId,
      [
        {
          type: ALERT_ACKNOWLEDGED,
          data: data as unknown as Record<string, unknown>,
          metadata: { actor: by, agencyCode: alert.agencyCode, correlationId, commandId },
        },
      ],
      { expectedRevision: 'any', commandId },
    );
    let recorded = data;
    if (res.duplicate) {
      const [e] = await this.store.readStream(streamId, { fromRevision: res.nextExpectedRevision, maxCount: 1 });
      recorded = e.data as unknown as AcknowledgedData;
    }
    return { ...alert, status: 'acknowledged', acknowledgedBy: recorded.by, acknowledgedAt: recorded.occurredAt, acknowledgementPosition: res.position };
  }

  // ------------------------------------------------------------------ SSE feed

  /** Registers a client, replays what it missed after `lastEventId`, then hands it to the live pump. */
  async connect(client: FeedClient, lastEventId: string | undefined): Promise<() => void> {
    const db = await this.database();
    client.buffer = [];
    client.lastSent = lastEventId ?? this.cursor;
    this.clients.add(client);
    const remove = () => this.clients.delete(client);
    try {
      if (lastEventId !== undefined) {
        // Its own cursor: rows the client may not see do not move `lastSent`.
        let cursor = client.lastSent;
        for (;;) {
          const rows = await readFeed(db, cursor, 500);
          for (const r of rows) {
            cursor = r.position;
            this.send(client, r);
          }
          if (rows.length < 500) break;
        }
      }
      const buffered = client.buffer;
      client.buffer = null;
      for (const r of buffered) this.send(client, r);
    } catch (err) {
      remove();
      throw err;
    }
    return remove;
  }

  private send(client: FeedClient, row: FeedRow): void {
    if (!after(row.position, client.lastSent)) return;
    if (!client.canSee(row.alert.agencyCode)) return;
    client.lastSent = row.position;
    client.write(row);
  }

  /** Reads new feed rows (serialised) and offers them to every client. */
  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = (async () => {
      do {
        this.pumpAgain = false;
        const db = await this.database();
        for (;;) {
          const rows = await readFeed(db, this.cursor, 500);
          for (const r of rows) {
            this.cursor = r.position;
            for (const c of this.clients) {
              if (c.buffer) c.buffer.push(r);
              else this.send(c, r);
            }
          }
          if (rows.length < 500) break;
        }
      } while (this.pumpAgain);
    })()
      .catch((err) => this.logger.warn({ err: { message: (err as Error).message } }, 'alerts feed pump failed'))
      .finally(() => (this.pumping = undefined));
  }

  /** For tests and health: position of the newest feed row this instance has read. */
  get feedCursor(): string {
    return this.cursor;
  }
}

export { positionKey };
