/**
 * Reference data: agencies and procedures through time. The events (stable type strings and their
 * versioned shapes), their pure fold into the in-memory read model ("agency / subtree / procedure rules
 * as of a date") and the views the API answers with. No framework, no I/O: the API, the CLI, the
 * projections, the importer and the alerts share this one declaration.
 */
export * from './events';
export * from './reference-data';
export * from './views';
