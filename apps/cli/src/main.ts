import 'reflect-metadata';
import { runCli } from './cli';

// Entry point of the compiled CLI; `npm run cli -- ...` reaches it through scripts/cli.js, which requires it
// (so `require.main` is not this module).
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
    process.exit(1);
  },
);
