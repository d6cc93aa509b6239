import { calendarForHours, parseWorkingHours } from '@motcua/calendar';
import { deadlineJobId, dueSoonAlertId, jobKey } from './events';
import { planAlerts } from './plan';

describe('planAlerts', () => {
  const cal = calendarForHours(null); // Mon-Fri 07:00-11:30, 13:30-17:00, UTC+7
  const start = Date.parse('2026-11-23T07:00:00+07:00'); // Monday opening

  it('working days: warns one working day before dueAt (cap), late from local midnight after the due date', () => {
    const due = cal.dueAt(start, { deadline: { value: 15, unit: 'working_days' } });
    const p = planAlerts({ dueAtMs: due, unit: 'working_days', calendarVersion: cal.version, clockStartAtMs: start, originalDueAtMs: due });
    expect(cal.workingTimeBetween(p.dueSoonAt, due)).toBe(8 * 3_600_000);
    expect(new Date(p.overdueFrom).toISOString()).toBe(new Date(Date.parse(`${cal.localDate(due)}T00:00:00+07:00`) + 86_400_000).toISOString());
  });

  it('working hours: 25 % of the allowance when under the cap; late at dueAt + 1 ms', () => {
    const due = cal.dueAt(start, { deadline: { value: 4, unit: 'working_hours' } });
    const p = planAlerts({ dueAtMs: due, unit: 'working_hours', calendarVersion: cal.version, clockStartAtMs: start, originalDueAtMs: due });
    expect(cal.workingTimeBetween(p.dueSoonAt, due)).toBe(3_600_000);
    expect(p.overdueFrom).toBe(due + 1);
  });

  it('after a pause the due date moves but the threshold is still measured in working time before it', () => {
    const due = cal.dueAt(start, { deadline: { value: 4, unit: 'working_hours' } });
    const moved = cal.addWorkingTime(due, 2 * 3_600_000);
    const p = planAlerts({ dueAtMs: moved, unit: 'working_hours', calendarVersion: cal.version, clockStartAtMs: start, originalDueAtMs: due });
    expect(cal.workingTimeBetween(p.dueSoonAt, moved)).toBe(3_600_000);
  });

  it('uses the calendar recorded on the dossier (24/7 hours: a 2-second deadline)', () => {
    const c = calendarForHours(parseWorkingHours('Mon-Sun 00:00-24:00'));
    const t = Date.parse('2026-11-27T10:00:00+07:00');
    const p = planAlerts({ dueAtMs: t + 2000, unit: 'working_hours', calendarVersion: c.version, clockStartAtMs: t, originalDueAtMs: t + 2000 });
    expect(p).toEqual({ dueSoonAt: t + 1500, overdueFrom: t + 2001, thresholdMs: 500 });
  });

  it('calendar days: plain time', () => {
    const due = start + 10 * 86_400_000;
    const p = planAlerts({ dueAtMs: due, unit: 'calendar_days', calendarVersion: cal.version, clockStartAtMs: start, originalDueAtMs: due });
    expect(p.dueSoonAt).toBe(due - 86_400_000);
  });
});

describe('ids', () => {
  it('job ids never contain ":" and stay distinct', () => {
    expect(jobKey('A:1')).not.toContain(':');
    expect(jobKey('A:1')).not.toBe(jobKey('A_1'));
    expect(deadlineJobId('000.00.00.H30-250124-0001', 5)).toBe('deadline-000.00.00.H30-250124-0001-5');
    expect(dueSoonAlertId('X', '1970-01-01T00:00:00.005Z')).toBe('due-soon-X-5');
  });
});
