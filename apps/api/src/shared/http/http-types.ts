import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The few Express request/response members the API uses (the project does not depend on
 * @types/express; Express 5 objects extend Node's http ones).
 */
export interface Request extends IncomingMessage {
  body?: unknown;
  method: string;
  originalUrl: string;
  path: string;
  baseUrl: string;
  route?: { path?: unknown };
  correlationId?: string;
}
export interface Response extends ServerResponse {
  status(code: number): this;
  json(body: unknown): this;
}
export type NextFunction = (err?: unknown) => void;
