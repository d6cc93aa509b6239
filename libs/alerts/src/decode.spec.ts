/**
 * What the alerts read model reads of each event, checked before anything is written: a field it needs
 * that is missing or unreadable is an `UnreadableEventError` (the event is quarantined), an event it does
 * not read is ignored, and a good one comes out typed.
 */
import { UnknownCalendarVersionError } from '@motcua/calendar';
import { InvalidDossierEventError } from '@motcua/domain';
import { decodeAlertEvent, dossierOfEvent, UnreadableEventError } from './decode';
import { isUnreadableDossier } from './quarantine';

const RECEIVED = {
  dossierCode: 'Q-1',
  agencyCode: 'H30.01',
  dueAt: '2025-06-05T10:00:00.000Z',
  clockStartAt: '2025-06-02T02:00:00.000Z',
  deadline: { value: 3, unit: 'working_days' },
  calendarVersion: 'vn-2025.1',
};
const ev = (type: string, data: Record<string, unknown>, streamId = 'dossier-Q-1') => ({ streamId, type, data });

describe('decodeAlertEvent', () => {
  it('a good receipt comes out with what the deadline row needs', () => {
    expect(decodeAlertEvent(ev('dossier.received.v1', RECEIVED))).toEqual({
      kind: 'received',
      code: 'Q-1',
      agencyCode: 'H30.01',
      dueAt: RECEIVED.dueAt,
      clockStartAt: RECEIVED.clockStartAt,
      unit: 'working_days',
      calendarVersion: 'vn-2025.1',
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a due date in year 10000', { dueAt: '+010000-01-07T00:00:00.000Z' }, /dueAt must be an ISO-8601 UTC instant, got "\+010000-01-07/],
    ['no due date', { dueAt: undefined }, /dueAt must be an ISO-8601 UTC instant, got missing/],
    ['a clock start that is no date', { clockStartAt: 'soon' }, /clockStartAt must be an ISO-8601 UTC instant, got "soon"/],
    ['an agency code holding a name', { agencyCode: { name: 'Nguyễn Văn A' } }, /^agencyCode must be a non-empty string, got an object$/],
    ['a due date holding a sentence', { dueAt: 'hẹn trả ngày mai' }, /^dueAt must be an ISO-8601 UTC instant, got a string of 16 characters$/],
    ['an agency code that is a number', { agencyCode: 42 }, /agencyCode must be a non-empty string, got 42/],
    ['a deadline that is a string', { deadline: 'three days' }, /deadline must be an object/],
    ['a deadline unit that is a number', { deadline: { value: 3, unit: 7 } }, /unit must be a string, got 7/],
  ])('a receipt with %s is unreadable', (_what, patch, message) => {
    const data: Record<string, unknown> = { ...RECEIVED, ...patch };
    for (const k of Object.keys(patch)) if (patch[k] === undefined) delete data[k];
    expect(() => decodeAlertEvent(ev('dossier.received.v1', data))).toThrow(UnreadableEventError);
    expect(() => decodeAlertEvent(ev('dossier.received.v1', data))).toThrow(message);
  });

  it('a resumption: a new due date is checked, none keeps the old one', () => {
    expect(decodeAlertEvent(ev('dossier.supplement-supplied.v1', { dueAt: '2025-06-09T10:00:00.000Z' }))).toEqual({
      kind: 'resumed',
      code: 'Q-1',
      dueAt: '2025-06-09T10:00:00.000Z',
    });
    expect(decodeAlertEvent(ev('dossier.payment-recorded.v1', {}))).toEqual({ kind: 'resumed', code: 'Q-1', dueAt: null });
    expect(() => decodeAlertEvent(ev('dossier.supplement-supplied.v1', { dueAt: 'garbage' }))).toThrow(/dueAt must be an ISO-8601 UTC instant/);
  });

  it('alert events: every field the feed row shows is checked', () => {
    const dueSoon = {
      alertId: 'due-soon-Q-1-1',
      dossierCode: 'Q-1',
      agencyCode: 'H30.01',
      dueAt: RECEIVED.dueAt,
      occurredAt: RECEIVED.clockStartAt,
      detectedAt: RECEIVED.clockStartAt,
      remainingWorkingMs: 10,
    };
    expect(decodeAlertEvent(ev('alert.due-soon-raised.v1', dueSoon, 'alerts-H30.01'))).toMatchObject({ kind: 'due-soon', alertId: 'due-soon-Q-1-1' });
    expect(() => decodeAlertEvent(ev('alert.due-soon-raised.v1', { ...dueSoon, remainingWorkingMs: 'x' }, 'alerts-H30.01'))).toThrow(/remainingWorkingMs/);
    expect(() => decodeAlertEvent(ev('alert.acknowledged.v1', { alertId: 'a', occurredAt: RECEIVED.dueAt }, 'alerts-H30.01'))).toThrow(/by must be/);
    expect(() => decodeAlertEvent(ev('dossier.deadline-missed.v1', { dueAt: RECEIVED.dueAt, occurredAt: RECEIVED.dueAt }))).toThrow(/detectedAt/);
  });

  it('events it does not read are ignored, whatever their data; closing events need no field', () => {
    expect(decodeAlertEvent(ev('dossier.step-recorded.v1', {}))).toBeUndefined();
    expect(decodeAlertEvent(ev('agency.registered.v1', {}, 'refdata-agencies'))).toBeUndefined();
    expect(decodeAlertEvent(ev('dossier.completed.v1', {}))).toEqual({ kind: 'closed', code: 'Q-1' });
    expect(decodeAlertEvent(ev('dossier.completed.v1', {}, 'elsewhere'))).toBeUndefined();
  });

  it('the dossier of an unreadable event: its stream, else its data', () => {
    expect(dossierOfEvent(ev('dossier.received.v1', {}))).toBe('Q-1');
    expect(dossierOfEvent(ev('dossier.received.v1', { dossierCode: 'Q-2' }, 'imported'))).toBe('Q-2');
    expect(dossierOfEvent(ev('alert.acknowledged.v1', {}, 'alerts-H30'))).toBeUndefined();
  });
});

describe('isUnreadableDossier: the data is at fault (quarantine) or something else is (retry)', () => {
  it('schema refusals, impossible instants and unreadable events are the data; an unknown calendar version and store errors are not', () => {
    expect(isUnreadableDossier(new InvalidDossierEventError('dossier.received.v1', ['dueAt is required']))).toBe(true);
    expect(isUnreadableDossier(new RangeError('Invalid local date "10000-01-29"'))).toBe(true);
    expect(isUnreadableDossier(new UnreadableEventError('dueAt must be…'))).toBe(true);
    expect(isUnreadableDossier(new UnknownCalendarVersionError('vn-2031.1', 'no official schedule for 2031'))).toBe(false);
    expect(isUnreadableDossier(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});
