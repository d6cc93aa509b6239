/**
 * A deliberately small SQL port for the read models: two dialects (SQLite via better-sqlite3,
 * PostgreSQL via pg), written with `?` placeholders and portable SQL (ON CONFLICT ... DO UPDATE with
 * `excluded.`, which both engines accept). Bulk upserts are the only hot path; they get a
 * dialect-specific implementation (prepared statement loop on SQLite, multi-row VALUES on PostgreSQL).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Pool, type PoolClient, types as pgTypes } from 'pg';

export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | bigint | null;

export interface SqlExecutor {
  readonly dialect: Dialect;
  /** Quoted, schema-qualified table name. */
  table(name: string): string;
  all<R = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<R[]>;
  /** Runs one statement; resolves with the number of rows changed. */
  run(sql: string, params?: SqlValue[]): Promise<number>;
  /** Several statements, no parameters (DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk INSERT ... ON CONFLICT (key) DO UPDATE. `mode` 'replace' overwrites the non-key columns,
   * 'add' adds the incoming values to the stored ones (counters). Rows must have unique keys.
   */
  upsert(table: string, columns: string[], key: string[], rows: SqlValue[][], mode: 'replace' | 'add'): Promise<void>;
  /** Bulk plain INSERT (tables without a key to conflict on: staging rows). */
  insert(table: string, columns: string[], rows: SqlValue[][]): Promise<void>;
}

export interface SqlDb extends SqlExecutor {
  /** The database file (SQLite on a file only): a rebuild may attach scratch files beside it. */
  readonly file?: string;
  /** BEGIN; fn; COMMIT (ROLLBACK on a throw). Transactions of one SqlDb never interleave. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const ident = (s: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`unsafe SQL identifier ${s}`);
  return `"${s}"`;
};

function upsertSql(table: string, columns: string[], key: string[], mode: 'replace' | 'add', valuesSql: string) {
  const rest = columns.filter((c) => !key.includes(c));
  const set = rest.map((c) => (mode === 'add' ? `${ident(c)} = t.${ident(c)} + excluded.${ident(c)}` : `${ident(c)} = excluded.${ident(c)}`)).join(', ');
  return (
    `INSERT INTO ${table} AS t (${columns.map(ident).join(', ')}) VALUES ${valuesSql} ` +
    `ON CONFLICT (${key.map(ident).join(', ')}) ` +
    (rest.length ? `DO UPDATE SET ${set}` : 'DO NOTHING')
  );
}

/** A simple FIFO mutex: better-sqlite3 has one connection, and our transactions are async. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async lock<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

// ---------------------------------------------------------------- SQLite

export interface SqliteDbOptions {
  file: string;
  readonly?: boolean;
  /** Rebuilds can trade durability of the newest transactions for speed; never used for live runs. */
  synchronous?: 'FULL' | 'NORMAL' | 'OFF';
  /** `OFF` only for scratch files a crash may lose whole (a parallel rebuild's per-thread tables). */
  journalMode?: 'WAL' | 'OFF';
  /** Page cache in KiB (default 64 MiB). */
  cacheKiB?: number;
  /** How long a statement waits for another connection's write lock (default 10 s). */
  busyTimeoutMs?: number;
}

export function createSqliteDb(options: SqliteDbOptions): SqlDb {
  const db = new Database(options.file, { readonly: options.readonly ?? false });
  // The busy timeout first: switching to WAL takes a lock, and without a timeout a second connection opening
  // the same file at that moment fails at once with SQLITE_BUSY instead of waiting.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000))}`);
  if (!options.readonly) {
    db.pragma(`journal_mode = ${options.journalMode ?? 'WAL'}`);
    db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  }
  db.pragma(`cache_size = -${Math.max(256, Math.floor(options.cacheKiB ?? 65536))}`);
  const stmts = new Map<string, Database.Statement>();
  const prep = (sql: string) => {
    let s = stmts.get(sql);
    if (!s) {
      s = db.prepare(sql);
      stmts.set(sql, s);
      if (stmts.size > 500) stmts.delete(stmts.keys().next().value!);
    }
    return s;
  };
  /** Multi-row statements of ~8 000 bind values; `sqlFor` makes the statement for a VALUES list. */
  const bulk = (sqlFor: (values: string) => string, columns: string[], rows: SqlValue[][]) => {
    if (rows.length === 0) return;
    // Multi-row statements of ~8 000 bind values (SQLite allows 32 766): one VM call per few hundred
    // rows; the values go in as one reused flat array (no per-chunk slice/flat/spread).
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const PER = Math.max(1, Math.floor(8000 / columns.length));
    let i = 0;
    if (rows.length >= PER) {
      const many = prep(sqlFor(Array(PER).fill(tuple).join(', ')));
      const flat: SqlValue[] = new Array(PER * columns.length);
      for (; i + PER <= rows.length; i += PER) {
        let k = 0;
        for (let r = i; r < i + PER; r++) {
          const row = rows[r];
          for (let c = 0; c < row.length; c++) flat[k++] = row[c];
        }
        many.run(flat);
      }
    }
    const one = prep(sqlFor(tuple));
    for (; i < rows.length; i++) one.run(rows[i]);
  };
  const norm = (params: SqlValue[] = []) => params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  const exec: SqlExecutor = {
    dialect: 'sqlite',
    table: (name) => ident(name),
    async all<R>(sql: string, params?: SqlValue[]) {
      return prep(sql).all(...norm(params)) as R[];
    },
    async run(sql, params) {
      return prep(sql).run(...norm(params)).changes;
    },
    async exec(sql) {
      db.exec(sql);
    },
    async upsert(table, columns, key, rows, mode) {
      bulk((values) => upsertSql(ident(table), columns, key, mode, values), columns, rows);
    },
    async insert(table, columns, rows) {
      bulk((values) => `INSERT INTO ${ident(table)} (${columns.map(ident).join(', ')}) VALUES ${values}`, columns, rows);
    },
  };
  const mutex = new Mutex();
  let closed = false;
  return {
    ...exec,
    file: options.file === ':memory:' || options.file === '' ? undefined : options.file,
    all: (sql, params) => mutex.lock(() => exec.all(sql, params)),
    run: (sql, params) => mutex.lock(() => exec.run(sql, params)),
    exec: (sql) => mutex.lock(() => exec.exec(sql)),
    upsert: (...a) => mutex.lock(() => exec.upsert(...a)),
    insert: (...a) => mutex.lock(() => exec.insert(...a)),
    transaction: (fn) =>
      mutex.lock(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const r = await fn(exec);
          db.exec('COMMIT');
          return r;
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw e;
        }
      }),
    async close() {
      if (closed) return;
      closed = true;
      await mutex.lock(async () => db.close());
    },
  };
}

// ---------------------------------------------------------------- PostgreSQL

export interface PostgresDbOptions {
  connectionString: string;
  /** Schema holding the read-model tables; created when missing. */
  schema?: string;
  poolSize?: number;
}

// int8 and numeric (SUM of bigint) as JS numbers: read-model counters stay far below 2^53.
const parseNum = (v: string) => Number(v);
const pgTypeParsers = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 || oid === 1700 ? parseNum : pgTypes.getTypeParser(oid, format as 'text')) as typeof pgTypes.getTypeParser,
};

const toPg = (sql: string) => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

export function createPostgresDb(options: PostgresDbOptions): SqlDb {
  const schema = options.schema ?? 'public';
  ident(schema);
  const pool = new Pool({ connectionString: options.connectionString, max: options.poolSize ?? 4, types: pgTypeParsers });
  // An idle client losing its connection (PostgreSQL restarted) emits 'error' on the pool: unhandled, it kills
  // the process. The next query reconnects or fails (and the caller maps that to 503).
  pool.on('error', () => undefined);
  let ready: Promise<void> | undefined;
  const ensureSchema = () => (ready ??= pool.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`).then(() => undefined));
  const table = (name: string) => `${ident(schema)}.${ident(name)}`;
  const executor = (q: (sql: string, params?: SqlValue[]) => Promise<{ rows: unknown[]; rowCount: number | null }>): SqlExecutor => {
    const bulk = async (sqlFor: (values: string) => string, columns: string[], rows: SqlValue[][]) => {
      // 65535 bind parameters per statement at most.
      const per = Math.max(1, Math.floor(30000 / columns.length));
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        const params: SqlValue[] = [];
        const values = chunk.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`).join(', ');
        await q(sqlFor(values), params);
      }
    };
    return {
      dialect: 'postgres',
      table,
      async all<R>(sql: string, params?: SqlValue[]) {
        return (await q(toPg(sql), params)).rows as R[];
      },
      async run(sql, params) {
        return (await q(toPg(sql), params)).rowCount ?? 0;
      },
      async exec(sql) {
        await q(sql);
      },
      async upsert(t, columns, key, rows, mode) {
        await bulk((values) => upsertSql(table(t), columns, key, mode, values), columns, rows);
      },
      async insert(t, columns, rows) {
        await bulk((values) => `INSERT INTO ${table(t)} (${columns.map(ident).join(', ')}) VALUES ${values}`, columns, rows);
      },
    };
  };
  const viaPool = executor(async (sql, params) => {
    await ensureSchema();
    return pool.query(sql, params as unknown[]);
  });
  const txMutex = new Mutex();
  return {
    ...viaPool,
    transaction: (fn) =>
      txMutex.lock(async () => {
        await ensureSchema();
        const client: PoolClient = await pool.connect();
        try {
          await client.query('BEGIN');
          const r = await fn(executor((sql, params) => client.query(sql, params as unknown[])));
          await client.query('COMMIT');
          return r;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        } finally {
          client.release();
        }
      }),
    async close() {
      await pool.end();
    },
  };
}

export interface ReadModelDbConfig {
  /** `sqlite` (default) or `postgres`. */
  engine?: Dialect;
  sqliteFile?: string;
  connectionString?: string;
  schema?: string;
}

/** From configuration (env: READ_MODELS_ENGINE, READ_MODELS_SQLITE_FILE, READ_MODELS_PG_URL, READ_MODELS_PG_SCHEMA). */
export function createReadModelDb(config: ReadModelDbConfig): SqlDb {
  if ((config.engine ?? 'sqlite') === 'postgres') {
    if (!config.connectionString) throw new Error('read models on PostgreSQL need a connectionString');
    return createPostgresDb({ connectionString: config.connectionString, schema: config.schema ?? 'read_models' });
  }
  const file = config.sqliteFile ?? 'data/read-models.sqlite';
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return createSqliteDb({ file });
}
