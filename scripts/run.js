#!/usr/bin/env node
// Runs a compiled entry point from dist/, resolving the `@motcua/<lib>` path aliases of
// tsconfig.json to their compiled folders. A dozen lines instead of a runtime dependency.
'use strict';
const Module = require('module');
const path = require('path');
const dist = path.resolve(__dirname, '..', 'dist');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@motcua\/([^/]+)$/.exec(request);
  if (m) request = path.join(dist, 'libs', m[1], 'src', 'index.js');
  return resolve.call(this, request, ...rest);
};
const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run.js dist/<entry>.js [args...]');
  process.exit(2);
}
process.argv.splice(1, 1); // so the entry sees its own arguments at argv[2..]
require(path.resolve(entry));
