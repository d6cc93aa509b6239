/**
 * Given/when/then over events for the whole lifecycle, legal and illegal, with the real calendar.
 * Dates: March 2025 (no holidays). Working hours 07:00-11:30, 13:30-17:00, Mon-Fri, UTC+7.
 */
import { createWorkingCalendar } from '@motcua/calendar';
import { givenWhenThen, procedureRules, vnOffset, vnUtc, workingDays } from '@motcua/testing';
import type { DecideContext, DossierCommand, ProcedureRules } from './commands';
import { decide } from './decide';
import { DeadlineNotPassedError, IllegalTransitionError, InvalidCommandError } from './errors';
import type { DossierEvent, DossierEventType } from './events';
import { fold, initialState, type DossierState } from './state';
import { DOSSIER_ACTIONS, type DossierAction, type DossierStateName } from './status';

const calendar = createWorkingCalendar();
const HOUR = 3_600_000;

const procedure = procedureRules({ code: '2.000815', deadline: workingDays(3), paymentPausesClock: true, version: '2.000815@2025-01' });
const ctx: DecideContext = { calendar, procedure };
const CODE = '000.00.00.H30-250303-0001';

const receive = (occurredAt = vnOffset('2025-03-03 09:00'), extra: Partial<DossierCommand> = {}): DossierCommand =>
  ({
    type: 'receive',
    dossierCode: CODE,
    agencyCode: '000.00.00.H30',
    procedureCode: '2.000815',
    channel: 'counter',
    occurredAt,
    ...extra,
  }) as DossierCommand;

/** given(...history).when(command).then(events) over the real decider; history(commands) runs commands into events. */
const { given, history } = givenWhenThen({ decide, fold }, ctx);

const receivedEvent = history([receive()])[0];
const RECEIVED_DUE = vnUtc('2025-03-06 09:00'); // 6 h Mon + 8 h Tue + 8 h Wed + 2 h Thu = 24 working hours

describe('receive', () => {
  it('a counter receipt starts the clock and records the due date, deadline and rule versions', () => {
    given()
      .when(receive(vnOffset('2025-03-03 09:00'), { applicantRef: 'applicant-7f3a' } as Partial<DossierCommand>))
      .then([
        {
          type: 'dossier.received.v1',
          data: {
            dossierCode: CODE,
            agencyCode: '000.00.00.H30',
            procedureCode: '2.000815',
            channel: 'counter',
            occurredAt: vnUtc('2025-03-03 09:00'),
            clockStartAt: vnUtc('2025-03-03 09:00'),
            dueAt: RECEIVED_DUE,
            deadline: { value: 3, unit: 'working_days' },
            calendarVersion: calendar.version,
            procedureRulesVersion: '2.000815@2025-01',
            scoringRuleVersion: 'vn-766-2022.1',
            applicantRef: 'applicant-7f3a',
          },
        },
      ]);
  });

  it("the due date is the calendar's", () => {
    const t = Date.parse(vnUtc('2025-03-03 09:00'));
    expect(receivedEvent.data).toMatchObject({ dueAt: new Date(calendar.dueAt(t, { deadline: procedure.deadline })).toISOString() });
  });

  it.each([
    ['after hours: next working morning', '2025-03-03 17:30', '2025-03-04 07:00'],
    ['at lunch: afternoon opening', '2025-03-03 12:00', '2025-03-03 13:30'],
    ['on Saturday: Monday morning', '2025-03-08 09:00', '2025-03-10 07:00'],
  ])('clock start %s', (_why, local, start) => {
    const [e] = given()
      .when(receive(vnOffset(local)))
      .events();
    expect(e.data).toMatchObject({ clockStartAt: vnUtc(start) });
  });

  it('a receipt after the procedure cut-off starts the clock the next working day', () => {
    const cert: ProcedureRules = { ...procedure, deadline: { value: 1, unit: 'working_days' }, cutoffTime: '15:00' };
    const [late] = given()
      .when(receive(vnOffset('2025-03-03 15:30')), { calendar, procedure: cert })
      .events();
    expect(late.data).toMatchObject({
      clockStartAt: vnUtc('2025-03-04 07:00'),
      dueAt: new Date(calendar.dueAt(Date.parse(vnUtc('2025-03-03 15:30')), { deadline: cert.deadline, cutoffTime: '15:00' })).toISOString(),
    });
    const [early] = given()
      .when(receive(vnOffset('2025-03-03 14:59')), { calendar, procedure: cert })
      .events();
    expect(early.data).toMatchObject({ clockStartAt: vnUtc('2025-03-03 14:59') });
  });

  it('receives an online submission (channel online, same code)', () => {
    const submitted = history([
      {
        type: 'submit_online',
        dossierCode: CODE,
        agencyCode: '000.00.00.H30',
        procedureCode: '2.000815',
        occurredAt: vnOffset('2025-03-01 20:00'),
      },
    ]);
    expect(submitted).toEqual([
      {
        type: 'dossier.submitted-online.v1',
        data: { dossierCode: CODE, agencyCode: '000.00.00.H30', procedureCode: '2.000815', occurredAt: vnUtc('2025-03-01 20:00') },
      },
    ]);
    const [e] = given(...submitted)
      .when(receive(vnOffset('2025-03-03 09:00'), { channel: 'online' }))
      .events();
    expect(e).toMatchObject({ type: 'dossier.received.v1', data: { channel: 'online', dueAt: RECEIVED_DUE } });
    given(...submitted)
      .when(receive(vnOffset('2025-03-03 09:00'), { channel: 'counter' }))
      .thenThrows(InvalidCommandError, { field: 'channel' });
    given(...submitted)
      .when(receive(vnOffset('2025-03-03 09:00'), { channel: 'online', dossierCode: 'OTHER-1' } as Partial<DossierCommand>))
      .thenThrows(InvalidCommandError, { field: 'dossierCode' });
    given(...submitted)
      .when(receive(vnOffset('2025-03-01 19:00'), { channel: 'online' }))
      .thenThrows(InvalidCommandError, { field: 'occurredAt' });
  });

  it('rejects bad values with InvalidCommandError naming the field', () => {
    given().when(receive('2025-03-03 09:00')).thenThrows(InvalidCommandError, { action: 'receive', field: 'occurredAt' });
    given()
      .when(receive(vnOffset('2025-03-03 09:00')), { calendar })
      .thenThrows(InvalidCommandError, { field: 'context.procedure' });
    given()
      .when(receive(vnOffset('2025-03-03 09:00'), { procedureCode: '1.000948.H38' } as Partial<DossierCommand>))
      .thenThrows(InvalidCommandError, { field: 'context.procedure' });
    given()
      .when(receive(vnOffset('2025-03-03 09:00'), { channel: 'fax' } as never))
      .thenThrows(InvalidCommandError, { field: 'channel' });
    given()
      .when(receive(vnOffset('2025-03-03 09:00'), { dossierCode: '' } as never))
      .thenThrows(InvalidCommandError, { field: 'dossierCode' });
    given()
      .when(receive(vnOffset('2025-03-03 09:00'), { scoringRuleVersion: 'vn-766-1999' } as never))
      .thenThrows(InvalidCommandError, { field: 'scoringRuleVersion' });
    given()
      .when(receive(), { calendar, procedure: { ...procedure, cutoffTime: '3pm' } })
      .thenThrows(InvalidCommandError, { field: 'context.procedure.cutoffTime' });
    given()
      .when({ type: 'teleport', occurredAt: vnOffset('2025-03-03 09:00') } as never)
      .thenThrows(InvalidCommandError, { field: 'type' });
  });
});

describe('refuse at intake', () => {
  it('from nothing (counter) and from an online submission', () => {
    const refuse = (extra = {}): DossierCommand => ({
      type: 'refuse',
      dossierCode: CODE,
      agencyCode: '000.00.00.H30',
      procedureCode: '2.000815',
      channel: 'counter',
      occurredAt: vnOffset('2025-03-03 09:00'),
      reason: 'Hồ sơ không thuộc thẩm quyền',
      ...extra,
    });
    given()
      .when(refuse())
      .then([
        {
          type: 'dossier.refused.v1',
          data: {
            dossierCode: CODE,
            agencyCode: '000.00.00.H30',
            procedureCode: '2.000815',
            channel: 'counter',
            occurredAt: vnUtc('2025-03-03 09:00'),
            reason: 'Hồ sơ không thuộc thẩm quyền',
          },
        },
      ]);
    const submitted = history([
      { type: 'submit_online', dossierCode: CODE, agencyCode: '000.00.00.H30', procedureCode: '2.000815', occurredAt: vnOffset('2025-03-01 20:00') },
    ]);
    expect(
      given(...submitted)
        .when(refuse({ channel: 'online' }))
        .events()[0].type,
    ).toBe('dossier.refused.v1');
    given(...submitted)
      .when(refuse({ channel: 'counter' }))
      .thenThrows(InvalidCommandError, { field: 'channel' });
    given()
      .when(refuse({ reason: '  ' }))
      .thenThrows(InvalidCommandError, { field: 'reason' });
  });
});

describe('processing steps (control sheet)', () => {
  it('records a hand-over with both units and the allotted time, moving to in processing', () => {
    const cmd: DossierCommand = {
      type: 'record_step',
      occurredAt: vnOffset('2025-03-03 10:00'),
      kind: 'transfer',
      fromUnit: 'H30.MOTCUA',
      toUnit: 'H30.PHONG-TNMT',
      allottedWorkingHours: 16,
    };
    given(receivedEvent)
      .when(cmd)
      .then([
        {
          type: 'dossier.step-recorded.v1',
          data: { occurredAt: vnUtc('2025-03-03 10:00'), kind: 'transfer', fromUnit: 'H30.MOTCUA', toUnit: 'H30.PHONG-TNMT', allottedWorkingHours: 16 },
        },
      ]);
    const after = fold([receivedEvent, ...decide(cmd, fold([receivedEvent]), ctx)]);
    expect(after).toMatchObject({ status: 'in_processing', nationalStatusCode: 4, currentUnit: 'H30.PHONG-TNMT', stepCount: 1 });
    // From in processing too.
    expect(decide({ ...cmd, kind: 'appraisal', fromUnit: 'H30.PHONG-TNMT', toUnit: 'H30.LANHDAO' }, after, ctx)).toHaveLength(1);
  });

  it('rejects an unknown kind, empty unit, negative allotted time and a step before receipt', () => {
    const base = { type: 'record_step', occurredAt: vnOffset('2025-03-03 10:00'), kind: 'signing', fromUnit: 'A', toUnit: 'B' } as const;
    given(receivedEvent)
      .when({ ...base, kind: 'lunch' } as never)
      .thenThrows(InvalidCommandError, { field: 'kind' });
    given(receivedEvent)
      .when({ ...base, toUnit: '' })
      .thenThrows(InvalidCommandError, { field: 'toUnit' });
    given(receivedEvent)
      .when({ ...base, allottedWorkingHours: -1 })
      .thenThrows(InvalidCommandError, { field: 'allottedWorkingHours' });
    given(receivedEvent)
      .when({ ...base, occurredAt: vnOffset('2025-03-03 08:59') })
      .thenThrows(InvalidCommandError, { action: 'record_step', field: 'occurredAt' });
  });
});

describe('supplementation pauses the clock', () => {
  const requested = history([receive(), { type: 'request_supplement', occurredAt: vnOffset('2025-03-04 09:00'), reason: 'Thiếu bản sao giấy tờ' }]);

  it('request: keeps dueAt, records the working time left (16 h: Tue 09:00 to Thu 09:00)', () => {
    given(receivedEvent)
      .when({ type: 'request_supplement', occurredAt: vnOffset('2025-03-04 09:00'), reason: 'Thiếu bản sao giấy tờ' })
      .then([
        {
          type: 'dossier.supplement-requested.v1',
          data: { occurredAt: vnUtc('2025-03-04 09:00'), reason: 'Thiếu bản sao giấy tờ', dueAt: RECEIVED_DUE, remainingWorkingMs: 16 * HOUR },
        },
      ]);
    expect(fold(requested)).toMatchObject({
      status: 'awaiting_supplement',
      nationalStatusCode: 5,
      paused: { since: vnUtc('2025-03-04 09:00'), reason: 'supplementation', remainingWorkingMs: 16 * HOUR },
      supplementRequestCount: 1,
    });
  });

  it('supply over a weekend: due date moves out by the paused working time only (35 h)', () => {
    // Paused Tue 09:00 -> next Mon 14:00: Tue 6 + Wed 8 + Thu 8 + Fri 8 + Mon 5 = 35 working hours.
    // 16 h left from Mon 14:00: Mon 3 + Tue 8 + Wed 5 -> Wed 12 Mar 14:00.
    given(...requested)
      .when({ type: 'supply_supplement', occurredAt: vnOffset('2025-03-10 14:00') })
      .then([
        {
          type: 'dossier.supplement-supplied.v1',
          data: {
            occurredAt: vnUtc('2025-03-10 14:00'),
            previousDueAt: RECEIVED_DUE,
            dueAt: vnUtc('2025-03-12 14:00'),
            pausedWorkingMs: 35 * HOUR,
            calendarVersion: calendar.version,
          },
        },
      ]);
    const s = fold([...requested, ...decide({ type: 'supply_supplement', occurredAt: vnOffset('2025-03-10 14:00') }, fold(requested), ctx)]);
    expect(s).toMatchObject({
      status: 'in_processing',
      paused: null,
      dueAt: vnUtc('2025-03-12 14:00'),
      originalDueAt: RECEIVED_DUE,
      promisedAt: vnUtc('2025-03-12 14:00'),
      pausedWorkingMs: 35 * HOUR,
    });
  });

  it('supplied on a Saturday: the remaining time counts from Monday morning', () => {
    // Requested Tue 10:00: 15 h left (Tue 5 + Wed 8 + Thu 2), avoiding a due date on a period end.
    // Paused Tue 10:00 -> Sat: Tue 5 + Wed 8 + Thu 8 + Fri 8 = 29 h. 15 h from Mon 07:00 -> Tue 16:00.
    const h = history([receive(), { type: 'request_supplement', occurredAt: vnOffset('2025-03-04 10:00'), reason: 'x' }]);
    expect(fold(h).paused?.remainingWorkingMs).toBe(15 * HOUR);
    const [e] = given(...h)
      .when({ type: 'supply_supplement', occurredAt: vnOffset('2025-03-08 10:00') })
      .events();
    expect(e.data).toMatchObject({ dueAt: vnUtc('2025-03-11 16:00'), pausedWorkingMs: 29 * HOUR });
  });

  it('a dossier already past due when paused keeps its due date', () => {
    const h = history([receive(), { type: 'request_supplement', occurredAt: vnOffset('2025-03-07 09:00'), reason: 'x' }]);
    expect(h[1].data).toMatchObject({ remainingWorkingMs: 0 });
    const [e] = given(...h)
      .when({ type: 'supply_supplement', occurredAt: vnOffset('2025-03-10 09:00') })
      .events();
    expect(e.data).toMatchObject({ previousDueAt: RECEIVED_DUE, dueAt: RECEIVED_DUE, pausedWorkingMs: 8 * HOUR });
  });

  it('supply cannot precede the request', () => {
    given(...requested)
      .when({ type: 'supply_supplement', occurredAt: vnOffset('2025-03-04 08:00') })
      .thenThrows(InvalidCommandError, { field: 'occurredAt' });
  });
});

describe('payment', () => {
  const noPause: DecideContext = { calendar, procedure: { ...procedure, paymentPausesClock: false } };

  it('pauses the clock where the procedure says so, and records that on the request', () => {
    const h = history([receive(), { type: 'request_payment', occurredAt: vnOffset('2025-03-04 09:00'), amount: 50000 }]);
    expect(h[1]).toEqual({
      type: 'dossier.payment-requested.v1',
      data: { occurredAt: vnUtc('2025-03-04 09:00'), amount: 50000, pausesClock: true, dueAt: RECEIVED_DUE, remainingWorkingMs: 16 * HOUR },
    });
    expect(fold(h)).toMatchObject({ status: 'awaiting_payment', nationalStatusCode: 6, paused: { reason: 'payment' } });
    // Paid online a working day later: due date moves out by 8 working hours.
    given(...h)
      .when({ type: 'record_payment', occurredAt: vnOffset('2025-03-05 09:00'), online: true, amount: 50000 })
      .then([
        {
          type: 'dossier.payment-recorded.v1',
          data: {
            occurredAt: vnUtc('2025-03-05 09:00'),
            online: true,
            amount: 50000,
            previousDueAt: RECEIVED_DUE,
            dueAt: vnUtc('2025-03-07 09:00'),
            pausedWorkingMs: 8 * HOUR,
            calendarVersion: calendar.version,
          },
        },
      ]);
  });

  it('does not pause the clock otherwise: the due date stays', () => {
    const h = history([receive(), { type: 'request_payment', occurredAt: vnOffset('2025-03-04 09:00') }], noPause);
    expect(h[1].data).toEqual({ occurredAt: vnUtc('2025-03-04 09:00'), pausesClock: false, dueAt: RECEIVED_DUE, remainingWorkingMs: 0 });
    expect(fold(h).paused).toBeNull();
    given(...h)
      .when({ type: 'record_payment', occurredAt: vnOffset('2025-03-05 09:00'), online: false }, noPause)
      .then([
        {
          type: 'dossier.payment-recorded.v1',
          data: {
            occurredAt: vnUtc('2025-03-05 09:00'),
            online: false,
            previousDueAt: RECEIVED_DUE,
            dueAt: RECEIVED_DUE,
            pausedWorkingMs: 0,
            calendarVersion: calendar.version,
          },
        },
      ]);
    const paid = fold([...h, ...decide({ type: 'record_payment', occurredAt: vnOffset('2025-03-05 09:00'), online: false }, fold(h), noPause)]);
    expect(paid).toMatchObject({ status: 'in_processing', paidOnline: false, dueAt: RECEIVED_DUE });
  });

  it('requires the procedure rules and a boolean `online`', () => {
    given(receivedEvent)
      .when({ type: 'request_payment', occurredAt: vnOffset('2025-03-04 09:00') }, { calendar })
      .thenThrows(InvalidCommandError, { field: 'context.procedure' });
    const h = history([receive(), { type: 'request_payment', occurredAt: vnOffset('2025-03-04 09:00') }]);
    given(...h)
      .when({ type: 'record_payment', occurredAt: vnOffset('2025-03-05 09:00') } as never)
      .thenThrows(InvalidCommandError, { field: 'online' });
  });
});

describe('apology', () => {
  it('sets a new promised date and leaves the statutory due date alone', () => {
    const cmd: DossierCommand = {
      type: 'issue_apology',
      occurredAt: vnOffset('2025-03-06 08:00'),
      newPromisedAt: vnOffset('2025-03-10 17:00'),
      reason: 'Chờ ý kiến cơ quan phối hợp',
    };
    given(receivedEvent)
      .when(cmd)
      .then([
        {
          type: 'dossier.apology-issued.v1',
          data: {
            occurredAt: vnUtc('2025-03-06 08:00'),
            previousPromisedAt: RECEIVED_DUE,
            newPromisedAt: vnUtc('2025-03-10 17:00'),
            reason: 'Chờ ý kiến cơ quan phối hợp',
          },
        },
      ]);
    const s = fold([receivedEvent, ...decide(cmd, fold([receivedEvent]), ctx)]);
    expect(s).toMatchObject({ status: 'received', dueAt: RECEIVED_DUE, originalDueAt: RECEIVED_DUE, promisedAt: vnUtc('2025-03-10 17:00'), apologies: 1 });
  });

  it('the promise survives a later pause; the due date moves', () => {
    const h = history([
      receive(),
      { type: 'issue_apology', occurredAt: vnOffset('2025-03-03 10:00'), newPromisedAt: vnOffset('2025-03-20 17:00'), reason: 'r' },
      { type: 'request_supplement', occurredAt: vnOffset('2025-03-04 09:00'), reason: 'x' },
      { type: 'supply_supplement', occurredAt: vnOffset('2025-03-10 14:00') },
    ]);
    expect(fold(h)).toMatchObject({ dueAt: vnUtc('2025-03-12 14:00'), promisedAt: vnUtc('2025-03-20 17:00') });
  });

  it('the new promise must come after the letter', () => {
    given(receivedEvent)
      .when({ type: 'issue_apology', occurredAt: vnOffset('2025-03-06 08:00'), newPromisedAt: vnOffset('2025-03-05 17:00'), reason: 'r' })
      .thenThrows(InvalidCommandError, { field: 'newPromisedAt' });
  });
});

describe('completion and return', () => {
  it('completes (outcome, electronic result) then returns the result', () => {
    given(receivedEvent)
      .when({ type: 'complete', occurredAt: vnOffset('2025-03-05 15:00'), outcome: 'approved', electronicResult: true })
      .then([{ type: 'dossier.completed.v1', data: { occurredAt: vnUtc('2025-03-05 15:00'), outcome: 'approved', electronicResult: true } }]);
    const h = history([receive(), { type: 'complete', occurredAt: vnOffset('2025-03-05 15:00'), outcome: 'rejected', electronicResult: false }]);
    expect(fold(h)).toMatchObject({ status: 'completed', nationalStatusCode: 9, completedAt: vnUtc('2025-03-05 15:00'), outcome: 'rejected' });
    given(...h)
      .when({ type: 'return_result', occurredAt: vnOffset('2025-03-06 08:00') })
      .then([{ type: 'dossier.result-returned.v1', data: { occurredAt: vnUtc('2025-03-06 08:00') } }]);
    given(...h)
      .when({ type: 'return_result', occurredAt: vnOffset('2025-03-05 14:00') })
      .thenThrows(InvalidCommandError, { field: 'occurredAt' });
    given(receivedEvent)
      .when({ type: 'complete', occurredAt: vnOffset('2025-03-05 15:00'), outcome: 'maybe', electronicResult: true } as never)
      .thenThrows(InvalidCommandError, { field: 'outcome' });
  });
});

describe('withdraw and stop', () => {
  it('withdrawn (7) and stopped (8) are terminal; a stop while paused remembers the pause', () => {
    given(receivedEvent)
      .when({ type: 'withdraw', occurredAt: vnOffset('2025-03-04 09:00') })
      .then([{ type: 'dossier.withdrawn.v1', data: { occurredAt: vnUtc('2025-03-04 09:00') } }]);
    const h = history([
      receive(),
      { type: 'request_supplement', occurredAt: vnOffset('2025-03-04 09:00'), reason: 'x' },
      { type: 'stop', occurredAt: vnOffset('2025-04-04 09:00'), reason: 'Quá hạn bổ sung' },
    ]);
    expect(h[2]).toEqual({ type: 'dossier.stopped.v1', data: { occurredAt: vnUtc('2025-04-04 09:00'), reason: 'Quá hạn bổ sung' } });
    expect(fold(h)).toMatchObject({
      status: 'stopped',
      nationalStatusCode: 8,
      paused: null,
      closedWhilePaused: { since: vnUtc('2025-03-04 09:00'), reason: 'supplementation' },
    });
    given(receivedEvent)
      .when({ type: 'stop', occurredAt: vnOffset('2025-03-04 09:00'), reason: '' })
      .thenThrows(InvalidCommandError, { field: 'reason' });
  });
});

describe('deadline missed (system)', () => {
  it('is not raised before the day after the due date: finishing on the due date is on time', () => {
    given(receivedEvent)
      .when({ type: 'mark_deadline_missed', now: vnOffset('2025-03-06 23:59') })
      .thenThrows(DeadlineNotPassedError, { code: 'DEADLINE_NOT_PASSED', dueAt: RECEIVED_DUE });
  });

  it('is raised once per due date, dated local midnight after the due date', () => {
    const missed: DossierEvent = {
      type: 'dossier.deadline-missed.v1',
      data: { occurredAt: vnUtc('2025-03-07 00:00'), dueAt: RECEIVED_DUE, detectedAt: vnUtc('2025-03-07 00:05') },
    };
    given(receivedEvent)
      .when({ type: 'mark_deadline_missed', now: vnOffset('2025-03-07 00:05') })
      .then([missed]);
    given(receivedEvent, missed)
      .when({ type: 'mark_deadline_missed', now: vnOffset('2025-03-08 10:00') })
      .then([]);
    expect(fold([receivedEvent, missed])).toMatchObject({ status: 'received', deadlineMissedFor: [RECEIVED_DUE] });
  });

  it('is illegal while the clock is paused, also for a payment that pauses it', () => {
    const h = history([receive(), { type: 'request_payment', occurredAt: vnOffset('2025-03-04 09:00') }]);
    given(...h)
      .when({ type: 'mark_deadline_missed', now: vnOffset('2025-04-01 09:00') })
      .thenThrows(IllegalTransitionError, { code: 'ILLEGAL_TRANSITION', state: 'awaiting_payment', action: 'mark_deadline_missed' });
  });

  it('can be raised again for a new due date after a pause', () => {
    const h = history([
      receive(),
      { type: 'mark_deadline_missed', now: vnOffset('2025-03-07 08:00') },
      { type: 'request_supplement', occurredAt: vnOffset('2025-03-07 09:00'), reason: 'x' },
      { type: 'supply_supplement', occurredAt: vnOffset('2025-03-10 09:00') },
    ]);
    // Already overdue when paused: due date unchanged, so still marked: nothing new.
    expect(decide({ type: 'mark_deadline_missed', now: vnOffset('2025-03-11 09:00') }, fold(h), ctx)).toEqual([]);
    const h2 = history([
      receive(),
      { type: 'request_supplement', occurredAt: vnOffset('2025-03-04 09:00'), reason: 'x' },
      { type: 'supply_supplement', occurredAt: vnOffset('2025-03-10 14:00') },
      { type: 'mark_deadline_missed', now: vnOffset('2025-03-13 00:00') },
    ]);
    expect(h2[3].data).toEqual({ occurredAt: vnUtc('2025-03-13 00:00'), dueAt: vnUtc('2025-03-12 14:00'), detectedAt: vnUtc('2025-03-13 00:00') });
  });
});

// ---------------------------------------------------------------------------------------------
// The transition matrix: every state x every action. Legal -> one event of the expected type;
// illegal -> IllegalTransitionError naming state and action, and no event.
// ---------------------------------------------------------------------------------------------

const NEXT = vnOffset('2025-03-05 10:00');
const sample: Record<DossierAction, DossierCommand> = {
  submit_online: { type: 'submit_online', dossierCode: CODE, agencyCode: '000.00.00.H30', procedureCode: '2.000815', occurredAt: NEXT },
  receive: receive(NEXT, { channel: 'online' }),
  refuse: {
    type: 'refuse',
    dossierCode: CODE,
    agencyCode: '000.00.00.H30',
    procedureCode: '2.000815',
    channel: 'online',
    occurredAt: NEXT,
    reason: 'r',
  },
  record_step: { type: 'record_step', occurredAt: NEXT, kind: 'approval', fromUnit: 'A', toUnit: 'B' },
  request_supplement: { type: 'request_supplement', occurredAt: NEXT, reason: 'r' },
  supply_supplement: { type: 'supply_supplement', occurredAt: NEXT },
  request_payment: { type: 'request_payment', occurredAt: NEXT },
  record_payment: { type: 'record_payment', occurredAt: NEXT, online: true },
  issue_apology: { type: 'issue_apology', occurredAt: NEXT, newPromisedAt: vnOffset('2025-03-20 17:00'), reason: 'r' },
  complete: { type: 'complete', occurredAt: NEXT, outcome: 'approved', electronicResult: false },
  return_result: { type: 'return_result', occurredAt: NEXT },
  withdraw: { type: 'withdraw', occurredAt: NEXT },
  stop: { type: 'stop', occurredAt: NEXT, reason: 'r' },
  mark_deadline_missed: { type: 'mark_deadline_missed', now: vnOffset('2025-04-01 09:00') },
};

const EMITS: Record<DossierAction, DossierEventType> = {
  submit_online: 'dossier.submitted-online.v1',
  receive: 'dossier.received.v1',
  refuse: 'dossier.refused.v1',
  record_step: 'dossier.step-recorded.v1',
  request_supplement: 'dossier.supplement-requested.v1',
  supply_supplement: 'dossier.supplement-supplied.v1',
  request_payment: 'dossier.payment-requested.v1',
  record_payment: 'dossier.payment-recorded.v1',
  issue_apology: 'dossier.apology-issued.v1',
  complete: 'dossier.completed.v1',
  return_result: 'dossier.result-returned.v1',
  withdraw: 'dossier.withdrawn.v1',
  stop: 'dossier.stopped.v1',
  mark_deadline_missed: 'dossier.deadline-missed.v1',
};

const EARLIER = vnOffset('2025-03-04 09:00');
const noPauseCtx: DecideContext = { calendar, procedure: { ...procedure, paymentPausesClock: false } };
/** A history reaching each state (and a second awaiting-payment variant whose clock runs). */
const STATES: Array<[string, DossierStateName, DossierEvent[], DecideContext]> = [
  ['none', 'none', [], ctx],
  [
    'submitted_online',
    'submitted_online',
    history([{ type: 'submit_online', dossierCode: CODE, agencyCode: '000.00.00.H30', procedureCode: '2.000815', occurredAt: vnOffset('2025-03-01 20:00') }]),
    ctx,
  ],
  ['received', 'received', history([receive()]), ctx],
  ['refused', 'refused', history([{ ...(sample.refuse as object), channel: 'counter', occurredAt: EARLIER } as DossierCommand]), ctx],
  ['in_processing', 'in_processing', history([receive(), { ...sample.record_step, occurredAt: EARLIER } as DossierCommand]), ctx],
  ['awaiting_supplement', 'awaiting_supplement', history([receive(), { ...sample.request_supplement, occurredAt: EARLIER } as DossierCommand]), ctx],
  ['awaiting_payment (clock paused)', 'awaiting_payment', history([receive(), { ...sample.request_payment, occurredAt: EARLIER } as DossierCommand]), ctx],
  [
    'awaiting_payment (clock running)',
    'awaiting_payment',
    history([receive(), { ...sample.request_payment, occurredAt: EARLIER } as DossierCommand], noPauseCtx),
    noPauseCtx,
  ],
  ['withdrawn', 'withdrawn', history([receive(), { ...sample.withdraw, occurredAt: EARLIER } as DossierCommand]), ctx],
  ['stopped', 'stopped', history([receive(), { ...sample.stop, occurredAt: EARLIER } as DossierCommand]), ctx],
  ['completed', 'completed', history([receive(), { ...sample.complete, occurredAt: EARLIER } as DossierCommand]), ctx],
  [
    'result_returned',
    'result_returned',
    history([receive(), { ...sample.complete, occurredAt: EARLIER } as DossierCommand, { ...sample.return_result, occurredAt: EARLIER } as DossierCommand]),
    ctx,
  ],
];

/** The lifecycle of the spec, written out independently of ALLOWED_FROM. */
const LEGAL: Record<string, DossierAction[]> = {
  none: ['submit_online', 'receive', 'refuse'],
  submitted_online: ['receive', 'refuse', 'withdraw'],
  received: ['record_step', 'request_supplement', 'request_payment', 'issue_apology', 'complete', 'withdraw', 'stop', 'mark_deadline_missed'],
  refused: [],
  in_processing: ['record_step', 'request_supplement', 'request_payment', 'issue_apology', 'complete', 'withdraw', 'stop', 'mark_deadline_missed'],
  awaiting_supplement: ['supply_supplement', 'issue_apology', 'withdraw', 'stop'],
  'awaiting_payment (clock paused)': ['record_payment', 'issue_apology', 'withdraw', 'stop'],
  'awaiting_payment (clock running)': ['record_payment', 'issue_apology', 'withdraw', 'stop', 'mark_deadline_missed'],
  withdrawn: [],
  stopped: [],
  completed: ['return_result'],
  result_returned: [],
};

const STATUS_AFTER: Partial<Record<DossierAction, DossierStateName>> = {
  submit_online: 'submitted_online',
  receive: 'received',
  refuse: 'refused',
  record_step: 'in_processing',
  request_supplement: 'awaiting_supplement',
  supply_supplement: 'in_processing',
  request_payment: 'awaiting_payment',
  record_payment: 'in_processing',
  complete: 'completed',
  return_result: 'result_returned',
  withdraw: 'withdrawn',
  stop: 'stopped',
};

describe('transition matrix', () => {
  it('each history reaches its state', () => {
    for (const [, status, events] of STATES) expect(fold(events).status).toBe(status);
  });

  const cases = STATES.flatMap(([label, status, events, context]) =>
    DOSSIER_ACTIONS.map((action) => ({ label, status, events, context, action, legal: LEGAL[label].includes(action) })),
  );

  it.each(cases.filter((c) => c.legal))('$label + $action -> one event', ({ status, events, context, action }) => {
    const state: DossierState = fold(events);
    const out = decide(sample[action], state, context);
    expect(out.map((e) => e.type)).toEqual([EMITS[action]]);
    const next = fold(out, state);
    expect(next.status).toBe(STATUS_AFTER[action] ?? status); // apology, deadline missed: status unchanged
    expect(next.revision).toBe(state.revision + 1);
  });

  it.each(cases.filter((c) => !c.legal))('$label + $action -> IllegalTransitionError, no event', ({ status, events, context, action }) => {
    given(...events)
      .when(sample[action], context)
      .thenThrows(IllegalTransitionError, { code: 'ILLEGAL_TRANSITION', state: status, action });
  });
});

describe('receive with a legacy recorded due date', () => {
  const calendar = createWorkingCalendar();
  const procedure = procedureRules({ code: '2.000815', deadline: workingDays(3), version: 'p1' });
  const base = {
    type: 'receive' as const,
    dossierCode: 'H30.1-250310-0001',
    agencyCode: 'H30.1',
    procedureCode: '2.000815',
    channel: 'counter' as const,
    occurredAt: '2025-03-10T10:00:00+07:00',
  };
  it('keeps the recorded promise and the computed date beside it when they differ', () => {
    const [e] = decide({ ...base, recordedDueAt: '2025-03-14T17:00:00+07:00' }, initialState, { calendar, procedure });
    expect(e.data).toMatchObject({ dueAt: '2025-03-14T10:00:00.000Z', dueAtSource: 'legacy', computedDueAt: '2025-03-13T03:00:00.000Z' });
  });
  it('records nothing extra when they agree', () => {
    const [e] = decide({ ...base, recordedDueAt: '2025-03-13T10:00:00+07:00' }, initialState, { calendar, procedure });
    expect(e.data).not.toHaveProperty('dueAtSource');
    expect(e.data).toMatchObject({ dueAt: '2025-03-13T03:00:00.000Z' });
  });
  it('refuses a recorded due date before the receipt', () => {
    expect(() => decide({ ...base, recordedDueAt: '2025-03-09T10:00:00+07:00' }, initialState, { calendar, procedure })).toThrow(InvalidCommandError);
  });
});
