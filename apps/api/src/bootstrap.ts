import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from '@motcua/platform';
import { DossiersFeature } from './features';
import { createValidationPipe } from './shared/errors/validation';
import { installRequestHooks, setMetrics } from './shared/http/request.middleware';
import { installJsonParser } from './shared/http/json-body.middleware';
import { clientErrorHandler, frameworkErrors } from './shared/http/framework-errors';
import { MetricsService } from './shared/http/metrics';
import { PinoNestLogger } from '@motcua/platform';
import { WireFastifyAdapter } from './shared/command/wire';
import { serveStatic } from './modules/dashboard/static-files';
import type { Server } from 'node:http';
import { IdempotencyStore } from './shared/command/idempotency.store';

/** Static assets (Swagger UI's) through the dashboard's small static handler rather than @fastify/static. */
class ApiFastifyAdapter extends WireFastifyAdapter {
  override useStaticAssets(options: { root: string; prefix?: string }): this {
    const prefix = ('/' + (options.prefix ?? '')).replace(/\/+/g, '/').replace(/\/$/, '');
    serveStatic(this.getInstance(), prefix, options.root, {}, false);
    return this;
  }
}

/** How long a closing server waits for answers in flight before it cuts the connections left. */
const DRAIN_MS = 10_000;

/**
 * Node's `server.close()` closes the keep-alive connections idle at that instant only; one that finishes its
 * answer a moment later (a monitor's browser fetching the dashboard) would hold the process for the whole
 * keep-alive timeout (72 s). While closing, idle connections are closed as they appear, and after DRAIN_MS the
 * rest are cut, so a SIGTERM ends in seconds and no answer in flight is lost before then.
 */
function drainOnClose(server: Server): void {
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    const idle = setInterval(() => server.closeIdleConnections(), 100).unref();
    const cut = setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
    server.once('close', () => {
      clearInterval(idle);
      clearTimeout(cut);
    });
    return close(cb);
  }) as Server['close'];
}

/**
 * Builds the configured HTTP application (not listening yet). Used by main.ts and by the e2e helper,
 * so tests run exactly what production runs.
 */
export async function createApp(config: AppConfig, logger: Logger): Promise<INestApplication> {
  const adapter = new ApiFastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    // As Express routed: `/api/health/` and `/API/Health` are `/api/health` (parameters keep their case).
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false },
    // A path the router cannot read (bad percent-encoding, an over-long parameter): 400 in the one error shape.
    frameworkErrors,
    // What Node's HTTP parser refuses (headers over 16 KiB, a malformed request line): the same shape, raw.
    clientErrorHandler,
  });
  const fastify = adapter.getInstance();
  // Order matters: the correlation id and timing first (so even a parse error has them), then the body.
  installRequestHooks(fastify, logger);
  installJsonParser(fastify, config.bodyLimitBytes);
  drainOnClose(fastify.server);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger, DossiersFeature), adapter, {
    bodyParser: false,
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
    abortOnError: false,
  });
  setMetrics(fastify, app.get(MetricsService));
  // ETag from a body's revision, and first answers of keyed writes stored before they go out (wire.ts).
  adapter.wire = app.get(IdempotencyStore);
  app.setGlobalPrefix('api', { exclude: [{ path: 'metrics', method: RequestMethod.GET }] });
  app.useGlobalPipes(createValidationPipe());
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Motcua API')
      .setDescription('One-stop-shop dossiers: counter commands, reference data, operations. Errors: { error: { code, message, details?, correlationId } }.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs-json' });
  app.enableShutdownHooks();
  return app;
}
