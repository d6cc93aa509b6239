export * from './errors';
export * from './status';
export * from './events';
export * from './commands';
export * from './state';
export * from './decide';
export * from './classification';
export * from './dossier-code';
export { INSTANT_YEARS, isIsoInstant, isIsoUtcInstant, ms as instantMs } from './time';
