/**
 * The projection runner: subscribes to the global log from its checkpoint, stages events in memory,
 * and writes a batch with its checkpoint IN ONE TRANSACTION. The checkpoint update is guarded by the
 * previous position (compare-and-set), so a crash between apply and commit loses the whole batch and
 * the restart re-applies it from the old checkpoint: every event counts exactly once. Events at or
 * before the checkpoint are skipped, so a redelivered event is never counted twice.
 *
 * Batching: events accumulate until `maxBatch`, or until the subscription hands over a short batch
 * (it has reached the head: the log is idle), or `maxDelayMs` after the first staged event.
 *
 * An event the projection cannot apply does not stop the runner: the projection quarantines it, the batch
 * is written with the quarantine rows and the checkpoint past it, and `hooks.onQuarantined` hears of the
 * rows once they committed (only those inserted: a replayed batch reports nothing twice).
 */
import { comparePositions, type EventStore, type RecordedEvent, type Subscription } from '@motcua/event-store';
import type { SqlDb, SqlExecutor } from './sql/driver';
import { createControlTables, createTableSet, SLA_PROJECTION, tableSet, type TableSet } from './sla/schema';
import { SlaProjection, type SlaProjectionOptions } from './sla/projection';
import type { QuarantineListener } from './quarantine/quarantine';

export class CheckpointConflictError extends Error {
  constructor(name: string, expected: string) {
    super(`checkpoint of ${name} moved (expected '${expected}'): another runner writes this table set`);
  }
}

/** Raised inside the batch transaction when a rebuild swapped another table set in. */
class TableSetSwappedError extends Error {}

export interface ActiveSet {
  tableSet: string;
  generation: number;
}

/**
 * True for the error either engine raises on a table that does not exist: the read models before the
 * worker's first start (SQLite `no such table`, PostgreSQL `relation "…" does not exist`, SQLSTATE 42P01).
 */
export function isMissingTableError(e: unknown): boolean {
  // By shape, not `instanceof Error`: better-sqlite3's SqliteError comes from a native addon that jest loads once per
  // worker, so in the second test file of a worker it belongs to another realm (the check then answered 500).
  if (typeof e !== 'object' || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  return code === '42P01' || (typeof message === 'string' && /no such table|relation "?[\w.]+"? does not exist/.test(message));
}

export async function activeSet(db: SqlExecutor, projection = SLA_PROJECTION): Promise<ActiveSet | undefined> {
  const rows = await db.all<{ table_set: string; generation: number }>(
    `SELECT table_set, generation FROM ${db.table('projection_active')} WHERE projection = ?`,
    [projection],
  );
  return rows[0] ? { tableSet: rows[0].table_set, generation: Number(rows[0].generation) } : undefined;
}

export async function readCheckpoint(db: SqlExecutor, name: string): Promise<{ position: string; events: number } | undefined> {
  const rows = await db.all<{ position: string; events: number }>(`SELECT position, events FROM ${db.table('projection_checkpoints')} WHERE name = ?`, [name]);
  return rows[0] ? { position: rows[0].position, events: Number(rows[0].events) } : undefined;
}

/** Creates the control tables and, on a first start, generation 1 of the projection as the active set. */
export async function ensureActiveSet(db: SqlDb, projection = SLA_PROJECTION): Promise<ActiveSet> {
  await createControlTables(db);
  return db.transaction(async (tx) => {
    const cur = await activeSet(tx, projection);
    if (cur) return cur;
    const name = `${projection}_g1`;
    await createTableSet(tx, tableSet(name), true);
    const now = Date.now();
    await tx.run(
      `INSERT INTO ${tx.table('projection_sets')} (table_set, projection, generation, state, created_at) VALUES (?, ?, 1, 'active', ?) ON CONFLICT (table_set) DO NOTHING`,
      [name, projection, now],
    );
    await tx.run(`INSERT INTO ${tx.table('projection_checkpoints')} (name, position, events, updated_at) VALUES (?, '', 0, ?) ON CONFLICT (name) DO NOTHING`, [
      name,
      now,
    ]);
    await tx.run(`INSERT INTO ${tx.table('projection_active')} (projection, table_set, generation, swapped_at) VALUES (?, ?, 1, ?)`, [projection, name, now]);
    return { tableSet: name, generation: 1 };
  });
}

export interface BatchInfo {
  tableSet: string;
  events: number;
  from: string;
  to: string;
}

export interface RunnerHooks {
  /** Called inside the transaction after the batch is written, before COMMIT (tests crash here). */
  beforeCommit?: (info: BatchInfo) => Promise<void> | void;
  afterCommit?: (info: BatchInfo) => void;
  onError?: (err: unknown) => void;
  /** Events newly quarantined by a committed batch. */
  onQuarantined?: QuarantineListener;
}

export interface ProjectionRunnerOptions {
  store: EventStore;
  db: SqlDb;
  /** Write this table set instead of following the active one (rebuild tests, side-by-side runs). */
  pinnedTableSet?: string;
  maxBatch?: number;
  maxDelayMs?: number;
  /** Catch-up batch size asked of the subscription. */
  readBatch?: number;
  projection?: SlaProjectionOptions;
  hooks?: RunnerHooks;
  /** Pause before resubscribing after a failure. */
  restartDelayMs?: number;
}

export class ProjectionRunner {
  private sub?: Subscription;
  private projection!: SlaProjection;
  private set!: TableSet;
  /** Position of the last event staged (in memory) and of the last committed one. */
  private stagedPosition = '';
  private committedPosition = '';
  private firstStaged = '';
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private failure?: unknown;
  private readonly waiters: Array<{ position: string; resolve: () => void }> = [];
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly readBatch: number;

  constructor(private readonly o: ProjectionRunnerOptions) {
    this.maxBatch = o.maxBatch ?? 5_000;
    this.maxDelayMs = o.maxDelayMs ?? 20;
    this.readBatch = o.readBatch ?? 1_000;
  }

  get tableSet(): string {
    return this.set.name;
  }
  get position(): string {
    return this.committedPosition;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await ensureActiveSet(this.o.db);
    const name = this.o.pinnedTableSet ?? (await activeSet(this.o.db))!.tableSet;
    this.set = tableSet(name);
    await createTableSet(this.o.db, this.set, true);
    await this.o.db.run(
      `INSERT INTO ${this.o.db.table('projection_checkpoints')} (name, position, events, updated_at) VALUES (?, '', 0, ?) ON CONFLICT (name) DO NOTHING`,
      [name, Date.now()],
    );
    this.projection = new SlaProjection(this.set, this.o.projection);
    this.committedPosition = this.stagedPosition = (await readCheckpoint(this.o.db, name))!.position;
    this.subscribe();
  }

  private generation = 0;

  private subscribe(): void {
    const after = this.committedPosition || undefined;
    const gen = ++this.generation;
    this.sub = this.o.store.subscribeToAll((events) => this.onEvents(gen, events), { after, batchSize: this.readBatch });
    this.sub.done.catch((err) => {
      if (!(err instanceof TableSetSwappedError)) this.fail(err);
    });
  }

  /** A failed batch or subscription: report, then restart from the committed checkpoint. */
  private fail(err: unknown): void {
    if (this.stopped) return;
    this.failure = err;
    this.o.hooks?.onError?.(err);
    const old = this.sub;
    this.generation++; // the failed subscription's deliveries are stale from now on
    void old?.close().catch(() => undefined);
    setTimeout(() => {
      if (this.stopped) return;
      this.chain = this.chain.then(async () => {
        this.projection.discard();
        // Another writer may have moved the checkpoint: start again from what is committed.
        this.committedPosition = (await readCheckpoint(this.o.db, this.set.name))?.position ?? '';
        this.stagedPosition = this.committedPosition;
        this.firstStaged = '';
        this.subscribe();
      });
    }, this.o.restartDelayMs ?? 1_000).unref();
  }

  private onEvents(gen: number, events: RecordedEvent[]): Promise<void> {
    const run = this.chain.then(async () => {
      // A subscription left behind by a switch to a swapped-in table set: stop it.
      if (gen !== this.generation) throw new TableSetSwappedError();
      // Redelivered or already committed events are skipped: the checkpoint is the idempotency key.
      const fresh = this.stagedPosition ? events.filter((e) => comparePositions(e.position, this.stagedPosition) > 0) : events;
      if (fresh.length > 0) {
        await this.projection.stage(this.o.db, this.o.store, fresh);
        if (!this.firstStaged) this.firstStaged = fresh[0].position;
        this.stagedPosition = fresh[fresh.length - 1].position;
      }
      if (this.projection.stagedEvents >= this.maxBatch || (events.length < this.readBatch && this.projection.stagedEvents > 0)) {
        await this.flushNow();
      } else if (this.projection.stagedEvents > 0 && !this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.chain = this.chain
            .then(() => this.flushNow())
            .catch((err) => {
              this.fail(err);
            });
        }, this.maxDelayMs);
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async flushNow(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.projection.stagedEvents === 0) return;
    const info: BatchInfo = { tableSet: this.set.name, events: this.projection.stagedEvents, from: this.firstStaged, to: this.stagedPosition };
    const expected = this.committedPosition;
    try {
      await this.o.db.transaction(async (tx) => {
        if (!this.o.pinnedTableSet) {
          const active = await activeSet(tx);
          if (active && active.tableSet !== this.set.name) throw new TableSetSwappedError();
        }
        await this.projection.flush(tx);
        const n = await tx.run(
          `UPDATE ${tx.table('projection_checkpoints')} SET position = ?, events = events + ?, updated_at = ? WHERE name = ? AND position = ?`,
          [info.to, info.events, Date.now(), this.set.name, expected],
        );
        if (n !== 1) throw new CheckpointConflictError(this.set.name, expected);
        await this.o.hooks?.beforeCommit?.(info);
      });
    } catch (err) {
      this.projection.discard();
      this.stagedPosition = this.committedPosition;
      this.firstStaged = '';
      if (err instanceof TableSetSwappedError) return this.switchToActive();
      throw err;
    }
    this.projection.committed();
    this.committedPosition = info.to;
    this.firstStaged = '';
    const quarantined = this.projection.takeQuarantined();
    if (quarantined.length) this.o.hooks?.onQuarantined?.(quarantined);
    this.o.hooks?.afterCommit?.(info);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (comparePositions(this.committedPosition, this.waiters[i].position) >= 0) {
        this.waiters[i].resolve();
        this.waiters.splice(i, 1);
      }
    }
  }

  /** A rebuild swapped its table set in: continue live on it, from its own checkpoint. */
  private async switchToActive(): Promise<void> {
    const sub = this.sub;
    // Closing from inside the handler would wait for ourselves: close in the background.
    void sub?.close().catch(() => undefined);
    const name = (await activeSet(this.o.db))!.tableSet;
    this.set = tableSet(name);
    this.projection = new SlaProjection(this.set, this.o.projection);
    this.committedPosition = this.stagedPosition = (await readCheckpoint(this.o.db, name))?.position ?? '';
    this.subscribe(); // the old subscription stops at its next delivery (stale generation)
  }

  /** Resolves once every event up to `position` (default: the current head) is committed. */
  async waitFor(position?: string, timeoutMs = 30_000): Promise<void> {
    const target = position ?? (await this.o.store.headPosition());
    if (!target || (this.committedPosition && comparePositions(this.committedPosition, target) >= 0)) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(this.failure ?? new Error(`projection did not reach ${target} in ${timeoutMs} ms (at '${this.committedPosition}')`)),
        timeoutMs,
      );
      this.waiters.push({ position: target, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.sub?.close().catch(() => undefined);
    await this.chain.catch(() => undefined);
  }
}
