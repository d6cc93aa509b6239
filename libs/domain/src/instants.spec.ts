import fc from 'fast-check';
import { INSTANT_YEARS, isIsoInstant } from './time';

describe('instants a command may carry', () => {
  it.each([
    ['2024-02-29T09:00:00+07:00', true],
    ['2025-02-29T09:00:00+07:00', false],
    ['2100-01-01T00:00:00Z', false],
    ['2000-02-29T00:00:00Z', true],
    ['2026-04-31T09:00+07:00', false],
    ['2026-04-30T23:59:59.999+07:00', true],
    ['2026-04-30T23:59:60+07:00', false],
    ['2026-04-30T09:00:00-14:00', true],
    ['2026-04-30T09:00:00+14:30', false],
    ['1999-12-31T23:59:59Z', false],
  ])('%s: %s', (value, ok) => {
    expect(isIsoInstant(value)).toBe(ok);
  });

  it('every real instant within the years is accepted, and means what Date says (no roll-over)', () => {
    const min = Date.UTC(INSTANT_YEARS.min, 0, 2);
    const max = Date.UTC(INSTANT_YEARS.max, 11, 30);
    fc.assert(
      fc.property(fc.integer({ min, max }), fc.integer({ min: -14, max: 14 }), (t, offsetH) => {
        const local = new Date(t + offsetH * 3600_000).toISOString().slice(0, 19);
        const sign = offsetH < 0 ? '-' : '+';
        const text = `${local}${sign}${String(Math.abs(offsetH)).padStart(2, '0')}:00`;
        expect(isIsoInstant(text)).toBe(true);
        expect(Date.parse(text)).toBe(Math.floor(t / 1000) * 1000);
      }),
    );
  });
});
