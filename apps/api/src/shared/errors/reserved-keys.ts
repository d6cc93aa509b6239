/**
 * Keys the global ValidationPipe never reports: Nest deletes `__proto__`, `prototype` and `constructor`
 * (its prototype-pollution guard) and class-transformer drops keys named like Object.prototype members
 * (`toString`, `valueOf`, `hasOwnProperty`…) before whitelisting. A body with them would be accepted
 * with the key silently ignored, while the wire contract says an unknown field is a 400.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor', ...Object.getOwnPropertyNames(Object.prototype)]);

/** Deepest level walked; deeper bodies are refused earlier by the JSON-depth middleware. */
const MAX_DEPTH = 64;

/**
 * Every reserved key in a parsed JSON value, as field paths like `applicant.toString` or `items[0].__proto__`
 * (the names the validation details use). Iterative, so a hostile body cannot blow the stack.
 */
export function findReservedKeys(value: unknown, root = ''): string[] {
  const found: string[] = [];
  const stack: [unknown, string, number][] = [[value, root, 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) continue;
    const isArray = Array.isArray(v);
    // Object.keys lists own enumerable keys, including an own `__proto__` that JSON.parse creates.
    for (const key of Object.keys(v)) {
      const field = isArray ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!isArray && RESERVED_KEYS.has(key)) found.push(field);
      const child = (v as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push([child, field, depth + 1]);
    }
  }
  return found;
}
