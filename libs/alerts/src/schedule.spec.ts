import { dueMember, parseDueMember, tickFor, tickJobId } from './schedule';

describe('schedule', () => {
  it('members encode kind, due date and code, any code (":" included) round-trips', () => {
    for (const code of ['000.00.00.H30-250124-0001', 'A:1:2', 'x y|z', ':']) {
      for (const kind of ['deadline', 'due-soon'] as const) {
        const m = dueMember(kind, code, 1_764_000_000_123);
        expect(parseDueMember(m, 7)).toEqual({ kind, code, dueAtMs: 1_764_000_000_123, at: 7 });
      }
    }
    expect(dueMember('deadline', 'X', 5)).not.toBe(dueMember('due-soon', 'X', 5));
    expect(dueMember('deadline', 'X', 5)).not.toBe(dueMember('deadline', 'X', 6));
    expect(parseDueMember('garbage', 1)).toBeUndefined();
  });

  it('the tick of a future instant is the first boundary strictly after it', () => {
    expect(tickFor(1_000, 0, 200)).toBe(1_200);
    expect(tickFor(1_199, 0, 200)).toBe(1_200);
    expect(tickFor(1_001, 500, 200)).toBe(1_200);
  });

  it('an instant already past gets the first boundary strictly after now (a tick not started yet)', () => {
    expect(tickFor(100, 1_000, 200)).toBe(1_200);
    expect(tickFor(100, 1_150, 200)).toBe(1_200);
    for (const now of [999, 1_000, 1_001, 1_199]) expect(tickFor(0, now, 200)).toBeGreaterThan(now);
  });

  it('tick job ids never contain ":" (BullMQ custom ids)', () => {
    expect(tickJobId(1_764_000_000_200)).toBe('tick-1764000000200');
  });
});
