import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { ApiError } from '../../shared/errors/api-error';

/**
 * Keys the global ValidationPipe never reports: it deletes `__proto__`, `prototype` and `constructor`
 * (prototype-pollution guard) and class-transformer drops keys named like Object.prototype members
 * (`toString`, `valueOf`…). They would be ignored silently, so a body with them would be accepted;
 * the wire contract says an unknown field is a 400. Runs before the pipes, on the raw body.
 */
const RESERVED = new Set(['__proto__', 'prototype', 'constructor', ...Object.getOwnPropertyNames(Object.prototype)]);

function findReserved(value: unknown, path: string, depth = 0): string | undefined {
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  for (const key of Object.keys(value)) {
    const field = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (!Array.isArray(value) && RESERVED.has(key)) return field;
    const nested = findReserved((value as Record<string, unknown>)[key], field, depth + 1);
    if (nested) return nested;
  }
  return undefined;
}

@Injectable()
export class ReservedKeysInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const field = findReserved(context.switchToHttp().getRequest<{ body?: unknown }>().body, '');
    if (field) throw ApiError.validation([{ field, message: `property ${field} should not exist` }]);
    return next.handle();
  }
}
