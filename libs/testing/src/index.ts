/**
 * Fixtures for the tests and benchmarks, in one place: builders of procedures, agencies and instants;
 * a given/when/then helper for deciders; dossier writers that drive the real decider and append through
 * the application service, as the API does (a writer of commands, random lifecycles, the hand-computed
 * SLA scenario, always-open dossiers with deadlines in seconds); small waiting and Redis helpers.
 * Only test code and bench/ import it (the dependency rules forbid it in production code).
 */
export * from './instants';
export * from './procedures';
export * from './agencies';
export * from './reference-events';
export * from './given-when-then';
export * from './dossiers/dossier-writer';
export * from './dossiers/random-load';
export * from './dossiers/sla-scenario';
export * from './dossiers/always-open';
export * from './waiting';
export * from './redis';
export * from './skipping';
