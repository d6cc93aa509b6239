/**
 * The worker's operator signal for a quarantined event: one error line with the stable
 * `event: "event-quarantined"` field and the row, and one more in `events_quarantined_total{consumer}`.
 */
import type { QuarantinedEvent } from '@motcua/read-models';
import { quarantineReporter } from './quarantine-reporter';
import { WorkerMetrics } from './worker-metrics';

const row = (consumer: string, revision: number): QuarantinedEvent => ({
  consumer,
  streamId: 'dossier-H30-BAD',
  revision,
  position: String(10 + revision),
  eventType: 'dossier.received.v1',
  reason: 'dueAt must be an ISO-8601 UTC instant, got "+010000-01-07T00:00:00.000Z"',
  firstSeenAt: '2026-12-04T03:00:00.000Z',
});

describe('quarantineReporter', () => {
  it('logs each row once at error level and counts it by consumer', async () => {
    const lines: Array<{ obj: unknown; msg?: string }> = [];
    const metrics = new WorkerMetrics();
    const report = quarantineReporter({ error: (obj, msg) => lines.push({ obj, msg }) }, metrics);
    report([row('sla_v3', 0), row('alerts_v1', 0)]);
    report([row('sla_v3', 1)]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({
      obj: { event: 'event-quarantined', quarantine: row('sla_v3', 0) },
      msg: 'event quarantined by sla_v3: dossier.received.v1 dossier-H30-BAD@0 (position 10): dueAt must be an ISO-8601 UTC instant, got "+010000-01-07T00:00:00.000Z"',
    });
    const text = await metrics.scrape();
    expect(text).toContain('events_quarantined_total{consumer="sla_v3"} 2');
    expect(text).toContain('events_quarantined_total{consumer="alerts_v1"} 1');
  });
});
