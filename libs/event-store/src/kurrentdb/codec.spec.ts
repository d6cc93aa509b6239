import { CLAIM_STREAM_PREFIX, claimStreamName, decodePosition, deterministicEventId, encodePosition, isHiddenStream } from './codec';

const MAX63 = (1n << 63n) - 1n;

describe('KurrentDB codec: positions', () => {
  it.each([
    [0n, 0n],
    [1n, 0n],
    [0n, 1n],
    [123456789n, 123456700n],
    [MAX63, MAX63],
  ])('round-trips commit %s prepare %s', (commit, prepare) => {
    const s = encodePosition({ commit, prepare });
    expect(s).toMatch(/^\d+$/);
    expect(decodePosition(s)).toEqual({ commit, prepare });
  });

  it('orders like KurrentDB: by commit, then by prepare', () => {
    const ps = [
      { commit: 5n, prepare: 5n },
      { commit: 5n, prepare: 3n },
      { commit: 2n, prepare: 9n },
      { commit: 300n, prepare: 1n },
      { commit: MAX63, prepare: 0n },
    ];
    const expected = [...ps].sort((a, b) => (a.commit === b.commit ? Number(a.prepare - b.prepare) : a.commit < b.commit ? -1 : 1));
    const byEncoding = [...ps].sort((a, b) => {
      const x = BigInt(encodePosition(a));
      const y = BigInt(encodePosition(b));
      return x < y ? -1 : x > y ? 1 : 0;
    });
    expect(byEncoding).toEqual(expected);
  });

  it('rejects what is not a position', () => {
    expect(() => decodePosition('-1')).toThrow(RangeError);
    expect(() => decodePosition('12a')).toThrow(RangeError);
    expect(() => encodePosition({ commit: -1n, prepare: 0n })).toThrow(RangeError);
  });
});

describe('KurrentDB codec: deterministic event ids', () => {
  it('are stable for the same stream, command and index', () => {
    expect(deterministicEventId('dossier-1', 'cmd-1', 0)).toBe(deterministicEventId('dossier-1', 'cmd-1', 0));
  });

  it('differ when stream, command or index differ', () => {
    const ids = new Set([
      deterministicEventId('dossier-1', 'cmd-1', 0),
      deterministicEventId('dossier-1', 'cmd-1', 1),
      deterministicEventId('dossier-1', 'cmd-2', 0),
      deterministicEventId('dossier-2', 'cmd-1', 0),
      deterministicEventId('dossier-1c', 'md-1', 0),
    ]);
    expect(ids.size).toBe(5);
  });

  it('are RFC 4122 version-5 shaped UUIDs', () => {
    expect(deterministicEventId('hồ-sơ-Đà-Nẵng', 'lệnh', 3)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('KurrentDB codec: claim streams', () => {
  it('do not collide when the separator moves between stream and command', () => {
    expect(claimStreamName('a-b', 'c')).not.toBe(claimStreamName('a', 'b-c'));
    expect(claimStreamName('a', 'b')).toBe(claimStreamName('a', 'b'));
  });

  it('are hidden from the global log, like system streams and types', () => {
    expect(isHiddenStream(claimStreamName('s', 'c'), 'motcua.command-claimed.v1')).toBe(true);
    expect(claimStreamName('s', 'c').startsWith(CLAIM_STREAM_PREFIX)).toBe(true);
    expect(isHiddenStream('$$dossier-1', '$metadata')).toBe(true);
    expect(isHiddenStream('$stats-127.0.0.1:2113', 'x')).toBe(true);
    expect(isHiddenStream('dossier-1', 'dossier.received.v1')).toBe(false);
  });
});
