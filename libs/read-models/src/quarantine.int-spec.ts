/**
 * Poison events in the SLA projection, on real stores (SQLite and PostgreSQL): two logs, one with only the
 * good events and one with the same good events plus events the fold cannot apply, written straight into
 * the store (a receipt in year 9999 due in year 10000, a receipt without a due date, one whose agency code
 * is a number, a resumption without its paused working time followed by a completion of the same dossier).
 *
 * The runner goes past them: the checkpoint reaches the head, every other dossier's row and every day
 * counter equal the clean log's, the held dossier's row is its last good state flagged `quarantined`, and it
 * leaves the open-dossier figures from the bad event on. Each bad event is in the quarantine once, in the
 * transaction of its batch: a batch rolled back and redone, a restart, a rebuild (one thread, or the
 * threaded bulk replay) add nothing and report nothing again.
 */
jest.setTimeout(120_000);

import type { EventStore, RecordedEvent } from '@motcua/event-store';
import { DossierWriter, itUnless, SCENARIO_AGENCIES as AG, SCENARIO_PROCEDURES as PROCEDURES, writeRandomDossiers, writeScenario } from '@motcua/testing';
import { ProjectionRunner, readCheckpoint } from './runner';
import { rebuildSla } from './rebuild';
import { SlaQueryService } from './query';
import { sqlQuarantine, type QuarantinedEvent } from './quarantine/quarantine';
import { SLA_PROJECTION } from './sla/schema';
import { dumpTableSet, makeEnv, type Engine, type Env } from './testing/fixtures';
import type { SqlDb } from './sql/driver';

const X = Object.keys(PROCEDURES)[0];
const HELD = 'Q-HELD';

async function raw(store: EventStore, code: string, type: string, data: Record<string, unknown>): Promise<void> {
  await store.append(`dossier-${code}`, [{ type, data, metadata: { actor: 'legacy-import', agencyCode: AG.A, correlationId: `legacy-${code}` } }], {
    expectedRevision: 'any',
  });
}

/** The same good events in both logs; `poisoned` adds the bad ones between them. */
async function writeLog(store: EventStore, poisoned: boolean): Promise<void> {
  await writeScenario(store);
  const w = new DossierWriter(store, { procedures: PROCEDURES });
  await w.do(HELD, { type: 'receive', dossierCode: HELD, agencyCode: AG.A, procedureCode: X, channel: 'counter', occurredAt: '2025-06-10T09:00:00+07:00' });
  await w.do(HELD, { type: 'request_supplement', occurredAt: '2025-06-11T09:00:00+07:00', reason: 'thiếu giấy tờ' });
  const receipt = (await store.readStream(`dossier-${HELD}`))[0].data;
  if (poisoned) {
    await raw(store, 'Q-BAD-YEAR', 'dossier.received.v1', {
      ...receipt,
      dossierCode: 'Q-BAD-YEAR',
      occurredAt: '9999-12-31T16:59:59.000Z',
      clockStartAt: '9999-12-31T16:59:59.000Z',
      dueAt: '+010000-01-07T00:00:00.000Z',
    });
    const { dueAt: _dueAt, ...noDue } = receipt;
    await raw(store, 'Q-BAD-DUE', 'dossier.received.v1', { ...noDue, dossierCode: 'Q-BAD-DUE' });
    // Resumed on 16 June, but without the paused working time: the dossier is held from here on.
    await raw(store, HELD, 'dossier.supplement-supplied.v1', {
      occurredAt: '2025-06-16T02:00:00.000Z',
      previousDueAt: receipt.dueAt,
      dueAt: '2025-06-19T10:00:00.000Z',
      calendarVersion: receipt.calendarVersion,
    });
  }
  await writeRandomDossiers(store, 120, { agencies: [AG.A, AG.B], procedures: PROCEDURES, startDay: '2025-06-02', days: 40, seed: 11 });
  if (poisoned) {
    await raw(store, 'Q-BAD-CODE', 'dossier.received.v1', { ...receipt, dossierCode: 'Q-BAD-CODE', agencyCode: 42 });
    await raw(store, HELD, 'dossier.completed.v1', { occurredAt: '2025-06-18T02:00:00.000Z', outcome: 'approved', electronicResult: true });
  }
}

async function project(env: Env, db: SqlDb, hooks: ConstructorParameters<typeof ProjectionRunner>[0]['hooks'] = {}): Promise<string> {
  const runner = new ProjectionRunner({ store: env.store, db, maxBatch: 50, readBatch: 50, maxDelayMs: 5, restartDelayMs: 10, hooks });
  await runner.start();
  await runner.waitFor(await env.store.headPosition());
  await runner.stop();
  return runner.tableSet;
}

const withoutHeld = (t: Record<string, unknown[]>) => ({ ...t, dossiers: t.dossiers.filter((r) => (r as { code: string }).code !== HELD) });
const heldRow = (t: Record<string, unknown[]>) => t.dossiers.find((r) => (r as { code: string }).code === HELD) as Record<string, unknown>;

describe.each<Engine>(['sqlite', 'postgres'])('SLA projection: poison events are quarantined, the rest stays exact (%s)', (engine) => {
  let clean: Env;
  let poisoned: Env;
  let cleanTables: Record<string, unknown[]>;
  let set: string;
  let tables: Record<string, unknown[]>;
  let reported: QuarantinedEvent[];
  let stored: QuarantinedEvent[];
  let log: RecordedEvent[];

  beforeAll(async () => {
    clean = await makeEnv(engine, 'qclean');
    poisoned = await makeEnv(engine, 'qpoison');
    await writeLog(clean.store, false);
    await writeLog(poisoned.store, true);
    log = await poisoned.store.readAll({ maxCount: 100_000 });
    cleanTables = await dumpTableSet(clean.db, await project(clean, clean.db));
    // Every batch fails once just before COMMIT and is redone from the checkpoint: the quarantine rows
    // roll back with their batch and are written (and reported) once.
    const failedOnce = new Set<string>();
    reported = [];
    set = await project(poisoned, poisoned.db, {
      beforeCommit: (info) => {
        if (failedOnce.has(info.from)) return;
        failedOnce.add(info.from);
        throw new Error('injected: crash before COMMIT');
      },
      onQuarantined: (q) => reported.push(...q),
    });
    tables = await dumpTableSet(poisoned.db, set);
    stored = (await sqlQuarantine(poisoned.db).list({ limit: 500 })).items;
  });
  afterAll(async () => {
    await clean?.cleanup();
    await poisoned?.cleanup();
  });

  it('the checkpoint passes every event; each bad event is quarantined once, in log order, with its reason', async () => {
    expect((await readCheckpoint(poisoned.db, set))!.position).toBe(await poisoned.store.headPosition());
    const at = (code: string, revision: number) => log.find((e) => e.streamId === `dossier-${code}` && e.revision === revision)!;
    const expected = [
      [
        at('Q-BAD-YEAR', 0),
        /^occurredAt is not an instant the read models can hold \("9999-12-31T16:59:59.000Z"\); the event's schema: dueAt must be an ISO-8601 UTC instant$/,
      ],
      [at('Q-BAD-DUE', 0), /^dueAt is missing; the event's schema: dueAt is required$/],
      [at(HELD, 2), /pausedWorkingMs is not a number.*pausedWorkingMs is required/],
      [at('Q-BAD-CODE', 0), /agencyCode is not a string \(42\)/],
      [at(HELD, 3), /^held: an earlier event of dossier-Q-HELD \(position \d+\) is quarantined$/],
    ] as const;
    expect(stored.map((q) => [q.consumer, q.streamId, q.revision, q.position, q.eventType])).toEqual(
      expected.map(([e]) => [SLA_PROJECTION, e.streamId, e.revision, e.position, e.type]),
    );
    stored.forEach((q, i) => expect(q.reason).toMatch(expected[i][1]));
    expect(reported.map((q) => q.position)).toEqual(stored.map((q) => q.position));
  });

  it('every other dossier row, every day counter and the histogram equal the clean log’s', () => {
    expect(withoutHeld(tables)).toEqual(withoutHeld(cleanTables));
    expect(tables.dossiers.map((r) => (r as { code: string }).code)).not.toEqual(expect.arrayContaining(['Q-BAD-YEAR', 'Q-BAD-DUE', 'Q-BAD-CODE']));
  });

  it('the held dossier keeps its last good row, flagged quarantined, and open only until the bad event', () => {
    const held = heldRow(tables);
    const good = heldRow(cleanTables);
    expect(held).toEqual({ ...good, status: 'quarantined', open_until: Date.parse('2025-06-16T02:00:00.000Z') });
    expect(good).toMatchObject({ status: 'awaiting_supplement', open_until: 8_640_000_000_000_000 });
  });

  it('figures: the same before the bad event; after it, the held dossier is out of the open figures and nothing else moves', async () => {
    const q = (env: Env, to: string) => new SlaQueryService({ db: env.db }).sla({ from: '2025-06-01', to, by: 'procedure' });
    const row = (r: Awaited<ReturnType<typeof q>>) => r.rows.find((x) => x.procedureCode === X)!;
    expect((await q(poisoned, '2025-06-13')).rows).toEqual((await q(clean, '2025-06-13')).rows);
    const [p, c] = [row(await q(poisoned, '2025-06-30')), row(await q(clean, '2025-06-30'))];
    expect(p).toEqual({ ...c, paused: c.paused - 1 });
    expect(c.paused).toBeGreaterThan(0);
  });

  it('a restart and a rebuild (one thread) add no quarantine row and report nothing; the rebuilt tables are equal', async () => {
    const again: QuarantinedEvent[] = [];
    expect(await project(poisoned, poisoned.db, { onQuarantined: (x) => again.push(...x) })).toBe(set);
    const r = await rebuildSla({ store: poisoned.store, db: poisoned.db, threads: 0, readBatch: 33, flushEvery: 40, onQuarantined: (x) => again.push(...x) });
    expect(r.quarantined).toBe(0);
    expect(again).toEqual([]);
    expect(await dumpTableSet(poisoned.db, r.tableSet)).toEqual(tables);
    expect((await sqlQuarantine(poisoned.db).list({ limit: 500 })).items).toEqual(stored);
  });

  itUnless(engine === 'sqlite' ? undefined : 'the threaded bulk replay exists for SQLite files only')(
    'the threaded bulk replay (SQLite files only) holds the same dossiers and writes the same tables and quarantine',
    async () => {
      const db = poisoned.openDb('threads');
      const got: QuarantinedEvent[] = [];
      const r = await rebuildSla({
        store: poisoned.store,
        db,
        threads: 3,
        parallelMinEvents: 0,
        readBatch: 7,
        flushEvery: 30,
        onQuarantined: (x) => got.push(...x),
      });
      expect(r.parallel?.threads).toBe(3);
      expect(await dumpTableSet(db, r.tableSet)).toEqual(tables);
      const rows = (await sqlQuarantine(db).list({ limit: 500 })).items;
      expect(rows.map(({ firstSeenAt: _f, ...x }) => x)).toEqual(stored.map(({ firstSeenAt: _f, ...x }) => x));
      expect(got.map((x) => x.position).sort()).toEqual(stored.map((x) => x.position).sort());
    },
  );
});
