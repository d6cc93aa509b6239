/**
 * Classification by hand, on the real calendar. Dossier received Mon 3 Mar 2025 09:00 (UTC+7),
 * 3 working days: due Thu 6 Mar 2025 09:00.
 */
import { createWorkingCalendar, localInstant } from '@motcua/calendar';
import { procedureRules, vnUtc, workingDays } from '@motcua/testing';
import { classify, compareToDueDate, openTimeliness, overdueFrom, scoringRule, SCORING_RULES, timelinessAt } from './classification';
import type { DecideContext, DossierCommand } from './commands';
import { decide } from './decide';
import { UnknownScoringRuleError } from './errors';
import type { DossierEvent } from './events';
import { fold } from './state';

const calendar = createWorkingCalendar();
const ctx: DecideContext = {
  calendar,
  procedure: procedureRules({ code: '2.000815', deadline: workingDays(3), paymentPausesClock: true, version: 'p1' }),
};
const DUE = vnUtc('2025-03-06 09:00');

function dossier(...commands: DossierCommand[]) {
  const events: DossierEvent[] = [];
  const all: DossierCommand[] = [
    {
      type: 'receive',
      dossierCode: 'H30-250303-0001',
      agencyCode: 'H30',
      procedureCode: '2.000815',
      channel: 'counter',
      occurredAt: vnUtc('2025-03-03 09:00'),
    },
    ...commands,
  ];
  for (const c of all) events.push(...decide(c, fold(events), ctx));
  return fold(events);
}
const complete = (local: string): DossierCommand => ({ type: 'complete', occurredAt: vnUtc(local), outcome: 'approved', electronicResult: true });
const supplement = (req: string, sup?: string): DossierCommand[] => [
  { type: 'request_supplement', occurredAt: vnUtc(req), reason: 'thiếu giấy tờ' },
  ...(sup ? [{ type: 'supply_supplement', occurredAt: vnUtc(sup) } as DossierCommand] : []),
];

describe('classification at completion (local dates against the statutory due date)', () => {
  it('before the due date: early', () => {
    expect(dossier().dueAt).toBe(DUE);
    expect(classify(dossier(complete('2025-03-05 16:00')), calendar)).toEqual({
      measuredAt: vnUtc('2025-03-05 16:00'),
      basis: 'completed',
      dueAt: DUE,
      clockTimeliness: 'early',
      timeliness: 'early',
      reason: 'clock',
      onTime: true,
      scoringRuleVersion: 'vn-766-2022.1',
    });
  });

  it('on the due date, even after the due instant: on time', () => {
    expect(classify(dossier(complete('2025-03-06 16:30')), calendar)).toMatchObject({ timeliness: 'on_time', onTime: true });
    expect(classify(dossier(complete('2025-03-06 23:59')), calendar)).toMatchObject({ timeliness: 'on_time' });
  });

  it('after the due date: late', () => {
    expect(classify(dossier(complete('2025-03-07 00:00')), calendar)).toMatchObject({ timeliness: 'late', onTime: false, reason: 'clock' });
  });

  it('an apology with a later promise keeps it late', () => {
    const s = dossier(
      { type: 'issue_apology', occurredAt: vnUtc('2025-03-06 08:00'), newPromisedAt: vnUtc('2025-03-10 17:00'), reason: 'chậm' },
      complete('2025-03-07 10:00'),
    );
    expect(s.promisedAt).toBe(vnUtc('2025-03-10 17:00'));
    expect(classify(s, calendar)).toMatchObject({ dueAt: DUE, clockTimeliness: 'late', timeliness: 'late' });
  });

  it('one supplementation: judged against the moved due date', () => {
    // Paused Tue 09:00 -> Mon 14:00 (35 working hours): due Wed 12 Mar 14:00.
    const s = dossier(...supplement('2025-03-04 09:00', '2025-03-10 14:00'), complete('2025-03-12 16:00'));
    expect(classify(s, calendar)).toMatchObject({ dueAt: vnUtc('2025-03-12 14:00'), timeliness: 'on_time', reason: 'clock' });
  });

  it('two supplementation requests: late whatever the clock says (scoring rule vn-766-2022.1)', () => {
    const s = dossier(
      ...supplement('2025-03-03 10:00', '2025-03-03 14:00'),
      ...supplement('2025-03-03 15:00', '2025-03-03 16:00'),
      complete('2025-03-04 09:00'),
    );
    expect(s.supplementRequestCount).toBe(2);
    expect(classify(s, calendar)).toMatchObject({
      clockTimeliness: 'early',
      timeliness: 'late',
      reason: 'too_many_supplement_requests',
      onTime: false,
    });
  });

  it('returned: still measured at completion', () => {
    const s = dossier(complete('2025-03-05 10:00'), { type: 'return_result', occurredAt: vnUtc('2025-03-20 10:00') });
    expect(classify(s, calendar)).toMatchObject({ basis: 'completed', measuredAt: vnUtc('2025-03-05 10:00'), timeliness: 'early' });
  });

  it('stopped while awaiting supplementation: measured to the request', () => {
    const s = dossier(...supplement('2025-03-04 09:00'), { type: 'stop', occurredAt: vnUtc('2025-04-15 09:00'), reason: 'không bổ sung' });
    expect(classify(s, calendar)).toMatchObject({ basis: 'stopped_while_paused', measuredAt: vnUtc('2025-03-04 09:00'), timeliness: 'early' });
  });

  it('stopped while processing: measured at the stop', () => {
    const s = dossier({ type: 'stop', occurredAt: vnUtc('2025-03-10 09:00'), reason: 'r' });
    expect(classify(s, calendar)).toMatchObject({ basis: 'stopped', timeliness: 'late' });
  });

  it('open, withdrawn and refused dossiers are not classified', () => {
    expect(classify(dossier(), calendar)).toBeNull();
    expect(classify(dossier({ type: 'withdraw', occurredAt: vnUtc('2025-03-04 09:00') }), calendar)).toBeNull();
    const refused = fold(
      decide(
        { type: 'refuse', dossierCode: 'X-1', agencyCode: 'H30', procedureCode: 'p', channel: 'counter', occurredAt: vnUtc('2025-03-03 09:00'), reason: 'r' },
        fold([]),
        ctx,
      ),
    );
    expect(classify(refused, calendar)).toBeNull();
  });
});

describe('open dossiers at an instant', () => {
  const open = dossier();
  it('within deadline through the due date, overdue from the next local day', () => {
    expect(openTimeliness(open, vnUtc('2025-03-05 10:00'), calendar)).toBe('within_deadline');
    expect(openTimeliness(open, vnUtc('2025-03-06 23:59'), calendar)).toBe('within_deadline');
    expect(openTimeliness(open, Date.parse(vnUtc('2025-03-07 00:00')), calendar)).toBe('overdue');
    expect(overdueFrom(DUE, calendar)).toBe(Date.parse(vnUtc('2025-03-07 00:00')));
  });

  it('paused while the clock is paused, unless it was already overdue when it paused', () => {
    expect(openTimeliness(dossier(...supplement('2025-03-04 09:00')), vnUtc('2025-05-01 09:00'), calendar)).toBe('paused');
    expect(openTimeliness(dossier(...supplement('2025-03-07 09:00')), vnUtc('2025-03-07 10:00'), calendar)).toBe('overdue');
  });

  it('null when not open', () => {
    expect(openTimeliness(dossier(complete('2025-03-05 10:00')), vnUtc('2025-03-10 10:00'), calendar)).toBeNull();
    expect(openTimeliness(fold([]), vnUtc('2025-03-10 10:00'), calendar)).toBeNull();
  });
});

describe('scoring rules', () => {
  it('are versioned; an unknown version is an error, not a guess', () => {
    expect(scoringRule('vn-766-2022.1').maxSupplementRequests).toBe(1);
    expect(Object.keys(SCORING_RULES)).toEqual(['vn-766-2022.1']);
    expect(() => scoringRule('toString')).toThrow(UnknownScoringRuleError);
  });

  it('compareToDueDate compares local (UTC+7) dates, not UTC dates', () => {
    // 2025-03-06 23:30 local is still 6 March locally but 16:30Z; 2025-03-07 06:00 local is 6 March in UTC.
    expect(compareToDueDate(vnUtc('2025-03-06 23:30'), DUE, calendar)).toBe('on_time');
    expect(compareToDueDate(vnUtc('2025-03-07 06:00'), DUE, calendar)).toBe('late');
  });
});

describe('deadlines counted in working hours are late past the due instant', () => {
  const cal = createWorkingCalendar();
  const due = localInstant('2025-03-12', '10:00');
  it('by date for working days, by instant for working hours', () => {
    const sameDayLater = localInstant('2025-03-12', '16:00');
    expect(timelinessAt(sameDayLater, due, 'working_days', cal)).toBe('on_time');
    expect(timelinessAt(sameDayLater, due, 'working_hours', cal)).toBe('late');
    expect(timelinessAt(due, due, 'working_hours', cal)).toBe('on_time');
    expect(timelinessAt(localInstant('2025-03-11', '16:00'), due, 'working_hours', cal)).toBe('early');
  });
  it('overdueFrom: next local midnight for days, due instant + 1 ms for hours', () => {
    expect(overdueFrom(due, cal, 'working_days')).toBe(localInstant('2025-03-13', '00:00'));
    expect(overdueFrom(due, cal, 'working_hours')).toBe(due + 1);
  });
});
