import { createLookups } from './reference';
import { RowRejected, rowToCommands, rowToEvents } from './row-to-commands';
import { DOSSIER_COLUMNS, type DossierRow } from './csv-format';
import { agencyRef, procedureRules, workingDays } from '@motcua/testing';

const agencies = [
  agencyRef({ code: '000.00.00.H30', level: 'province' }),
  agencyRef({ code: 'H30.31', level: 'district', parentCode: '000.00.00.H30', validTo: '2025-06-30' }),
];
const procedures = [procedureRules({ code: '2.000815', deadline: workingDays(5), paymentPausesClock: true, version: 't1' })];
const lookups = createLookups(agencies, procedures);

function row(over: Partial<DossierRow> = {}): DossierRow {
  const base = Object.fromEntries(DOSSIER_COLUMNS.map((c) => [c, ''])) as DossierRow;
  return {
    ...base,
    dossier_code: '000.00.00.H30-250303-0001',
    agency_code: '000.00.00.H30',
    procedure_code: '2.000815',
    channel: 'online',
    received_at: '2025-03-03T08:00:00+07:00',
    paid_online: 'false',
    ...over,
  };
}

function rejected(r: Partial<Record<string, string | undefined>>) {
  try {
    rowToEvents(r, 7, lookups);
  } catch (e) {
    if (e instanceof RowRejected) return e.error;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('rowToCommands / rowToEvents', () => {
  it('orders the commands of a full lifecycle and gets the events from the domain', () => {
    const r = row({
      due_at: '2025-03-10T08:00:00+07:00',
      supplement_requested_at: '2025-03-04T09:00:00+07:00',
      supplement_supplied_at: '2025-03-05T09:00:00+07:00',
      apology_at: '2025-03-11T08:00:00+07:00',
      completed_at: '2025-03-12T10:00:00+07:00',
      outcome: 'approved',
      returned_at: '2025-03-12T14:00:00+07:00',
      paid_online: 'true',
    });
    expect(rowToCommands(r, 2, lookups).commands.map((c) => c.type)).toEqual([
      'receive',
      'request_payment',
      'record_payment',
      'request_supplement',
      'supply_supplement',
      'issue_apology',
      'complete',
      'return_result',
    ]);
    const decided = rowToEvents(r, 2, lookups);
    expect(decided.events.map((e) => e.type)).toEqual([
      'dossier.received.v1',
      'dossier.payment-requested.v1',
      'dossier.payment-recorded.v1',
      'dossier.supplement-requested.v1',
      'dossier.supplement-supplied.v1',
      'dossier.apology-issued.v1',
      'dossier.completed.v1',
      'dossier.result-returned.v1',
    ]);
    expect(decided.events[0].data.occurredAt).toBe('2025-03-03T01:00:00.000Z'); // original time, in UTC
    expect(decided.state.status).toBe('result_returned');
    expect(decided.state.supplementRequestCount).toBe(1);
    expect(decided.state.paidOnline).toBe(true);
    // One working day paused (Tue 09:00 -> Wed 09:00): the due date moves one working day out.
    expect(decided.state.originalDueAt).toBe('2025-03-10T01:00:00.000Z');
    expect(decided.state.dueAt).toBe('2025-03-11T01:00:00.000Z');
    expect(decided.dueAtOverride).toBeUndefined(); // the file's due_at equals the computed one
  });

  it('keeps a legacy due_at that differs from the computed one, and says so', () => {
    const d = rowToEvents(row({ due_at: '2025-03-14T17:00:00+07:00' }), 2, lookups);
    expect(d.state.dueAt).toBe('2025-03-14T10:00:00.000Z');
    expect(d.dueAtOverride).toEqual({ computed: '2025-03-10T01:00:00.000Z', kept: '2025-03-14T10:00:00.000Z' });
  });

  it('computes the due date when due_at is empty; keeps an open pause open', () => {
    const d = rowToEvents(
      row({ supplement_requested_at: '2025-03-04T09:00:00+07:00|2025-03-06T09:00:00+07:00', supplement_supplied_at: '2025-03-05T09:00:00+07:00' }),
      2,
      lookups,
    );
    expect(d.state.originalDueAt).toBe('2025-03-10T01:00:00.000Z');
    expect(d.state.status).toBe('awaiting_supplement');
    expect(d.state.supplementRequestCount).toBe(2);
  });

  it.each([
    [
      'a short row (missing column)',
      (() => {
        const r: Record<string, string | undefined> = { ...row() };
        delete r.paid_online;
        return r;
      })(),
      'missing_column',
    ],
    ['an empty required cell', row({ received_at: '' }), 'missing_column'],
    ['a bad timestamp', row({ received_at: '2025-03-03 08:00' }), 'bad_timestamp'],
    ['an impossible date', row({ completed_at: '2025-02-30T08:00:00+07:00', outcome: 'approved' }), 'bad_timestamp'],
    ['a timestamp without offset', row({ completed_at: '2025-03-04T08:00:00', outcome: 'approved' }), 'bad_timestamp'],
    ['completed before received', row({ completed_at: '2025-03-02T08:00:00+07:00', outcome: 'approved' }), 'out_of_order'],
    ['an unknown agency', row({ agency_code: 'H99.1' }), 'unknown_agency'],
    ['an agency abolished before receipt', row({ agency_code: 'H30.31', received_at: '2025-07-02T08:00:00+07:00' }), 'agency_not_valid'],
    ['an unknown procedure', row({ procedure_code: '9.999999' }), 'unknown_procedure'],
    ['a bad channel', row({ channel: 'fax' }), 'bad_value'],
    ['completed without outcome', row({ completed_at: '2025-03-04T08:00:00+07:00' }), 'bad_value'],
    [
      'completed and withdrawn',
      row({ completed_at: '2025-03-04T08:00:00+07:00', outcome: 'approved', withdrawn_at: '2025-03-05T08:00:00+07:00' }),
      'impossible_sequence',
    ],
    ['returned without completion', row({ returned_at: '2025-03-05T08:00:00+07:00' }), 'impossible_sequence'],
    [
      'completed during a supplementation pause',
      row({ supplement_requested_at: '2025-03-04T09:00:00+07:00', completed_at: '2025-03-05T08:00:00+07:00', outcome: 'approved' }),
      'impossible_sequence',
    ],
  ])('rejects %s with the line number and a reason', (_name, r, kind) => {
    const error = rejected(r);
    expect(error).toMatchObject({ line: 7, kind });
    expect(error.reason.length).toBeGreaterThan(5);
  });
});
