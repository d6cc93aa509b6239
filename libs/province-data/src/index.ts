export * from './csv-format';
export * from './prng';
export * from './local-time';
export { createSimpleCalendar } from './simple-calendar';
export * from './generator';
export * from './write-files';
