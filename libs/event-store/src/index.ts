export * from './port';
export * from './errors';
export * from './hash';
export * from './validation';
export { SqliteEventStore, createSqliteEventStore, type SqliteEventStoreOptions } from './sqlite/sqlite-event-store';
export { PostgresEventStore, createPostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres-event-store';
export { createKurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb/kurrentdb-event-store';
export { SqliteLogReader, sqliteEventStoreFile, type LogRow, type SqliteLogReaderOptions } from './sqlite/sqlite-log-reader';
