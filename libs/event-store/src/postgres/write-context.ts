/**
 * What the PostgreSQL write paths (fast-write.ts, checked-write.ts) and the appender that chooses between
 * them (appender.ts) share with the store: its pool and tables, its NOTIFY channel, its clock, its head
 * cache, the test seam around COMMIT, and how to tell subscribers that something committed. Types only, so
 * that the write modules depend on this file and not on the store class.
 */
import type { Pool } from 'pg';
import type { AppendResult } from '../port';
import type { PreparedAppend } from '../validation';
import type { HeadCache } from './head-cache';

/** An append waiting in the group-commit queue (already validated and canonicalised). */
export interface PendingAppend extends PreparedAppend {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** Quoted, schema-qualified table names of one store. */
export interface StoreTables {
  events: string;
  streams: string;
  commands: string;
  claims: string;
  meta: string;
}

/** Which write path ran a transaction: the one-statement path or the checked (row-locking) path. */
export type WritePath = 'fast' | 'checked';

export interface BeforeCommitInfo {
  /** The writing transaction's id (xid8, decimal). */
  transactionId: string;
  /** The streams the transaction writes (checked path: every stream of the batch), sorted. */
  streamIds: string[];
  path: WritePath;
}

/**
 * Test seam: awaited inside a write transaction that wrote events, just before its COMMIT. Both write paths
 * call it (the one-statement path then runs its statement inside BEGIN/COMMIT instead of on its own).
 */
export type BeforeCommitHook = (info: BeforeCommitInfo) => Promise<void>;

export interface WriteContext {
  readonly pool: Pool;
  readonly tables: StoreTables;
  /** The channel NOTIFY'd by every commit that writes events. */
  readonly channel: string;
  readonly clock: () => Date;
  readonly heads: HeadCache;
  readonly beforeCommit?: BeforeCommitHook;
  /** Resolves once the schema exists (the store's lazy init). */
  ready(): Promise<void>;
  statementName(text: string): string;
  /** Something committed: wake this store's subscribers. */
  signalCommit(): void;
}
