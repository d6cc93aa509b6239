/**
 * The hand-computed SLA scenario (docs/projections.md, "The test scenario"): dossiers across two
 * communes and a merge. Commune A sits under district D1 until D1 is dissolved on 2025-06-30, then
 * directly under the province P; commune B sits under district D2 throughout. Deadlines: 3 working days.
 */
import type { EventStore } from '@motcua/event-store';
import { agencyChanged, agencyClosed, agencyRegistered } from '../agencies';
import { vnOffset } from '../instants';
import { procedureTable } from '../procedures';
import { appendAgencyEvents } from '../reference-events';
import { DossierWriter } from './dossier-writer';

const X = '1.000001';
const Y = '2.000002';

export const SCENARIO_PROCEDURES = procedureTable({ code: X, version: 'p1' }, { code: Y, paymentPausesClock: true, version: 'p2' });

export const SCENARIO_AGENCIES = { P: 'H30', D1: 'H30.D1', D2: 'H30.D2', A: 'H30.A', B: 'H30.B' };
const AG = SCENARIO_AGENCIES;

/** The scenario's agency tree, and the 2025 reform that re-parents commune A. */
export async function writeScenarioAgencies(store: EventStore): Promise<void> {
  const validFrom = '2020-01-01';
  await appendAgencyEvents(store, [
    agencyRegistered({ code: AG.P, level: 'province', validFrom }),
    agencyRegistered({ code: AG.D1, level: 'district', parentCode: AG.P, validFrom }),
    agencyRegistered({ code: AG.D2, level: 'district', parentCode: AG.P, validFrom }),
    agencyRegistered({ code: AG.A, level: 'commune', parentCode: AG.D1, validFrom }),
    agencyRegistered({ code: AG.B, level: 'commune', parentCode: AG.D2, validFrom }),
  ]);
  // The 2025 reform: D1 dissolved, A re-parented to the province from 1 July.
  await appendAgencyEvents(store, [agencyClosed(AG.D1, '2025-06-30'), agencyChanged({ code: AG.A, level: 'commune', parentCode: AG.P }, '2025-07-01')]);
}

/** Writes the agencies and every dossier of the scenario; returns the writer (its states, its calendar). */
export async function writeScenario(store: EventStore): Promise<DossierWriter> {
  await writeScenarioAgencies(store);
  const w = new DossierWriter(store, { procedures: SCENARIO_PROCEDURES });
  const rcv = (code: string, agency: string, at: string, channel: 'counter' | 'online' | 'postal' = 'counter', proc = X) =>
    w.do(code, { type: 'receive', dossierCode: code, agencyCode: agency, procedureCode: proc, channel, occurredAt: vnOffset(at) });
  const complete = (code: string, at: string) => w.do(code, { type: 'complete', occurredAt: vnOffset(at), outcome: 'approved', electronicResult: true });
  const A = (n: number) => `${AG.A}-250623-000${n}`;
  const B = (n: number) => `${AG.B}-250624-000${n}`;

  // ---- commune A
  await rcv(A(1), AG.A, '2025-06-23 09:00'); // due Thu 06-26 09:00
  await complete(A(1), '2025-06-24 10:00'); // early
  await w.do(A(1), { type: 'return_result', occurredAt: vnOffset('2025-06-25 08:00') });

  await w.do(A(2), { type: 'submit_online', dossierCode: A(2), agencyCode: AG.A, procedureCode: X, occurredAt: vnOffset('2025-06-22 20:00') });
  await rcv(A(2), AG.A, '2025-06-23 08:00', 'online'); // due Thu 06-26 08:00
  await w.do(A(2), { type: 'request_payment', occurredAt: vnOffset('2025-06-24 09:00'), amount: 50000 });
  await w.do(A(2), { type: 'record_payment', occurredAt: vnOffset('2025-06-24 10:00'), online: true, amount: 50000 });
  await complete(A(2), '2025-06-26 15:00'); // on time (due date)

  await rcv(A(3), AG.A, '2025-06-23 09:00');
  await w.do(A(3), { type: 'record_step', occurredAt: vnOffset('2025-06-23 10:00'), kind: 'transfer', fromUnit: 'counter', toUnit: 'office' });
  await complete(A(3), '2025-06-30 10:00'); // late

  await rcv(A(8), AG.A, '2025-06-25 09:00'); // due Mon 06-30 09:00
  await w.do(A(8), { type: 'issue_apology', occurredAt: vnOffset('2025-06-27 09:00'), newPromisedAt: vnOffset('2025-07-02 17:00'), reason: 'appraisal' });
  await complete(A(8), '2025-07-01 10:00'); // late against the original due date, despite the apology

  await rcv(A(4), AG.A, '2025-07-01 09:00', 'postal'); // due Fri 07-04 09:00
  await w.do(A(4), { type: 'request_supplement', occurredAt: vnOffset('2025-07-02 09:00'), reason: 'missing paper' }); // never supplied

  await rcv(A(5), AG.A, '2025-07-01 09:00'); // due 07-04: open and overdue at the end of July
  await rcv(A(6), AG.A, '2025-07-28 09:00'); // due Thu 07-31: within deadline on 07-31
  await rcv(A(7), AG.A, '2025-07-02 09:00');
  await w.do(A(7), { type: 'withdraw', occurredAt: vnOffset('2025-07-03 09:00') });

  // ---- commune B
  await w.do(B(1), { type: 'submit_online', dossierCode: B(1), agencyCode: AG.B, procedureCode: X, occurredAt: vnOffset('2025-06-24 08:30') });
  await rcv(B(1), AG.B, '2025-06-24 09:00', 'online'); // due Fri 06-27 09:00
  await w.do(B(1), { type: 'request_supplement', occurredAt: vnOffset('2025-06-25 09:00'), reason: 'missing paper' });
  await w.do(B(1), { type: 'supply_supplement', occurredAt: vnOffset('2025-06-26 09:00') }); // +1 working day: Mon 06-30 09:00
  await complete(B(1), '2025-06-30 14:00'); // on time

  await rcv(B(2), AG.B, '2025-06-24 09:00');
  await w.do(B(2), { type: 'request_supplement', occurredAt: vnOffset('2025-06-24 10:00'), reason: 'a' });
  await w.do(B(2), { type: 'supply_supplement', occurredAt: vnOffset('2025-06-24 11:00') });
  await w.do(B(2), { type: 'request_supplement', occurredAt: vnOffset('2025-06-25 09:00'), reason: 'b' });
  await w.do(B(2), { type: 'supply_supplement', occurredAt: vnOffset('2025-06-25 10:00') });
  await complete(B(2), '2025-06-25 15:00'); // early by the clock, late by the >1 supplementation rule

  await w.do(B(3), {
    type: 'refuse',
    dossierCode: B(3),
    agencyCode: AG.B,
    procedureCode: X,
    channel: 'counter',
    occurredAt: vnOffset('2025-06-24 09:30'),
    reason: 'incomplete',
  });

  await rcv(B(4), AG.B, '2025-07-07 09:00', 'counter', Y); // due Thu 07-10 09:00
  await w.do(B(4), { type: 'request_payment', occurredAt: vnOffset('2025-07-08 09:00'), amount: 10000 }); // pauses
  await w.do(B(4), { type: 'record_payment', occurredAt: vnOffset('2025-07-09 09:00'), online: false }); // due Fri 07-11 09:00
  await complete(B(4), '2025-07-11 16:00'); // on time

  await rcv(B(5), AG.B, '2025-07-07 09:00');
  await w.do(B(5), { type: 'stop', occurredAt: vnOffset('2025-07-08 09:00'), reason: 'legal' });

  await rcv(B(6), AG.B, '2025-06-30 09:00'); // due Thu 07-03 09:00
  await complete(B(6), '2025-07-03 10:00'); // on time, in July
  await w.do(B(6), { type: 'return_result', occurredAt: vnOffset('2025-07-04 09:00') });
  return w;
}
