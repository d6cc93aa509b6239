import { DOSSIER_EVENT_REGISTRY, DOSSIER_EVENT_TYPES, assertDossierEvent, isDossierEventType, parseDossierEvent, upcast, validateDossierEvent } from './events';
import { InvalidDossierEventError } from './errors';
import { ALLOWED_FROM, DOSSIER_ACTIONS, NATIONAL_STATUS_CODE, STATUS_LABELS, allowedActions, statusOfNationalCode } from './status';

const T = '2025-01-24T03:00:00.000Z';

describe('event registry', () => {
  it('lists the fourteen v1 dossier event types with schema version 1', () => {
    expect([...DOSSIER_EVENT_TYPES].sort()).toEqual(
      [
        'dossier.submitted-online.v1',
        'dossier.received.v1',
        'dossier.refused.v1',
        'dossier.step-recorded.v1',
        'dossier.supplement-requested.v1',
        'dossier.supplement-supplied.v1',
        'dossier.payment-requested.v1',
        'dossier.payment-recorded.v1',
        'dossier.apology-issued.v1',
        'dossier.completed.v1',
        'dossier.result-returned.v1',
        'dossier.withdrawn.v1',
        'dossier.stopped.v1',
        'dossier.deadline-missed.v1',
      ].sort(),
    );
    for (const t of DOSSIER_EVENT_TYPES) expect(DOSSIER_EVENT_REGISTRY[t].schemaVersion).toBe(1);
    expect(isDossierEventType('dossier.received.v1')).toBe(true);
    expect(isDossierEventType('dossier.received.v2')).toBe(false);
    expect(isDossierEventType('toString')).toBe(false);
  });

  const received = {
    dossierCode: 'H30-250124-0001',
    agencyCode: 'H30',
    procedureCode: '2.000815',
    channel: 'counter',
    occurredAt: T,
    clockStartAt: T,
    dueAt: '2025-02-05T10:00:00.000Z',
    deadline: { value: 3, unit: 'working_days' },
    calendarVersion: 'vn-2025.1',
    procedureRulesVersion: 'p1',
    scoringRuleVersion: 'vn-766-2022.1',
  };

  it('accepts a well-formed received event', () => {
    expect(validateDossierEvent('dossier.received.v1', received)).toEqual([]);
    expect(() => assertDossierEvent('dossier.received.v1', received)).not.toThrow();
  });

  it('names every problem of a malformed event', () => {
    const bad = { ...received, channel: 'fax', dueAt: '2025-02-05 10:00', deadline: { value: 3, unit: 'weeks' }, extra: 1 };
    delete (bad as Partial<typeof received>).agencyCode;
    expect(validateDossierEvent('dossier.received.v1', bad)).toEqual([
      'agencyCode is required',
      'channel must be one of counter|online|postal',
      'dueAt must be an ISO-8601 UTC instant',
      'deadline must be a {value, unit} deadline',
      'extra is not a known field',
    ]);
    expect(() => assertDossierEvent('dossier.received.v1', bad)).toThrow(InvalidDossierEventError);
  });

  it('rejects non-UTC instants, unknown types and non-object data', () => {
    expect(validateDossierEvent('dossier.result-returned.v1', { occurredAt: '2025-01-24T10:00:00+07:00' })).toEqual([
      'occurredAt must be an ISO-8601 UTC instant',
    ]);
    expect(validateDossierEvent('dossier.result-returned.v1', { occurredAt: T })).toEqual([]);
    expect(validateDossierEvent('dossier.result-returned.v9', { occurredAt: T })).toEqual(["unknown event type 'dossier.result-returned.v9'"]);
    expect(validateDossierEvent('dossier.completed.v1', null)).toEqual(['data must be an object']);
    expect(validateDossierEvent('dossier.completed.v1', [])).toEqual(['data must be an object']);
    expect(validateDossierEvent('dossier.completed.v1', { occurredAt: T, outcome: 'approved', electronicResult: 'yes' })).toEqual([
      'electronicResult must be a boolean',
    ]);
    expect(validateDossierEvent('dossier.supplement-requested.v1', { occurredAt: T, reason: 'x', dueAt: T, remainingWorkingMs: -1 })).toEqual([
      'remainingWorkingMs must be a non-negative integer',
    ]);
  });

  it('upcast is the identity while every type is at v1', () => {
    expect(upcast('dossier.received.v1', received)).toEqual({ type: 'dossier.received.v1', data: received });
  });

  it('parseDossierEvent upcasts then checks a stored event', () => {
    expect(parseDossierEvent('dossier.received.v1', received)).toEqual({ type: 'dossier.received.v1', data: received });
    expect(() => parseDossierEvent('dossier.received.v1', { ...received, dueAt: 'soon' })).toThrow(InvalidDossierEventError);
    // A future v2 -> v1-compatible rename would live in an upcaster like this one.
    const renamed = (type: string, data: unknown) => (type === 'dossier.returned.v0' ? { type: 'dossier.result-returned.v1', data } : { type, data });
    expect(parseDossierEvent('dossier.returned.v0', { occurredAt: T }, renamed)).toEqual({
      type: 'dossier.result-returned.v1',
      data: { occurredAt: T },
    });
  });
});

describe('statuses and the transition table', () => {
  it('maps every status to its national code 1-10 and back, with vi and en labels', () => {
    expect(Object.values(NATIONAL_STATUS_CODE).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(statusOfNationalCode(5)).toBe('awaiting_supplement');
    expect(statusOfNationalCode(11)).toBeUndefined();
    expect(STATUS_LABELS.result_returned.vi).toBe('Đã trả kết quả');
  });

  it('lists allowed actions per state', () => {
    expect(allowedActions('none')).toEqual(['submit_online', 'receive', 'refuse']);
    expect(allowedActions('completed')).toEqual(['return_result']);
    for (const terminal of ['refused', 'withdrawn', 'stopped', 'result_returned'] as const) {
      expect(allowedActions(terminal)).toEqual([]);
    }
    expect(Object.keys(ALLOWED_FROM).sort()).toEqual([...DOSSIER_ACTIONS].sort());
  });
});
