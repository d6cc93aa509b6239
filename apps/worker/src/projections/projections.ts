/**
 * The projection runner of the worker: starts the live SLA projection over a read-model store (the
 * configuration's `readModels`, or a database given by the caller), rebuilding first when no table set
 * exists for the current projection version.
 *   const p = await startProjections({ store, config: config.readModels, logger });   ...   await p.stop();
 */
import type { EventStore } from '@motcua/event-store';
import {
  activeSet,
  createControlTables,
  createReadModelDb,
  ProjectionRunner,
  rebuildSla,
  SLA_PROJECTION,
  type QuarantineListener,
  type ReadModelDbConfig,
  type SqlDb,
} from '@motcua/read-models';

export interface Logger {
  info(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface RunningProjections {
  runner: ProjectionRunner;
  db: SqlDb;
  stop(): Promise<void>;
}

/**
 * Starts the live runner. When no table set exists yet for the current projection version (first
 * start, or the projection code changed), the log is first replayed by a rebuild, which is much
 * faster than the live path, and swapped in.
 */
export async function startProjections(o: {
  store: EventStore;
  db?: SqlDb;
  logger?: Logger;
  config?: ReadModelDbConfig;
  /** Events newly quarantined (by the first rebuild or the live runner), once committed. */
  onQuarantined?: QuarantineListener;
}): Promise<RunningProjections> {
  if (!o.db && !o.config) throw new Error('startProjections needs a read-model database or its configuration');
  const db = o.db ?? createReadModelDb(o.config!);
  await createControlTables(db);
  if (!(await activeSet(db, SLA_PROJECTION))) {
    o.logger?.info({ projection: SLA_PROJECTION }, 'no table set for this projection version: rebuilding from the log');
    const r = await rebuildSla({
      store: o.store,
      db,
      onProgress: (p) => p.phase !== 'replaying' && o.logger?.info(p, 'projection rebuild'),
      onQuarantined: o.onQuarantined,
    });
    o.logger?.info({ ...r }, 'projection rebuilt');
  }
  const runner = new ProjectionRunner({
    store: o.store,
    db,
    hooks: { onError: (err) => o.logger?.error({ err }, 'projection batch failed; restarting from the checkpoint'), onQuarantined: o.onQuarantined },
  });
  await runner.start();
  o.logger?.info({ tableSet: runner.tableSet, position: runner.position }, 'projection runner started');
  return {
    runner,
    db,
    async stop() {
      await runner.stop();
      if (!o.db) await db.close();
    },
  };
}
