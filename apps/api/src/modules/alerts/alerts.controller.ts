import { type BeforeApplicationShutdown, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Logger } from 'pino';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AlertView, FeedRow } from '@motcua/alerts';
import { AgencyScope } from '@motcua/application';
import type { AuthUser } from '@motcua/platform';
import { CurrentUser, Public, Roles } from '../../shared/auth/decorators';
import { APP_CONFIG, JwtVerifier, LOGGER, type AppConfig } from '@motcua/platform';
import { ApiError } from '@motcua/platform';
import type { Request } from '../../shared/http/http-types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AlertsService, type FeedClient } from './alerts.service';

const READERS = ['monitor', 'auditor', 'admin'] as const;
const POSITION_RE = /^\d{1,40}$/;
const HEARTBEAT_MS = 15_000;

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('alerts')
export class AlertsController implements BeforeApplicationShutdown {
  /** Open live streams per token subject (this process). */
  private readonly streams = new Map<string, number>();
  /** Ends each open stream: called when the process shuts down. */
  private readonly enders = new Set<() => void>();

  /**
   * SIGTERM (a deploy, a scale-in): the open streams end before the server closes, so their connections do
   * not hold the process; each browser reconnects (after the stream's `retry`) to another instance with
   * Last-Event-ID and misses nothing.
   */
  beforeApplicationShutdown(): void {
    for (const end of [...this.enders]) end();
  }

  constructor(
    private readonly alerts: AlertsService,
    private readonly scope: AgencyScope,
    private readonly verifier: JwtVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: "Alerts of the caller's agencies (a monitor: its agency subtree), newest first" })
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'acknowledged'] })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async list(@CurrentUser() user: AuthUser, @Query('status') status?: string, @Query('limit') limit?: string): Promise<{ items: AlertView[] }> {
    if (status !== undefined && status !== 'open' && status !== 'acknowledged') {
      throw ApiError.validation([{ field: 'status', message: 'status must be open or acknowledged' }]);
    }
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw ApiError.validation([{ field: 'limit', message: 'limit must be an integer 1..1000' }]);
    return { items: await this.alerts.list(this.scope.readableAgencies(user), status, n) };
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Roles('monitor')
  @ApiOperation({ summary: 'A monitor acknowledges an alert (recorded as alert.acknowledged.v1; the first acknowledgement wins)' })
  async acknowledge(@Param('id') id: string, @CurrentUser() user: AuthUser, @Req() req: Request & { correlationId?: string }) {
    const alert = await this.alerts.get(id);
    // Outside the monitor's subtree an alert does not exist for it.
    if (!alert || !this.scope.canRead(user, alert.agencyCode)) throw ApiError.notFound(`alert ${id} not found`);
    return this.alerts.acknowledge(alert, user.sub, req.correlationId ?? id);
  }

  /**
   * Server-Sent Events: `event: alert` (raised) and `event: alert-acknowledged`, `id:` = global log
   * position. Resumes after `Last-Event-ID` (header, or `lastEventId` query for a fresh EventSource).
   * Auth: `Authorization: Bearer` or `?access_token=` (EventSource cannot send headers; the access log
   * never records query strings). The stream ends when its token expires (an `event: token-expired` first,
   * so the page can ask for a new token instead of streaming on), a principal may hold
   * SSE_MAX_STREAMS_PER_PRINCIPAL streams at once (429 past it), and each stream's opening and end are
   * access-logged with its actor and duration.
   */
  @Get('stream')
  @Public()
  @ApiOperation({ summary: 'Live alerts (SSE), filtered to the caller agencies; resumable with Last-Event-ID' })
  @ApiQuery({ name: 'access_token', required: false, description: 'The bearer token, for an EventSource (which cannot send headers)' })
  @ApiQuery({ name: 'lastEventId', required: false, description: 'Resume after this global position (as the Last-Event-ID header)' })
  async stream(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('access_token') queryToken?: string,
    @Query('lastEventId') queryLast?: string,
  ): Promise<void> {
    const req = request.raw;
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
    const token = m?.[1] ?? queryToken;
    if (!token) throw new ApiError(401, 'UNAUTHENTICATED', 'bearer token required', undefined, { 'WWW-Authenticate': 'Bearer' });
    const user = await this.verifier.verify(token);
    if (!(READERS as readonly string[]).includes(user.role)) throw ApiError.forbidden(`role '${user.role}' may not do this (needs ${READERS.join(' or ')})`);
    const rawLast = (req.headers['last-event-id'] as string | undefined) ?? queryLast;
    if (rawLast !== undefined && rawLast !== '' && !POSITION_RE.test(rawLast)) {
      throw ApiError.validation([{ field: 'Last-Event-ID', message: 'must be a global position (decimal digits)' }]);
    }
    await this.alerts.ready(); // fail with a JSON 503 before the event stream starts
    const open = this.streams.get(user.sub) ?? 0;
    if (open >= this.config.sseMaxStreamsPerPrincipal) {
      throw new ApiError(429, 'RATE_LIMITED', `at most ${this.config.sseMaxStreamsPerPrincipal} live alert streams per user at once`, undefined, {
        'Retry-After': '30',
      });
    }
    const expiresInMs = (user.exp ?? 0) * 1000 - Date.now();
    if (expiresInMs <= 0) throw new ApiError(401, 'UNAUTHENTICATED', 'token expired');
    this.streams.set(user.sub, open + 1);
    const openedAt = Date.now();
    const access = { actor: user.sub, role: user.role, agency: user.agency, route: '/api/alerts/stream' };
    this.logger.info({ ...access, event: 'stream-open' }, 'alert stream opened');
    const client: FeedClient = {
      canSee: (agencyCode) => this.scope.canRead(user, agencyCode),
      lastSent: '',
      buffer: null,
      write: (row: FeedRow) => {
        res.write(`id: ${row.position}\nevent: ${row.type}\ndata: ${JSON.stringify(row.alert)}\n\n`);
      },
    };
    reply.hijack();
    const res = reply.raw;
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    let closed = false;
    let remove = () => {};
    const close = (reason: 'client' | 'token-expired' | 'shutdown') => {
      if (closed) return;
      closed = true;
      clearInterval(beat);
      clearTimeout(expiry);
      this.enders.delete(endForShutdown);
      remove();
      const n = (this.streams.get(user.sub) ?? 1) - 1;
      if (n > 0) this.streams.set(user.sub, n);
      else this.streams.delete(user.sub);
      this.logger.info({ ...access, event: 'stream-close', reason, ms: Date.now() - openedAt }, 'alert stream closed');
    };
    const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    // At most a 32-bit timer's reach; a longer-lived token is checked again by the next connection.
    const expiry = setTimeout(
      () => {
        res.write('event: token-expired\ndata: {}\n\n');
        res.end();
        close('token-expired');
      },
      Math.min(expiresInMs, 2_147_000_000),
    );
    const endForShutdown = () => {
      res.end();
      close('shutdown');
    };
    this.enders.add(endForShutdown);
    req.on('close', () => close('client'));
    try {
      remove = await this.alerts.connect(client, rawLast ? rawLast : undefined);
    } catch (err) {
      // The response is already an event stream: end it (the browser reconnects with Last-Event-ID).
      this.logger.warn({ ...access, err: { message: (err as Error).message } }, 'alert stream could not start');
      close('client');
      res.end();
      return;
    }
    if (closed) remove();
  }
}
