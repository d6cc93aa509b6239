import { join } from 'node:path';

/**
 * Code to run first in a fresh worker thread or child process of this library (a thread or process has
 * a module loader of its own), so that it can `require('@motcua/<lib>')` as its starter does: from the
 * TypeScript sources through the tests' ts-register; from the compiled build the usual way, else next
 * to this library's compiled folder (scripts/run.js maps the aliases the same way).
 */
export function motcuaModulePrelude(): string {
  if (__filename.endsWith('.ts')) return `require(${JSON.stringify(join(__dirname, 'testing', 'ts-register.js'))});`;
  const libs = join(__dirname, '..', '..');
  return `{ const M = require('module'); const path = require('path'); const r = M._resolveFilename;
    M._resolveFilename = function (q, ...rest) {
      try { return r.call(this, q, ...rest); } catch (e) {
        const m = /^@motcua\\/([^/]+)$/.exec(q); if (!m) throw e;
        return r.call(this, path.join(${JSON.stringify(libs)}, m[1], 'src', 'index.js'), ...rest);
      }
    }; }`;
}
