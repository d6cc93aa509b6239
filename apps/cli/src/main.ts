import 'reflect-metadata';
import { runCli } from './cli';

// Entry point of `npm run cli -- ...` (through scripts/run.js, so `require.main` is not this module).
runCli(process.argv.slice(2)).then((code) => process.exit(code));
