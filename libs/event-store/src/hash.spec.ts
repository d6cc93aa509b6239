import { InvalidEventError } from './errors';
import { canonicalJson, eventHash, eventHashFromCanonical, GENESIS_HASH, verifyStreamChain } from './hash';
import { comparePositions, type RecordedEvent } from './port';
import { prepareAppend, sealEvents } from './validation';

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units at every depth, without whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ z: true, y: null }], A: 'x', é: 0, e: -0 })).toBe('{"A":"x","a":[{"y":null,"z":true}],"b":1,"e":0,"é":0}');
  });

  it('serialises numbers and strings as ECMAScript does (RFC 8785)', () => {
    expect(canonicalJson({ n: [1e21, 1e-7, 0.1 + 0.2, 123.0, -5] })).toBe('{"n":[1e+21,1e-7,0.30000000000000004,123,-5]}');
    expect(canonicalJson('Nguyễn "x" \\ \n \u001f 😀')).toBe(JSON.stringify('Nguyễn "x" \\ \n \u001f 😀'));
  });

  it('prints every string, as key or value, exactly as JSON.stringify does', () => {
    const strings = [
      '',
      'plain',
      'Nguyễn Thị Ánh Tuyết',
      'quote " and \\ backslash',
      'tab\tnew\nline\r\b\f',
      '\u001f\u007f',
      'emoji 👩‍💼',
      '\u2028\u2029',
      'x\u00e9y',
      '/slash/',
      '😀 pair then text',
    ];
    for (const x of strings) {
      expect(canonicalJson({ [x]: x })).toBe(`{${JSON.stringify(x)}:${JSON.stringify(x)}}`);
      expect(canonicalJson([x])).toBe(`[${JSON.stringify(x)}]`);
    }
  });

  it('omits undefined properties like JSON, so stored and re-read forms hash alike', () => {
    const v = { a: 1, b: undefined, c: { d: undefined } };
    expect(canonicalJson(v)).toBe(canonicalJson(JSON.parse(JSON.stringify(v))));
  });

  it.each([
    ['function', { f: () => 1 }],
    ['bigint', { n: 1n }],
    ['symbol', { s: Symbol('x') }],
    ['NaN', { n: NaN }],
    ['-Infinity', { n: -Infinity }],
    ['Date', { d: new Date(0) }],
    ['class instance', { x: new (class Foo {})() }],
    ['undefined in array', { l: [undefined] }],
    ['sparse array', { l: [1, , 3] }], // eslint-disable-line no-sparse-arrays
    ['NUL', { s: 'a\u0000' }],
    ['NUL in key', { ['a\u0000']: 1 }],
    ['lone high surrogate', { s: '\ud83d' }],
    ['lone low surrogate', { s: 'x\ude00y' }],
    ['top-level undefined', undefined],
  ])('refuses %s', (_label, value) => {
    expect(() => canonicalJson(value)).toThrow(InvalidEventError);
  });

  it('refuses circular references but accepts a shared (non-circular) object twice', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const c: Record<string, unknown> = {};
    c.c = { d: c };
    expect(() => canonicalJson(c)).toThrow(/circular/);
  });

  it('does not mistake an escaped backslash followed by u0000 for a NUL', () => {
    expect(canonicalJson({ s: '\\u0000 and \\ud800' })).toBe('{"s":"\\\\u0000 and \\\\ud800"}');
    expect(() => canonicalJson({ s: '\\\u0000' })).toThrow(/NUL/);
  });

  it('accepts objects without a prototype', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.b = 2;
    o.a = 1;
    expect(canonicalJson(o)).toBe('{"a":1,"b":2}');
  });
});

describe('eventHash', () => {
  const base = {
    streamId: 'dossier-1',
    revision: 0,
    type: 'dossier.received.v1',
    data: { b: 'Ánh', a: 1 },
    metadata: { actor: 'u1', correlationId: 'c1' },
    recordedAt: '2025-01-01T00:00:00.000Z',
    prevHash: GENESIS_HASH,
  };

  it('is the sha-256 of the canonical 7-field form, whichever way it is computed', () => {
    const h = eventHash(base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHashFromCanonical({ ...base, dataJson: canonicalJson(base.data), metadataJson: canonicalJson(base.metadata) })).toBe(h);
    expect(eventHash({ ...base, data: { a: 1, b: 'Ánh' } })).toBe(h); // key order is irrelevant
  });

  it.each([
    ['streamId', { streamId: 'dossier-2' }],
    ['revision', { revision: 1 }],
    ['type', { type: 'dossier.received.v2' }],
    ['data', { data: { a: 2, b: 'Ánh' } }],
    ['data in NFD', { data: { a: 1, b: 'Ánh'.normalize('NFD') } }],
    ['metadata', { metadata: { actor: 'u2', correlationId: 'c1' } }],
    ['recordedAt', { recordedAt: '2025-01-01T00:00:00.001Z' }],
    ['prevHash', { prevHash: 'f'.repeat(64) }],
  ])('changes with %s', (_label, change) => {
    expect(eventHash({ ...base, ...change })).not.toBe(eventHash(base));
  });
});

describe('verifyStreamChain', () => {
  const chain = (): RecordedEvent[] => {
    const prepared = prepareAppend(
      'dossier-9',
      [0, 1, 2, 3].map((i) => ({
        type: 'dossier.received.v1',
        data: { i },
        metadata: { actor: 'u', correlationId: 'c' },
      })),
    );
    return sealEvents(prepared, -1, GENESIS_HASH, '2025-01-01T00:00:00.000Z').map((e, i) => ({
      streamId: 'dossier-9',
      revision: e.revision,
      position: String(i + 1),
      type: e.type,
      data: JSON.parse(e.dataJson),
      metadata: JSON.parse(e.metadataJson),
      recordedAt: e.recordedAt,
      hash: e.hash,
      prevHash: e.prevHash,
    }));
  };

  it('accepts an intact chain and an empty one', () => {
    expect(verifyStreamChain(chain())).toEqual({ ok: true });
    expect(verifyStreamChain([])).toEqual({ ok: true });
  });

  it('reports the first broken link: edited content, replaced hash, removed and reordered events', () => {
    const edited = chain();
    edited[1].data = { i: 100 };
    expect(verifyStreamChain(edited)).toMatchObject({ ok: false, streamId: 'dossier-9', revision: 1, reason: expect.stringMatching(/hash/) });

    // Forger recomputes the edited event's hash: the next event's prevHash gives it away.
    const rehashed = chain();
    rehashed[1].data = { i: 100 };
    rehashed[1].hash = eventHash(rehashed[1]);
    expect(verifyStreamChain(rehashed)).toMatchObject({ ok: false, revision: 2, reason: expect.stringMatching(/prevHash/) });

    const removed = chain();
    removed.splice(1, 1);
    expect(verifyStreamChain(removed)).toMatchObject({ ok: false, revision: 2 });

    const first = chain();
    first[0].prevHash = '1'.repeat(64);
    expect(verifyStreamChain(first)).toMatchObject({ ok: false, revision: 0 });

    const reordered = chain();
    [reordered[2], reordered[3]] = [reordered[3], reordered[2]];
    expect(verifyStreamChain(reordered)).toMatchObject({ ok: false, revision: 3 });
  });

  it('reports events of another stream mixed in', () => {
    const mixed = chain();
    mixed[2] = { ...mixed[2], streamId: 'dossier-10' };
    expect(verifyStreamChain(mixed)).toMatchObject({ ok: false, revision: 2 });
  });
});

describe('comparePositions', () => {
  it('compares plain and zero-padded decimal integers numerically, beyond 2^53', () => {
    expect(comparePositions('9', '10')).toBeLessThan(0);
    expect(comparePositions('0010', '10')).toBe(0);
    expect(comparePositions('18446744073709551616', '18446744073709551615')).toBeGreaterThan(0);
    expect(['10', '9', '0100', '11'].sort(comparePositions)).toEqual(['9', '10', '11', '0100']);
  });
});
