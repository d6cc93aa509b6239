import pino from 'pino';
import { Writable } from 'node:stream';
import { PinoNestLogger } from './logger';

function capture() {
  const lines: { level: number; msg: string; context?: string }[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, nest: new PinoNestLogger(pino({ level: 'info' }, out)) };
}

describe('PinoNestLogger', () => {
  it("keeps Nest's start-up narration (modules, routes) at debug, so the info-level start is a few lines", () => {
    const { lines, nest } = capture();
    nest.log('Mapped {/api/health, GET} route', 'RouterExplorer');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('HealthController {/api/health}:', 'RoutesResolver');
    nest.log('Nest application successfully started', 'NestApplication');
    nest.log('reference data loaded', 'ReferenceDataService');
    expect(lines.map((l) => l.msg)).toEqual(['Nest application successfully started', 'reference data loaded']);
  });

  it('warnings and errors of any context stay', () => {
    const { lines, nest } = capture();
    nest.warn('slow', 'RouterExplorer');
    nest.error('broken', 'InstanceLoader');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'slow'],
      [50, 'broken'],
    ]);
  });
});
