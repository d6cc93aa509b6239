export * from './sql/driver';
export * from './quarantine/quarantine';
export * from './sla/schema';
export * from './sla/agencies';
export * from './sla/projection';
export * from './runner';
export * from './rebuild';
export * from './query';
export { motcuaModulePrelude } from './module-prelude';
