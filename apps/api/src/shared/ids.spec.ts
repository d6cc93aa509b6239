import { decodeTime } from 'ulid';
import { fastUlid } from './ids';

describe('fastUlid', () => {
  it('is a ULID: 26 Crockford base32 characters whose time prefix decodes to the given instant', () => {
    const now = Date.UTC(2025, 2, 3, 2, 0, 0, 123);
    const id = fastUlid(now);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeTime(id)).toBe(now);
  });

  it('sorts by time and does not repeat (also across pool refills)', () => {
    expect(fastUlid(1000) < fastUlid(2000)).toBe(true);
    const ids = new Set(Array.from({ length: 5000 }, () => fastUlid()));
    expect(ids.size).toBe(5000);
    const tails = new Set([...ids].map((i) => i.slice(10)));
    expect(tails.size).toBe(5000);
  });
});
