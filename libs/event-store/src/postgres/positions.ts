/**
 * Global positions of the PostgreSQL adapter.
 *
 * Readers order the global log by (transaction_id, seq), not by seq alone: a bigserial value is handed out
 * when a row is inserted, but transactions commit in any order, so seq order is not commit order (see
 * docs/event-store.md, "PostgreSQL"). The port wants ONE opaque decimal that compares like the order readers
 * use, so the pair is packed as
 *
 *     position = transaction_id * 10^20 + seq
 *
 * seq is a bigint (< 2^63 < 10^20), so the packing is injective and numeric order of positions equals the
 * lexicographic order of (transaction_id, seq). Positions compare with the port's `comparePositions` (BigInt).
 */
const SEQ_SPAN = 10n ** 20n;

export interface PgLogKey {
  /** xid8 as a decimal string. */
  transactionId: string;
  /** The bigserial `seq` as a decimal string. */
  seq: string;
}

const DECIMAL = /^(?:0|[1-9]\d{0,19})$/;

export function encodePosition(transactionId: string | bigint, seq: string | bigint): string {
  const tx = String(transactionId);
  const sq = String(seq);
  // Every row of a read is encoded: for the canonical decimals PostgreSQL sends, the packing is plain
  // string work (tx followed by seq padded to 20 digits), no BigInt arithmetic.
  if (DECIMAL.test(tx) && DECIMAL.test(sq) && sq.length <= 20) return tx === '0' ? sq : tx + sq.padStart(20, '0');
  return (BigInt(transactionId) * SEQ_SPAN + BigInt(seq)).toString();
}

export function decodePosition(position: string): PgLogKey {
  if (!/^\d{1,60}$/.test(position)) throw new RangeError(`not a PostgreSQL global position: ${position}`);
  const value = BigInt(position);
  return { transactionId: (value / SEQ_SPAN).toString(), seq: (value % SEQ_SPAN).toString() };
}
