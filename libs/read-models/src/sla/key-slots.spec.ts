import fc from 'fast-check';
import { KeySlots } from './key-slots';

describe('KeySlots (day-counter key -> slot)', () => {
  it('answers as a Map would, through growth and clears, for day keys of any size', () => {
    // Keys as the projection makes them (local day * 2^24 + pair id), negative days included, and
    // small keys whose high 32 bits are zero, and keys that differ only in their high bits; repeats
    // are likely among the small ones.
    const key = fc.oneof(
      fc.tuple(fc.integer({ min: -40_000, max: 1 << 19 }), fc.integer({ min: 0, max: (1 << 24) - 1 })).map(([d, ap]) => d * 2 ** 24 + ap),
      fc.nat(5_000),
      // The same low 32 bits, other high bits.
      fc.tuple(fc.nat(300), fc.integer({ min: -20, max: 20 })).map(([low, high]) => high * 2 ** 32 + low),
    );
    // Runs of keys, the table cleared between runs (as after each write of the held counters).
    const runs = fc.array(fc.array(key, { minLength: 0, maxLength: 6_000, size: 'max' }), { minLength: 1, maxLength: 3 });
    let largest = 0;
    fc.assert(
      fc.property(runs, (ops) => {
        const slots = new KeySlots();
        for (const run of ops) {
          slots.clear();
          const model = new Map<number, number>();
          for (const k of run) {
            const got = slots.get(k);
            if (got !== (model.get(k) ?? -1)) expect({ k, got }).toEqual({ k, got: model.get(k) ?? -1 });
            if (got < 0) {
              slots.set(k, model.size);
              model.set(k, model.size);
            }
          }
          for (const [k, v] of model) if (slots.get(k) !== v) expect({ k, got: slots.get(k) }).toEqual({ k, got: v });
          largest = Math.max(largest, model.size);
        }
      }),
      { numRuns: 40 },
    );
    // The table starts at 4 096 entries and grows at half full: growth was exercised.
    expect(largest).toBeGreaterThan(2_048);
  });
});
