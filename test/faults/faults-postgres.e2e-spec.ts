/**
 * The fault suite (./fault-suite.ts) on PostgreSQL: event store, read models and alerts on our own PostgreSQL,
 * which is stopped ("immediate": connections dropped) and started during the load; kill -9 of the API and the
 * worker; our own Redis killed and started. `npm run test:faults`; FAULTS_SEED replays a schedule.
 */
import { faultSuite } from './fault-suite';

jest.setTimeout(300_000);

faultSuite('postgres');
