import { decodePosition, encodePosition } from './positions';

describe('PostgreSQL positions', () => {
  it('packs (transaction id, seq) as transaction_id * 10^20 + seq, and unpacks it', () => {
    const cases: [string, string][] = [
      ['0', '0'],
      ['0', '17'],
      ['3', '1'],
      ['745', '99999999999999999999'],
      ['18446744073709551615', '9223372036854775807'],
      ['123456', '42'],
    ];
    for (const [tx, seq] of cases) {
      const expected = (BigInt(tx) * 10n ** 20n + BigInt(seq)).toString();
      expect(encodePosition(tx, seq)).toBe(expected);
      expect(encodePosition(BigInt(tx), BigInt(seq))).toBe(expected);
      expect(decodePosition(expected)).toEqual({ transactionId: tx, seq });
    }
  });
});
