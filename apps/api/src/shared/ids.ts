import { randomFillSync } from 'node:crypto';

/** Crockford base32, as ULID spells it. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * A ULID (26 chars: 48-bit millisecond time, 80 random bits), as the `ulid` package makes them but with the
 * randomness taken from a pooled buffer refilled 4 KiB at a time: `ulid()` asks the CSPRNG once per character,
 * which was ~5 % of the CPU of a request (correlation ids, command ids) under load. Same format, same sources.
 */
export function fastUlid(now = Date.now()): string {
  if (offset + 10 > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  let out = '';
  let t = now;
  for (let i = 9; i >= 0; i--) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  // 80 random bits = 16 characters of 5 bits, from 10 bytes.
  let bits = 0;
  let acc = 0;
  for (let i = 0; i < 10; i++) {
    acc = (acc << 8) | pool[offset + i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  offset += 10;
  return out;
}
