import { join } from 'node:path';

/**
 * Code to run first in a fresh worker thread or child process of this library (a thread or process has
 * a module loader of its own). From the compiled build nothing is needed: `@motcua/<lib>` resolves to the
 * build's own compiled libraries (scripts/link-dist.js). From the TypeScript sources (tests) it registers
 * the tests' transpiler for `.ts` files.
 */
export function motcuaModulePrelude(): string {
  return __filename.endsWith('.ts') ? `require(${JSON.stringify(join(__dirname, 'testing', 'ts-register.js'))});` : '';
}
