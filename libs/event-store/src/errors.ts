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
  ) {
    super('STORE_UNAVAILABLE', message);
  }
}
