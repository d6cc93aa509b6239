// Lets a child process or worker thread of an integration test run the TypeScript sources directly (no
// build): transpiles .ts on require. `@motcua/<lib>` resolves through the workspace links like any package.
'use strict';
const ts = require('typescript');
const fs = require('fs');
require.extensions['.ts'] = function (module, filename) {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true },
  });
  module._compile(out.outputText, filename);
};
