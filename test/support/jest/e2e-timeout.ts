// End-to-end tests boot the API (and sometimes a worker, PostgreSQL, Redis) per file: two minutes per test or hook.
// (Jest reads `testTimeout` from the global configuration only, never from a project's, so each project sets its own here.)
jest.setTimeout(120_000);
