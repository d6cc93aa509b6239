import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DestroyOutcome, KeyVault, StoredKey } from './vault';
import { DuplicateRefError, VaultUnavailableError } from './vault';

/**
 * The embedded key vault: its own SQLite file (`DATA_DIR/keys.sqlite`), never the event store's, so a copy of
 * the event store alone never holds a key.
 *
 * Erasure must leave no copy of the wrapped key in the file: `secure_delete` zeroes freed space when the key is
 * overwritten with NULL, and a TRUNCATE checkpoint right after empties the WAL (which still held the page as
 * it was when the key was written).
 *
 * `synchronous = NORMAL`, as the event store's file: a commit survives a process crash; a power cut may lose the
 * last commits of either file. Losing a key whose receipt survived makes that applicant read as unknown (data
 * lost, never exposed). FULL would fsync every receipt (measured ~230 seals/s on the dev box against a target of
 * 2,000 receipts/s); a province that needs power-cut durability runs the PostgreSQL vault.
 */
export function createSqliteKeyVault(opts: { file: string; busyTimeoutMs?: number }): KeyVault {
  if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(opts.file);
    // The busy timeout before the WAL switch, which takes a lock another process may hold at that moment.
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('secure_delete = ON');
    db.exec(`CREATE TABLE IF NOT EXISTS applicant_keys (
      ref TEXT PRIMARY KEY,
      wrapped_key BLOB,
      master_key_id TEXT NOT NULL,
      created_at TEXT NOT NULL,
      erased_at TEXT
    )`);
  } catch (err) {
    throw new VaultUnavailableError(`key vault ${opts.file} cannot be opened: ${(err as Error).message}`, err);
  }
  const insert = db.prepare('INSERT INTO applicant_keys (ref, wrapped_key, master_key_id, created_at) VALUES (?, ?, ?, ?)');
  const select = db.prepare('SELECT ref, wrapped_key, master_key_id, created_at, erased_at FROM applicant_keys WHERE ref = ?');
  const erase = db.prepare('UPDATE applicant_keys SET wrapped_key = NULL, erased_at = ? WHERE ref = ? AND wrapped_key IS NOT NULL');
  const notUnder = db.prepare(
    'SELECT ref, wrapped_key, master_key_id, created_at, erased_at FROM applicant_keys WHERE ref > ? AND wrapped_key IS NOT NULL AND master_key_id <> ? ORDER BY ref LIMIT ?',
  );
  const rewrap = db.prepare('UPDATE applicant_keys SET wrapped_key = ?, master_key_id = ? WHERE ref = ? AND master_key_id = ? AND wrapped_key IS NOT NULL');

  const row = (r: Record<string, unknown> | undefined): StoredKey | undefined =>
    r && {
      ref: r.ref as string,
      wrappedKey: r.wrapped_key ? Buffer.from(r.wrapped_key as Buffer) : null,
      masterKeyId: r.master_key_id as string,
      createdAt: r.created_at as string,
      erasedAt: (r.erased_at as string | null) ?? null,
    };
  const guard = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new DuplicateRefError();
      if (/^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY)/.test(code) || !db.open)
        throw new VaultUnavailableError(`key vault ${what} failed: ${code || (err as Error).message}`, err);
      throw err;
    }
  };

  // Group commit: the keys of receipts arriving in the same event-loop turn are written in one transaction
  // (one WAL commit instead of one each); a batch that fails is retried key by key so each caller gets its own answer.
  type Pending = { k: Parameters<KeyVault['put']>[0]; resolve: () => void; reject: (e: unknown) => void };
  let queue: Pending[] = [];
  const insertMany = db.transaction((rows: Pending[]) => {
    for (const { k } of rows) insert.run(k.ref, k.wrappedKey, k.masterKeyId, k.createdAt);
  });
  const flush = () => {
    const batch = queue;
    queue = [];
    try {
      guard('write', () => insertMany(batch));
      for (const p of batch) p.resolve();
    } catch {
      for (const p of batch) {
        try {
          guard('write', () => insert.run(p.k.ref, p.k.wrappedKey, p.k.masterKeyId, p.k.createdAt));
          p.resolve();
        } catch (err) {
          p.reject(err);
        }
      }
    }
  };

  return {
    kind: 'sqlite',
    put(k) {
      return new Promise<void>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ k, resolve, reject });
      });
    },
    async get(ref) {
      return guard('read', () => row(select.get(ref) as Record<string, unknown> | undefined));
    },
    async destroy(ref, erasedAt) {
      const outcome = guard('erase', (): DestroyOutcome => {
        const changed = erase.run(erasedAt, ref).changes;
        if (changed === 1) return 'destroyed';
        return select.get(ref) ? 'already_erased' : 'unknown';
      });
      if (outcome === 'destroyed') {
        // Copy the zeroed page into the main file and cut the WAL to 0 bytes. If a reader of another
        // process still pins an old snapshot this returns busy; the next erasure (or checkpoint) finishes it.
        guard('checkpoint', () => db.pragma('wal_checkpoint(TRUNCATE)'));
      }
      return outcome;
    },
    async keysNotUnder(masterKeyId, afterRef, limit) {
      return guard('read', () => (notUnder.all(afterRef, masterKeyId, limit) as Record<string, unknown>[]).map((r) => row(r)!));
    },
    async rewrap(ref, from, wrappedKey, masterKeyId) {
      return guard('write', () => rewrap.run(wrappedKey, masterKeyId, ref, from).changes === 1);
    },
    async ping() {
      guard('read', () => db.prepare('SELECT 1').get());
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
