/** Errors of the event-store port. Adapters translate engine errors into these. */
export class EventStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream was not at the expected revision. `actual` is -1 when the stream does not exist. */
export class WrongExpectedRevisionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: string | number,
    readonly actual: number,
  ) {
    super('CONCURRENCY_CONFLICT', `stream ${streamId}: expected revision ${expected}, actual ${actual}`);
  }
}

/** An event too large, not JSON-serialisable, or with a missing/invalid type or metadata. */
export class InvalidEventError extends EventStoreError {
  constructor(message: string) {
    super('INVALID_EVENT', message);
  }
}

/** The engine cannot be reached: the API maps this to 503 with Retry-After. */
export class StoreUnavailableError extends EventStoreError {
  constructor(
    message: string,
    override readonly cause?: unknown,
    code = 'STORE_UNAVAILABLE',
  ) {
    super(code, message);
  }
}

/**
 * The engine refused a write for lack of space (SQLite SQLITE_FULL, the file system's ENOSPC, PostgreSQL 53100
 * disk_full): nothing of the append was written, and a retry after space was freed may succeed. A kind of
 * StoreUnavailableError, so every caller that retries those retries this too.
 */
export class StoreFullError extends StoreUnavailableError {
  constructor(message: string, cause?: unknown) {
    super(message, cause, 'STORE_FULL');
  }
}

/**
 * An append with `commandIdScope: 'store'` whose command id was already claimed by an append to another stream:
 * nothing was written. `claimedBy` is the stream the command id names.
 */
export class CommandIdTakenError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly commandId: string,
    readonly claimedBy: string,
  ) {
    super('COMMAND_ID_TAKEN', `command id ${JSON.stringify(commandId)} names an append to ${claimedBy}, not to ${streamId}`);
  }
}
