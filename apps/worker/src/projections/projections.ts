/**
 * Projection runner entry of the worker (issue 5). The worker's main wires it:
 *   const p = await startProjections({ store, logger });   ...   await p.stop();
 * Read-model store from the environment: READ_MODELS_ENGINE=sqlite|postgres (default sqlite),
 * READ_MODELS_SQLITE_FILE (default data/read-models.sqlite), READ_MODELS_PG_URL, READ_MODELS_PG_SCHEMA.
 */
import { join } from 'node:path';
import { ConfigError } from '../../../api/src/config/app-config';
import { SingleBar, Presets } from 'cli-progress';
import type { EventStore } from '@motcua/event-store';
import {
  activeSet,
  createControlTables,
  createReadModelDb,
  ProjectionRunner,
  rebuildSla,
  SLA_PROJECTION,
  type ReadModelDbConfig,
  type RebuildProgress,
  type SqlDb,
} from '@motcua/read-models';

export interface Logger {
  info(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/**
 * The read-model store from READ_MODELS_ENGINE (sqlite|postgres), READ_MODELS_SQLITE_FILE (default
 * `<DATA_DIR>/read-models.sqlite`), READ_MODELS_PG_URL, READ_MODELS_PG_SCHEMA. The one reader of these
 * variables (worker, SLA routes, audit, CLI); a bad value fails naming the variable.
 */
export function readModelConfigFromEnv(env: NodeJS.ProcessEnv = process.env, dataDir?: string): ReadModelDbConfig {
  const engine = env.READ_MODELS_ENGINE?.trim() || 'sqlite';
  if (engine !== 'sqlite' && engine !== 'postgres') throw new ConfigError('READ_MODELS_ENGINE', `expected sqlite or postgres, got '${engine}'`);
  const connectionString = env.READ_MODELS_PG_URL?.trim() || undefined;
  if (engine === 'postgres' && !connectionString) throw new ConfigError('READ_MODELS_PG_URL', 'required when READ_MODELS_ENGINE=postgres');
  return {
    engine,
    // Beside the other embedded files, so an API and a worker started with the same DATA_DIR share it.
    sqliteFile: env.READ_MODELS_SQLITE_FILE?.trim() || join(dataDir ?? env.DATA_DIR ?? './data', 'read-models.sqlite'),
    connectionString,
    schema: env.READ_MODELS_PG_SCHEMA?.trim() || 'read_models',
  };
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
export async function startProjections(o: { store: EventStore; db?: SqlDb; logger?: Logger; config?: ReadModelDbConfig }): Promise<RunningProjections> {
  const db = o.db ?? createReadModelDb(o.config ?? readModelConfigFromEnv());
  await createControlTables(db);
  if (!(await activeSet(db, SLA_PROJECTION))) {
    o.logger?.info({ projection: SLA_PROJECTION }, 'no table set for this projection version: rebuilding from the log');
    const r = await rebuildSla({ store: o.store, db, onProgress: (p) => p.phase !== 'replaying' && o.logger?.info(p, 'projection rebuild') });
    o.logger?.info({ ...r }, 'projection rebuilt');
  }
  const runner = new ProjectionRunner({
    store: o.store,
    db,
    hooks: { onError: (err) => o.logger?.error({ err }, 'projection batch failed; restarting from the checkpoint') },
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

/** Blue/green rebuild with a progress bar on a terminal (CLI: `motcua projections rebuild`). */
export async function rebuildWithProgressBar(o: { store: EventStore; db: SqlDb; out?: NodeJS.WriteStream }) {
  const bar = new SingleBar({ format: 'rebuild {bar} {percentage}% | {value}/{total} events | {rate} ev/s | {phase}', stream: o.out ?? process.stderr }, Presets.shades_classic);
  let started = false;
  const total = async () => {
    let n = 0;
    let after: string | undefined;
    for (;;) {
      const page = await o.store.readAll({ after, maxCount: 10_000 });
      n += page.length;
      if (page.length < 10_000) return n;
      after = page[page.length - 1].position;
    }
  };
  bar.start(await total(), 0, { rate: 0, phase: 'replaying' });
  started = true;
  try {
    return await rebuildSla({
      store: o.store,
      db: o.db,
      onProgress: (p: RebuildProgress) => {
        if (p.events > bar.getTotal()) bar.setTotal(p.events);
        bar.update(p.events, { rate: Math.round(p.eventsPerSecond), phase: p.phase });
      },
    });
  } finally {
    if (started) bar.stop();
  }
}
