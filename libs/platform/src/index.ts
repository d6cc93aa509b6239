/**
 * The platform layer: what every process (API, worker, CLI) is composed from. The one configuration
 * loader, the factories of the event store, the read models and the key vault, the logger, the clock,
 * the auth primitives and the Nest modules that bind them. Apps import it; it imports no app.
 */
export * from './config/config-error';
export * from './config/app-config';
export * from './config/personal-data.config';
export * from './clock';
export * from './logging/logger';
export * from './errors/api-error';
export * from './errors/validation-details';
export * from './auth/auth.types';
export * from './auth/jwt';
export * from './factories/event-store.factory';
export * from './factories/read-models.factory';
export * from './factories/quarantine.factory';
export * from './factories/key-vault.factory';
export * from './nest/config.module';
export * from './nest/infrastructure.module';
