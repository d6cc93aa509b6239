/**
 * The operator signal of the quarantine in the worker: each event (or row) newly set aside is logged once at
 * error level with a stable `event: "event-quarantined"` field (the line a log-based alert matches on) and
 * counted in `events_quarantined_total{consumer}`. Deadline alerts are for monitors of an agency, not for
 * operators, so the quarantine is not one of them; the lasting signals are the rows themselves
 * (GET /api/admin/quarantine, `npm run cli -- quarantine list`, the API's `events_quarantined` gauge).
 */
import type { QuarantineListener } from '@motcua/read-models';
import type { WorkerMetrics } from './worker-metrics';

export interface ErrorLogger {
  error(obj: unknown, msg?: string): void;
}

export function quarantineReporter(logger: ErrorLogger, metrics?: WorkerMetrics): QuarantineListener {
  return (entries) => {
    for (const q of entries) {
      metrics?.quarantined.inc({ consumer: q.consumer });
      logger.error(
        { event: 'event-quarantined', quarantine: q },
        `event quarantined by ${q.consumer}: ${q.eventType} ${q.streamId}@${q.revision} (position ${q.position || '-'}): ${q.reason}`,
      );
    }
  };
}
