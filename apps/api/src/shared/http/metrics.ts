import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { Public } from '../auth/decorators';
import { clusterMetrics, isClusterWorker, shareMetricsWithPrimary } from '../../cluster';
import { ApiError } from '@motcua/platform';

/** One registry per application instance (tests boot several apps in one process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    // API_PROCESSES > 1: the primary sums every process's registry for /metrics (whichever process answers).
    shareMetricsWithPrimary(this.registry);
  }

  /** Records one answered request (called by the response hook when the response is finished). */
  observeRoute(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(status) }, seconds);
  }
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Public()
  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    if (!isClusterWorker()) return this.metrics.registry.metrics();
    try {
      return await clusterMetrics();
    } catch (err) {
      throw new ApiError(503, 'SERVICE_UNAVAILABLE', `metrics of the API processes unavailable: ${(err as Error).message}`, undefined, { 'Retry-After': '5' });
    }
  }
}
