/**
 * `applicantSealed` (personal data protection, Decree 13/2023): the applicant's identity fields travel in the receipt /
 * online submission as opaque ciphertext bound to `applicantRef`. The domain only carries and checks it.
 */
import { createWorkingCalendar } from '@motcua/calendar';
import { procedureRules, workingDays } from '@motcua/testing';
import type { DecideContext, DossierCommand } from './commands';
import { decide } from './decide';
import { InvalidCommandError } from './errors';
import { DOSSIER_EVENT_REGISTRY, MAX_SEALED_LENGTH, type ReceivedData, type SubmittedOnlineData } from './events';
import { fold, initialState } from './state';

const ctx: DecideContext = {
  calendar: createWorkingCalendar(),
  procedure: procedureRules({ code: '2.000815', deadline: workingDays(3), paymentPausesClock: true, version: '2.000815@2025-01' }),
};
const CODE = '000.00.00.H30-250303-0001';
const SEALED = 'pd1.AAAAAAAAAAAAAAAA.c2VhbGVk.dGFndGFndGFndGFndGFn';
const base = { dossierCode: CODE, agencyCode: '000.00.00.H30', procedureCode: '2.000815', occurredAt: '2025-03-03T09:00:00+07:00' };
const receive = (extra: Partial<DossierCommand> = {}) => ({ type: 'receive', channel: 'counter', ...base, ...extra }) as DossierCommand;
const submit = (extra: Partial<DossierCommand> = {}) => ({ type: 'submit_online', ...base, ...extra }) as DossierCommand;

describe('applicantSealed', () => {
  it('is carried by the received event with its ref, and valid for the registry', () => {
    const [e] = decide(receive({ applicantRef: 'r1', applicantSealed: SEALED } as Partial<DossierCommand>), initialState, ctx);
    expect(e.type).toBe('dossier.received.v1');
    expect(e.data).toMatchObject({ applicantRef: 'r1', applicantSealed: SEALED });
    expect(DOSSIER_EVENT_REGISTRY['dossier.received.v1'].validate(e.data)).toEqual([]);
  });

  it('is carried by the online submission; a receipt without an applicant keeps the submission ref (ciphertext stays in the first event)', () => {
    const [s] = decide(submit({ applicantRef: 'r1', applicantSealed: SEALED } as Partial<DossierCommand>), initialState, ctx);
    expect((s.data as SubmittedOnlineData).applicantSealed).toBe(SEALED);
    expect(DOSSIER_EVENT_REGISTRY['dossier.submitted-online.v1'].validate(s.data)).toEqual([]);
    const [r] = decide(receive({ channel: 'online' } as Partial<DossierCommand>), fold([s]), ctx);
    expect((r.data as ReceivedData).applicantRef).toBe('r1');
    expect(r.data).not.toHaveProperty('applicantSealed');
  });

  it('is absent when not given (events stay as before)', () => {
    const [e] = decide(receive(), initialState, ctx);
    expect(e.data).not.toHaveProperty('applicantSealed');
    expect(e.data).not.toHaveProperty('applicantRef');
  });

  it.each([
    ['without a ref', { applicantSealed: SEALED }],
    ['with a space', { applicantRef: 'r1', applicantSealed: 'pd1 abc' }],
    ['empty', { applicantRef: 'r1', applicantSealed: '' }],
    ['not a string', { applicantRef: 'r1', applicantSealed: 42 }],
    ['too long', { applicantRef: 'r1', applicantSealed: 'a'.repeat(MAX_SEALED_LENGTH + 1) }],
    ['non-ASCII', { applicantRef: 'r1', applicantSealed: 'Nguyễn' }],
  ])('a bad value is refused (%s) with no event', (_what, extra) => {
    for (const cmd of [receive(extra as Partial<DossierCommand>), submit(extra as Partial<DossierCommand>)]) {
      expect(() => decide(cmd, initialState, ctx)).toThrow(InvalidCommandError);
      try {
        decide(cmd, initialState, ctx);
      } catch (err) {
        expect(err).toMatchObject({ code: 'INVALID_COMMAND', field: 'applicantSealed' });
      }
    }
  });

  it('the registry refuses a malformed stored value', () => {
    const [e] = decide(receive({ applicantRef: 'r1', applicantSealed: SEALED } as Partial<DossierCommand>), initialState, ctx);
    const bad = { ...(e.data as ReceivedData), applicantSealed: 'has space' };
    expect(DOSSIER_EVENT_REGISTRY['dossier.received.v1'].validate(bad)).toEqual([expect.stringContaining('applicantSealed must be')]);
  });
});
