export * from './port';
export * from './errors';
export * from './hash';
export * from './validation';
export { SqliteEventStore, createSqliteEventStore, type SqliteEventStoreOptions } from './sqlite/sqlite-event-store';
