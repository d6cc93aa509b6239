export * from './calendar-version';
export * from './plan';
export * from './events';
export * from './config';
export * from './projection';
export * from './db';
export * from './schedule';
