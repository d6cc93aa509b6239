import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { DossiersFeature } from './features';
import { createValidationPipe } from './shared/errors/validation';
import { requestMiddleware } from './shared/http/request.middleware';
import { jsonDepthMiddleware } from './shared/http/json-depth.middleware';
import { fastJsonBody } from './shared/http/json-body.middleware';
import { MetricsService } from './shared/http/metrics';
import { PinoNestLogger } from './shared/logging/logger';
import { installWireResponse } from './shared/command/wire';
import { IdempotencyStore } from './shared/command/idempotency.store';

/**
 * Builds the configured HTTP application (not listening yet). Used by main.ts and by the e2e helper,
 * so tests run exactly what production runs.
 */
export async function createApp(config: AppConfig, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger, DossiersFeature), {
    bodyParser: false,
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
    abortOnError: false,
  });
  app.set('trust proxy', false);
  app.disable('x-powered-by');
  // ETag from a body's revision, and first answers of keyed writes stored before they go out (wire.ts).
  installWireResponse(app.getHttpAdapter().getInstance().response, app.get(IdempotencyStore));
  // Order matters: the correlation id and timing first (so even a parse error has them), then the body.
  app.use(requestMiddleware(logger, app.get(MetricsService)));
  // The common JSON body is read by fastJsonBody; everything else by the JSON body parser, as before.
  app.use(fastJsonBody(config.bodyLimitBytes));
  app.useBodyParser('json', { limit: config.bodyLimitBytes, strict: true });
  app.use(jsonDepthMiddleware());
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
