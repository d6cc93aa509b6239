/**
 * The worker's projection job: a thin supervisor around `startProjections`
 * (apps/worker/src/projections/projections.ts). It adds what a long-running process needs:
 * - a first start (or a new projection version) replays the log with the blue/green rebuild, logging
 *   its progress and abortable by a signal, before the live runner takes over;
 * - a periodic progress line (position, events applied since the last line, events behind the head),
 *   only when something moved, so an idle worker stays quiet;
 * - `stop()` that lets the current batch commit (the runner's stop waits for it) and closes the store
 *   it opened;
 * - `onQuarantined`: the events the rebuild or the live runner set aside, once each (the worker logs them
 *   at error level and counts them); the projection carries on past them.
 */
import type { EventStore } from '@motcua/event-store';
import {
  activeSet,
  createControlTables,
  createReadModelDb,
  rebuildSla,
  SLA_PROJECTION,
  type QuarantineListener,
  type ReadModelDbConfig,
  type SqlDb,
} from '@motcua/read-models';
import { startProjections, type RunningProjections } from './projections/projections';

export interface WorkerLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface ProjectionJobOptions {
  store: EventStore;
  logger: WorkerLogger;
  /** Read-model store: the configuration's `readModels` (READ_MODELS_*, which the API reads too). */
  config: ReadModelDbConfig;
  db?: SqlDb;
  /** How often to log progress (ms); 0 = never. */
  progressEveryMs?: number;
  /** Aborts a first-start rebuild (the live runner is stopped with `stop()`). */
  signal?: AbortSignal;
  /** Events newly quarantined by the projection (first rebuild or live), once committed. */
  onQuarantined?: QuarantineListener;
}

export interface ProjectionJob {
  projections: RunningProjections;
  /** Committed position and the log head, as logged. */
  status(): Promise<{ tableSet: string; position: string; headPosition: string | undefined; behind: number | undefined }>;
  stop(): Promise<void>;
}

/** How many events lie after `position`, counted up to `cap` (the watermark's "behind"). */
async function countBehind(store: EventStore, position: string, cap = 10_000): Promise<number> {
  const after = await store.readAll({ ...(position ? { after: position } : {}), maxCount: cap });
  return after.length;
}

export async function startProjectionJob(o: ProjectionJobOptions): Promise<ProjectionJob> {
  const config = o.config;
  const db = o.db ?? createReadModelDb(config);
  const log = o.logger;
  try {
    await createControlTables(db);
    if (!(await activeSet(db, SLA_PROJECTION))) {
      // First start or new projection version: the rebuild path is much faster than the live one.
      // startProjections would do the same, silently for the replay; here every flush is logged.
      log.info({ projection: SLA_PROJECTION, engine: config.engine ?? 'sqlite' }, 'projections: no table set for this version, rebuilding from the log');
      const r = await rebuildSla({
        store: o.store,
        db,
        signal: o.signal,
        onQuarantined: o.onQuarantined,
        onProgress: (p) =>
          log.info(
            {
              phase: p.phase,
              tableSet: p.tableSet,
              events: p.events,
              position: p.position,
              headPosition: p.headPosition,
              eventsPerSecond: Math.round(p.eventsPerSecond),
            },
            'projections: rebuild progress',
          ),
      });
      log.info(
        {
          tableSet: r.tableSet,
          events: r.events,
          seconds: +(r.elapsedMs / 1000).toFixed(1),
          eventsPerSecond: Math.round(r.eventsPerSecond),
          quarantined: r.quarantined,
        },
        'projections: rebuilt',
      );
    }
    const projections = await startProjections({ store: o.store, db, logger: log, onQuarantined: o.onQuarantined });
    let lastLogged = projections.runner.position;
    const status = async () => {
      const position = projections.runner.position;
      const headPosition = await o.store.headPosition();
      const behind = headPosition === undefined || headPosition === position ? 0 : await countBehind(o.store, position);
      return { tableSet: projections.runner.tableSet, position, headPosition, behind };
    };
    const every = o.progressEveryMs ?? 10_000;
    let ticking = false;
    const timer =
      every > 0
        ? setInterval(() => {
            if (ticking || projections.runner.position === lastLogged) return;
            ticking = true;
            status()
              .then((s) => {
                lastLogged = s.position;
                log.info(s, 'projections: progress');
              })
              .catch((err) => log.warn({ err }, 'projections: progress unavailable'))
              .finally(() => (ticking = false));
          }, every)
        : undefined;
    timer?.unref();
    return {
      projections,
      status,
      async stop() {
        if (timer) clearInterval(timer);
        await projections.stop();
        if (!o.db) await db.close();
        log.info({ position: projections.runner.position }, 'projections: stopped');
      },
    };
  } catch (err) {
    if (!o.db) await db.close().catch(() => undefined);
    throw err;
  }
}
