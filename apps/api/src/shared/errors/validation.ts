import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { ApiError, flattenValidationErrors } from '@motcua/platform';

export { flattenValidationErrors } from '@motcua/platform';
import { findReservedKeys } from './reserved-keys';

/**
 * The global pipe: Nest's ValidationPipe (whitelist, forbid unknown fields, transform) preceded by a check
 * of the raw body and query for reserved keys (`__proto__`, `constructor`, `toString`…, see reserved-keys.ts),
 * which the pipe itself would drop silently instead of reporting as unknown. Runs for every route and
 * parameter the pipe sees, after the guards (so 401/403 come first, like any other validation error).
 */
export class PlatformValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if ((metadata.type === 'body' || metadata.type === 'query') && value !== null && typeof value === 'object') {
      const reserved = findReservedKeys(value, metadata.data ?? '');
      if (reserved.length > 0) throw ApiError.validation(reserved.map((field) => ({ field, message: `property ${field} should not exist` })));
    }
    return super.transform(value, metadata);
  }
}

/** Global pipe: strips nothing silently: unknown fields are an error; values are transformed to DTO types. */
export function createValidationPipe(): ValidationPipe {
  return new PlatformValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ApiError.validation(flattenValidationErrors(errors)),
  });
}
