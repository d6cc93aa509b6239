import { Pool } from 'pg';
import type { DestroyOutcome, KeyVault, StoredKey } from './vault';
import { DuplicateRefError, VaultUnavailableError } from './vault';

/** Driver/network failures: the vault is down, not a bug (503 upstream). */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  '53300',
]);

/**
 * The key vault in PostgreSQL: its own schema (default `personal_data`), never the event store's, so the two
 * can have different grants, backups and retention (a DBA restoring the event store does not restore keys).
 *
 * Limit: PostgreSQL does not overwrite a row in place. An erased key can survive in dead tuples until VACUUM
 * reuses the space, in WAL segments and in base backups. Those copies are wrapped under the master key, so
 * rotating the master key (re-wrap live keys, then destroy the old master) makes every such copy useless.
 */
export function createPostgresKeyVault(opts: { connectionString: string; schema?: string; poolSize?: number }): KeyVault {
  const schema = opts.schema ?? 'personal_data';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`key vault schema must be a plain lower-case identifier, got '${schema}'`);
  const table = `"${schema}".applicant_keys`;
  const pool = new Pool({ connectionString: opts.connectionString, max: opts.poolSize ?? 4, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined); // idle client lost: the next query reconnects (or reports unavailability)
  let ready: Promise<void> | undefined;

  const guard = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '23505') throw new DuplicateRefError();
      if (code && UNAVAILABLE.has(code)) throw new VaultUnavailableError(`key vault ${what} failed: ${code}`, err);
      if (/Connection terminated|timeout exceeded when trying to connect/i.test((err as Error).message ?? '')) {
        throw new VaultUnavailableError(`key vault ${what} failed: ${(err as Error).message}`, err);
      }
      throw err;
    }
  };

  /** Created on first use, under an advisory lock: several instances may start at once. */
  const ensure = () =>
    (ready ??= guard('setup', async () => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`motcua-key-vault:${schema}`]);
        await c.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await c.query(`CREATE TABLE IF NOT EXISTS ${table} (
          ref text PRIMARY KEY,
          wrapped_key bytea,
          master_key_id text NOT NULL,
          created_at timestamptz NOT NULL,
          erased_at timestamptz
        )`);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    }).catch((err) => {
      ready = undefined; // retry on the next call (PostgreSQL may come back)
      throw err;
    }));

  const row = (r: Record<string, unknown>): StoredKey => ({
    ref: r.ref as string,
    wrappedKey: (r.wrapped_key as Buffer | null) ?? null,
    masterKeyId: r.master_key_id as string,
    createdAt: (r.created_at as Date).toISOString(),
    erasedAt: r.erased_at ? (r.erased_at as Date).toISOString() : null,
  });
  const q = async (what: string, text: string, values: unknown[]) => {
    await ensure();
    return guard(what, () => pool.query(text, values));
  };

  return {
    kind: 'postgres',
    async put(k) {
      await q('write', `INSERT INTO ${table} (ref, wrapped_key, master_key_id, created_at) VALUES ($1, $2, $3, $4)`, [
        k.ref,
        k.wrappedKey,
        k.masterKeyId,
        k.createdAt,
      ]);
    },
    async get(ref) {
      const r = await q('read', `SELECT ref, wrapped_key, master_key_id, created_at, erased_at FROM ${table} WHERE ref = $1`, [ref]);
      return r.rows[0] ? row(r.rows[0]) : undefined;
    },
    async destroy(ref, erasedAt): Promise<DestroyOutcome> {
      // One statement: the tombstone tells "already erased" from "unknown" without a second round trip.
      const r = await q(
        'erase',
        `WITH e AS (UPDATE ${table} SET wrapped_key = NULL, erased_at = $2 WHERE ref = $1 AND wrapped_key IS NOT NULL RETURNING ref)
         SELECT (SELECT count(*) FROM e)::int AS destroyed, (SELECT count(*) FROM ${table} WHERE ref = $1)::int AS known`,
        [ref, erasedAt],
      );
      const { destroyed, known } = r.rows[0] as { destroyed: number; known: number };
      return destroyed === 1 ? 'destroyed' : known ? 'already_erased' : 'unknown';
    },
    async keysNotUnder(masterKeyId, afterRef, limit) {
      const r = await q(
        'read',
        `SELECT ref, wrapped_key, master_key_id, created_at, erased_at FROM ${table} WHERE ref > $1 AND wrapped_key IS NOT NULL AND master_key_id <> $2 ORDER BY ref LIMIT $3`,
        [afterRef, masterKeyId, limit],
      );
      return r.rows.map(row);
    },
    async rewrap(ref, from, wrappedKey, masterKeyId) {
      const r = await q('write', `UPDATE ${table} SET wrapped_key = $1, master_key_id = $2 WHERE ref = $3 AND master_key_id = $4 AND wrapped_key IS NOT NULL`, [
        wrappedKey,
        masterKeyId,
        ref,
        from,
      ]);
      return r.rowCount === 1;
    },
    async ping() {
      await q('read', 'SELECT 1', []);
    },
    async close() {
      await pool.end();
    },
  };
}
