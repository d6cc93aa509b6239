import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request context carried through async calls so that every log line names its request. */
export interface RequestContext {
  correlationId: string;
  /** Authenticated principal id, once known. */
  actor?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentCorrelationId(): string | undefined {
  return requestContext.getStore()?.correlationId;
}
