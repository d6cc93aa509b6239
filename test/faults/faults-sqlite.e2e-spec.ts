/**
 * The fault suite (./fault-suite.ts) on the embedded default, what `npm start` runs: the event store, the read
 * models and the alerts are SQLite files in DATA_DIR, two API processes share the port (node:cluster). kill -9
 * of one API process, of the worker, and of all at once; another process killed in the middle of an
 * uncommitted write while holding the event store's write lock past its busy timeout; our own Redis killed
 * and started. `npm run test:faults`; FAULTS_SEED replays a schedule.
 */
import { faultSuite } from './fault-suite';

jest.setTimeout(300_000);

faultSuite('sqlite');
