import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators';

/**
 * Liveness without dependencies: the process answers HTTP (a load balancer's or an orchestrator's probe;
 * readiness with the store and Redis is /api/health). No I/O, so it is also the baseline of `npm run
 * bench -- api`: the same middleware, guard and interceptors as every route, and no work.
 */
@ApiTags('operations')
@Controller('ping')
export class PingController {
  @Public()
  @Get()
  @Header('Cache-Control', 'no-store')
  ping(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
