import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ReferenceDataCoreModule } from '../reference-data/reference-data.module';
import { DashboardController } from './dashboard.controller';
import { chartJsFile, DASHBOARD_SECURITY_HEADERS, findDashboardDir, serveStatic } from './static-files';

export const DASHBOARD_PATH = '/dashboard';

/**
 * The monitor dashboard: static page at `/dashboard/` (outside the `/api` prefix, so it
 * is mounted on the HTTP adapter directly, not as a Nest route) and `GET /api/dashboard/config`.
 * The page itself talks to the public API with the pasted token; the static files carry no data
 * and need none.
 */
@Module({ imports: [ReferenceDataCoreModule], controllers: [DashboardController] })
export class DashboardModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const http = this.adapterHost.httpAdapter;
    if (!http) return;
    const app = http.getInstance<FastifyInstance>();
    serveStatic(app, DASHBOARD_PATH, findDashboardDir(), { '/vendor/chart.umd.min.js': chartJsFile() }, true, DASHBOARD_SECURITY_HEADERS);
  }
}
