export * from './crypto';
export * from './vault';
export * from './protector';
export * from './dev-key';
export * from './redact';
export { createSqliteKeyVault } from './sqlite-vault';
export { createPostgresKeyVault } from './postgres-vault';
