/** Deepest JSON nesting accepted; no command needs more than a handful of levels. */
export const MAX_JSON_DEPTH = 32;

/** Iterative (never recursive) depth check, so a hostile body cannot blow the stack. */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return true;
    for (const child of Object.values(v as object)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}
