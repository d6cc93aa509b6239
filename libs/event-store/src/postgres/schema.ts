/**
 * DDL of the PostgreSQL adapter. One schema per store (tests use a throw-away schema each).
 *
 * - events: the log. `seq` is a bigserial (allocation order, NOT commit order); `transaction_id` is the
 *   writing transaction's xid8. Readers of the global log order by (transaction_id, seq) and only read
 *   rows whose transaction_id is below the xmin of their snapshot (see postgres-event-store.ts).
 * - streams: one row per stream, the head revision and hash; the row lock serialises writers of a stream.
 * - commands: the idempotency record, kept forever: (stream_id, command_id) -> revision of the last event
 *   the command wrote. The position of the original result is read back from events.
 * - command_claims: the command ids appended with `commandIdScope: 'store'`, each with the one stream it
 *   names (the primary key makes a second stream's claim fail), written in the append's transaction.
 * - stream_metadata: free-form metadata per stream.
 */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new RangeError(`invalid PostgreSQL schema name: ${name}`);
  return `"${name}"`;
}

export function schemaDdl(schema: string): string {
  const s = quoteIdent(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.events (
  seq            bigserial   NOT NULL,
  transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
  stream_id      text        NOT NULL,
  revision       bigint      NOT NULL,
  type           text        NOT NULL,
  data           json        NOT NULL,
  metadata       json        NOT NULL,
  recorded_at    timestamptz NOT NULL,
  hash           text        NOT NULL,
  prev_hash      text        NOT NULL,
  PRIMARY KEY (stream_id, revision)
);
CREATE UNIQUE INDEX IF NOT EXISTS events_global_order ON ${s}.events (transaction_id, seq);
CREATE TABLE IF NOT EXISTS ${s}.streams (
  stream_id text   PRIMARY KEY,
  revision  bigint NOT NULL,
  last_hash text   NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.commands (
  stream_id              text        NOT NULL,
  command_id             text        NOT NULL,
  next_expected_revision bigint      NOT NULL,
  recorded_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, command_id)
);
CREATE TABLE IF NOT EXISTS ${s}.command_claims (
  command_id  text        PRIMARY KEY,
  stream_id   text        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${s}.stream_metadata (
  stream_id  text        PRIMARY KEY,
  metadata   json        NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
}
