/**
 * The threaded bulk replay of a rebuild (SQLite event store and read models on files) gives exactly
 * the tables of the single-thread rebuild and of the live runner, on a log that interleaves the
 * dossiers event by event (a thread then evicts open dossiers and refolds them from their streams),
 * holds agency versions and a merge (thread 0's), and forces intermediate counter writes.
 */
jest.setTimeout(180_000);

import { readdirSync } from 'node:fs';
import { createWorkingCalendar } from '@motcua/calendar';
import { activeSet, ProjectionRunner } from './runner';
import { rebuildSla } from './rebuild';
import { dumpTableSet, makeEnv, type Env, settledHead } from './testing/fixtures';
import { SCENARIO_AGENCIES as AG, SCENARIO_PROCEDURES as PROCEDURES, prng, randomLifecycle, writeRandomDossiers, writeScenario } from '@motcua/testing';
import { SLA_PROJECTION } from './sla/schema';

describe('parallel rebuild (sqlite)', () => {
  let env: Env;
  beforeAll(async () => {
    env = await makeEnv('sqlite', 'parallel');
  });
  afterAll(() => env.cleanup());

  it('threads write the same tables as one thread and as the live runner', async () => {
    const load = { agencies: [AG.A, AG.B], procedures: PROCEDURES, startDay: '2025-06-02', days: 50, seed: 5 };
    await writeScenario(env.store);
    await writeRandomDossiers(env.store, 120, load, 0);
    // 200 dossiers appended one event at a time, round robin: every dossier stays open across pages.
    const rnd = prng(3);
    const calendar = createWorkingCalendar();
    const lives = Array.from({ length: 200 }, (_, i) => {
      const code = `PAR-250602-${String(i).padStart(4, '0')}`;
      return { code, events: randomLifecycle(code, i, rnd, load, calendar), next: 0 };
    });
    for (let round = 0; lives.some((l) => l.next < l.events.length); round++) {
      for (const l of lives) {
        if (l.next >= l.events.length) continue;
        const e = l.events[l.next];
        await env.store.append(
          `dossier-${l.code}`,
          [{ type: e.type, data: e.data as unknown as Record<string, unknown>, metadata: { actor: 'test', correlationId: l.code } }],
          {
            expectedRevision: l.next === 0 ? 'no_stream' : l.next - 1,
          },
        );
        l.next++;
      }
    }

    const live = new ProjectionRunner({ store: env.store, db: env.openDb('live'), maxDelayMs: 5 });
    await live.start();
    await live.waitFor(await settledHead(env));
    await live.stop();

    const single = env.openDb('single');
    const one = await rebuildSla({ store: env.store, db: single, threads: 0 });
    expect(one.parallel).toBeUndefined();

    const threaded = env.openDb('threaded');
    const many = await rebuildSla({
      store: env.store,
      db: threaded,
      threads: 3,
      parallelMinEvents: 0,
      readBatch: 97,
      flushEvery: 300,
      maxHeldCounters: 300,
      threadCacheLimit: 20,
    });
    expect(many.parallel?.threads).toBe(3);
    expect(many.events).toBe(one.events);
    expect(many.position).toBe(await settledHead(env));
    expect((await activeSet(threaded))!.tableSet).toBe(many.tableSet);

    const expected = await dumpTableSet(env.openDb('live'), `${SLA_PROJECTION}_g1`);
    expect(expected.dossiers.length).toBeGreaterThan(320);
    expect(await dumpTableSet(single, one.tableSet)).toEqual(expected);
    expect(await dumpTableSet(threaded, many.tableSet)).toEqual(expected);
  });

  it('a threaded rebuild aborted while its counters are summed leaves no scratch file, and the serving set serves on', async () => {
    const db = env.openDb('aborted');
    const first = await rebuildSla({ store: env.store, db, threads: 2, parallelMinEvents: 0 });
    const before = await dumpTableSet(db, first.tableSet);
    const abort = new AbortController();
    const phases: string[] = [];
    const second = rebuildSla({
      store: env.store,
      db,
      threads: 2,
      parallelMinEvents: 0,
      signal: abort.signal,
      onProgress: (p) => {
        phases.push(p.phase);
        // The first 'indexing' comes when the replay threads are done: the sum thread is starting.
        if (p.phase === 'indexing') abort.abort();
      },
    });
    await expect(second).rejects.toThrow('rebuild aborted');
    expect(phases).toContain('indexing');
    expect(readdirSync(env.dir).filter((f) => f.includes('.rebuild-'))).toEqual([]);
    expect((await activeSet(db))!.tableSet).toBe(first.tableSet);
    expect(await dumpTableSet(db, first.tableSet)).toEqual(before);
  });
});
