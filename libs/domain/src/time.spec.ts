/** `ms` reads the canonical instant form itself: property tests that it always agrees with `Date.parse`. */
import fc from 'fast-check';
import { ms } from './time';

const YEAR_10000 = Date.UTC(10000, 0, 1);

describe('ms (epoch ms of an ISO instant)', () => {
  it('reads back every canonical instant of years 0001-9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: new Date('0001-01-01T00:00:00.000Z').getTime(), max: YEAR_10000 - 1 }), (t) => {
        expect(ms(new Date(t).toISOString())).toBe(t);
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees with Date.parse on a canonical instant with any one character changed', () => {
    const chars = fc.constantFrom(...'0123456789-:.TZ+ x/'.split(''));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: YEAR_10000 - 1 }), fc.nat(23), chars, (t, at, c) => {
        const s = new Date(t).toISOString();
        const changed = s.slice(0, at) + c + s.slice(at + 1);
        expect(Object.is(ms(changed), Date.parse(changed))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees with Date.parse on out-of-range fields and other forms', () => {
    for (const s of [
      '2024-02-29T12:00:00.000Z', // leap day
      '2025-02-29T12:00:00.000Z', // no such day
      '2100-02-29T00:00:00.000Z', // century, not a leap year
      '2000-02-29T00:00:00.000Z', // 400-year leap year
      '2025-04-31T00:00:00.000Z',
      '2025-13-01T00:00:00.000Z',
      '2025-00-10T00:00:00.000Z',
      '2025-01-00T00:00:00.000Z',
      '2025-01-01T24:00:00.000Z',
      '2025-01-01T23:60:00.000Z',
      '2025-01-01T23:59:60.000Z',
      '2025-01-01T07:00:00+07:00',
      '2025-01-01T00:00Z',
      '2025-01-01T00:00:00Z',
      '+010000-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '0000-01-01T00:00:00.000Z',
    ]) {
      expect({ s, v: ms(s) }).toEqual({ s, v: Date.parse(s) });
    }
  });
});
