/**
 * Exactly once, on real stores: a runner SIGKILLed in the middle of a batch transaction (a child
 * process), then restarted, gives the same tables as an uninterrupted run; events delivered twice
 * are counted once.
 */
jest.setTimeout(120_000);

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { EventStore } from '@motcua/event-store';
import { ProjectionRunner, readCheckpoint } from './runner';
import { dumpTableSet, makeEnv, settledHead, type Engine, type Env } from './testing/fixtures';
import { SCENARIO_AGENCIES as AG, SCENARIO_PROCEDURES as PROCEDURES, writeRandomDossiers, writeScenario } from '@motcua/testing';
import { SLA_PROJECTION } from './sla/schema';

async function project(env: Env, db = env.db, store: EventStore = env.store) {
  const runner = new ProjectionRunner({ store, db, maxBatch: 100, readBatch: 100, maxDelayMs: 5 });
  await runner.start();
  await runner.waitFor(await settledHead(env));
  await runner.stop();
  return runner.tableSet;
}

describe.each<Engine>(['sqlite', 'postgres'])('exactly once (%s)', (engine) => {
  let env: Env;
  let reference: Record<string, unknown[]>;

  beforeAll(async () => {
    env = await makeEnv(engine, 'once');
    await writeScenario(env.store);
    await writeRandomDossiers(env.store, 150, { agencies: [AG.A, AG.B], procedures: PROCEDURES, startDay: '2025-06-02', days: 50, seed: 7 });
    const ref = env.openDb('ref');
    reference = await dumpTableSet(ref, await project(env, ref));
    expect(reference.dossiers.length).toBeGreaterThan(150);
  });
  afterAll(() => env.cleanup());

  it('a runner killed (SIGKILL) inside a batch transaction restarts and ends with the same figures', async () => {
    const child = spawn(process.execPath, ['-r', join(__dirname, 'testing/ts-register.js'), join(__dirname, 'testing/crash-child.ts'), engine, env.id, '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect({ signal, err }).toEqual({ signal: 'SIGKILL', err: '' });
    expect(out).toMatch(/^KILL 100 \d+\n$/);
    // Two batches committed, the third (written, not committed) rolled back by the crash.
    const db = env.openDb();
    expect((await readCheckpoint(db, `${SLA_PROJECTION}_g1`))!.events).toBe(200);
    const set = await project(env, db);
    expect(await dumpTableSet(db, set)).toEqual(reference);
  });

  it('the same events delivered twice, or the whole log again, are counted once', async () => {
    const twice: EventStore = Object.create(env.store);
    twice.subscribeToAll = (handler, options) =>
      env.store.subscribeToAll(async (events) => {
        await handler(events);
        await handler(events);
        await handler(events.slice(0, 1));
      }, options);
    const db = env.openDb('dup');
    const set = await project(env, db, twice);
    expect(await dumpTableSet(db, set)).toEqual(reference);
    // A transport that ignores the checkpoint and replays from the start changes nothing.
    const replayAll: EventStore = Object.create(env.store);
    replayAll.subscribeToAll = (handler, options) => env.store.subscribeToAll(handler, { ...options, after: undefined });
    await project(env, db, replayAll);
    expect(await dumpTableSet(db, set)).toEqual(reference);
  });
});
