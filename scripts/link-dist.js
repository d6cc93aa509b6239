#!/usr/bin/env node
// Lays out a compiled tree (default dist/) as Node resolves it: one manifest per library under
// <dist>/node_modules/@motcua/<lib>, whose entry is that library's compiled index in the same tree. Compiled
// code finds these before the workspace links of the repository's node_modules (which point at the
// TypeScript sources, for the type checker and the tests), so a build, and every private copy of one (the
// fault tests build their own), runs on its own compiled libraries.
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..');
const dist = path.resolve(process.argv[2] || path.join(root, 'dist'));
for (const lib of fs.readdirSync(path.join(root, 'libs'))) {
  const manifest = path.join(root, 'libs', lib, 'package.json');
  if (!fs.existsSync(manifest)) continue;
  const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  const dir = path.join(dist, 'node_modules', ...name.split('/'));
  fs.mkdirSync(dir, { recursive: true });
  const main = path
    .relative(dir, path.join(dist, 'libs', lib, 'src', 'index.js'))
    .split(path.sep)
    .join('/');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, main }, null, 2) + '\n');
}
