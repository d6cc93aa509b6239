import { agencyChanged, agencyClosed, agencyRegistered, procedureChanged, procedureRegistered, workingDays } from '@motcua/testing';
import { ReferenceData } from './reference-data';

describe('ReferenceData read model', () => {
  const model = new ReferenceData();
  let rev = 0;
  const a = (e: { type: string; data: Record<string, unknown> }) => model.applyAgencyEvent({ revision: rev++, ...e, commandId: `c${rev}` });
  a(agencyRegistered({ code: 'P', name: 'Tỉnh', level: 'province' }));
  a(agencyRegistered({ code: 'D', name: 'Huyện', level: 'district', parentCode: 'P', validFrom: '2000-01-01' }));
  a(agencyRegistered({ code: 'C', name: 'Xã', level: 'commune', parentCode: 'D' }));
  a(agencyChanged({ code: 'C', name: 'Xã mới', level: 'commune', parentCode: 'P' }, '2025-07-01'));
  a(agencyClosed('D', '2025-06-30'));

  it('answers as of a date: attributes, parent chain, subtree', () => {
    expect(model.agencyAsOf('C', '2025-06-30')).toMatchObject({ name: 'Xã', parentCode: 'D' });
    expect(model.agencyAsOf('C', '2025-07-01')).toMatchObject({ name: 'Xã mới', parentCode: 'P', effectiveFrom: '2025-07-01' });
    expect(model.parentChain('C', '2025-06-30').map((x) => x.code)).toEqual(['D', 'P']);
    expect(model.subtree('P', '2025-06-30').map((x) => x.code)).toEqual(['P', 'D', 'C']);
    expect(model.subtree('P', '2025-07-01').map((x) => x.code)).toEqual(['P', 'C']);
    expect(model.agencyAsOf('D', '1999-12-31')).toBeUndefined();
    expect(model.agencyAsOf('D', '2025-07-01')).toBeUndefined();
    expect(model.isWithin('C', 'D', '2025-01-01')).toBe(true);
    expect(model.isWithin('C', 'D', '2025-07-01')).toBe(false);
  });

  it('replays an agency as it was at a revision; ignores events already applied', () => {
    expect(model.agencyAtRevision('C', 2)!.versions).toHaveLength(1);
    expect(model.agencyAtRevision('C', 3)!.versions).toHaveLength(2);
    model.applyAgencyEvent({ revision: 1, ...agencyClosed('P', '2000-01-01') });
    expect(model.agency('P')!.validTo).toBeNull();
    expect(model.agencyCommand('c4')).toEqual({ code: 'C', revision: 3 });
  });

  it('procedure rules versions by effective date', () => {
    const x = { code: 'X', name: 'x', paymentPausesClock: true };
    model.applyProcedureEvent({ revision: 0, ...procedureRegistered({ ...x, deadline: workingDays(5) }) });
    model.applyProcedureEvent({
      revision: 1,
      ...procedureChanged({ ...x, deadline: workingDays(3), cutoffTime: '15:00' }, { effectiveFrom: '2026-01-01', rulesVersion: 2 }),
    });
    expect(model.procedureRulesAsOf('X', '2025-12-31')).toMatchObject({ rulesVersion: 1, deadlineValue: 5 });
    expect(model.procedureRulesAsOf('X', '2026-01-01')).toMatchObject({ rulesVersion: 2, cutoffTime: '15:00' });
  });
});
