/**
 * Blue/green rebuild while commands keep arriving: a live runner following the active set keeps
 * projecting; the rebuild replays into generation 2 and swaps it in, the live runner moves over.
 * Afterwards the rebuilt tables equal those of an uninterrupted live runner (in its own store).
 */
jest.setTimeout(120_000);

import { ProjectionRunner, activeSet } from './runner';
import { rebuildSla, type RebuildProgress } from './rebuild';
import { SlaQueryService } from './query';
import { dumpTableSet, makeEnv, settledHead, type Engine, type Env } from './testing/fixtures';
import { SCENARIO_AGENCIES as AG, SCENARIO_PROCEDURES as PROCEDURES, writeRandomDossiers, writeScenario } from '@motcua/testing';
import { SLA_PROJECTION } from './sla/schema';

describe.each<Engine>(['sqlite', 'postgres'])('rebuild while events arrive (%s)', (engine) => {
  let env: Env;
  beforeAll(async () => {
    env = await makeEnv(engine, 'rebuild');
  });
  afterAll(() => env.cleanup());

  it('swaps in a rebuilt table set identical to the live one', async () => {
    const load = { agencies: [AG.A, AG.B], procedures: PROCEDURES, startDay: '2025-06-02', days: 50, seed: 11 };
    await writeScenario(env.store);
    await writeRandomDossiers(env.store, 100, load, 0);
    const follower = new ProjectionRunner({ store: env.store, db: env.db, maxDelayMs: 5 });
    await follower.start();
    await follower.waitFor();
    const liveDb = env.openDb('live');
    const pinned = new ProjectionRunner({ store: env.store, db: liveDb, pinnedTableSet: `${SLA_PROJECTION}_g1`, maxDelayMs: 5 });
    await pinned.start();

    // Commands keep arriving during the rebuild (through a second store handle, as the API would).
    const writer = await env.openStore();
    let writing = true;
    const writes = (async () => {
      // Paced and bounded: a rebuild catches up only with a log that grows slower than it replays.
      for (let i = 100; i < 400 && (writing || i < 160); i += 10) {
        await writeRandomDossiers(writer, 10, load, i);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const progress: RebuildProgress[] = [];
    const result = await rebuildSla({ store: env.store, db: env.openDb(), readBatch: 50, flushEvery: 100, onProgress: (p) => progress.push(p) });
    expect(result.tableSet).toBe(`${SLA_PROJECTION}_g2`);
    expect((await activeSet(env.db))!.tableSet).toBe(`${SLA_PROJECTION}_g2`);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['replaying', 'indexing', 'swapped', 'done']));
    writing = false;
    await writes;

    // Every event written, not PostgreSQL's head of the moment (held back by any transaction in flight in the cluster).
    const head = await settledHead(env);
    await pinned.waitFor(head);
    await follower.waitFor(head);
    expect(follower.tableSet).toBe(`${SLA_PROJECTION}_g2`); // the live runner moved to the swapped-in set
    await pinned.stop();
    await follower.stop();
    const live = await dumpTableSet(liveDb, `${SLA_PROJECTION}_g1`);
    const rebuilt = await dumpTableSet(env.db, `${SLA_PROJECTION}_g2`);
    expect(rebuilt.dossiers.length).toBeGreaterThan(160);
    expect(rebuilt).toEqual(live);
    // Queries read the active set, with a watermark at the head.
    const q = new SlaQueryService({ db: env.db, store: env.store });
    const r = await q.sla({ from: '2025-06-01', to: '2025-07-31', by: 'agency' });
    expect(r.watermark).toMatchObject({ tableSet: `${SLA_PROJECTION}_g2`, behind: 0, position: head });
  });
});
