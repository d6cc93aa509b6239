// Integration tests talk to real PostgreSQL, Redis and SQLite files: a minute per test or hook.
// (Jest reads `testTimeout` from the global configuration only, never from a project's, so each project sets its own here.)
jest.setTimeout(60_000);
