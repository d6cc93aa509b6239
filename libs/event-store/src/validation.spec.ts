import { InvalidEventError, WrongExpectedRevisionError } from './errors';
import { GENESIS_HASH, eventHash } from './hash';
import type { NewEvent } from './port';
import { assertExpectedRevision, DEFAULT_MAX_EVENT_BYTES, prepareAppend, prepareStreamMetadata, sealEvents } from './validation';

const ev = (data: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): NewEvent => ({
  type: 'dossier.received.v1',
  data,
  metadata: { actor: 'u', correlationId: 'c', ...metadata },
});

describe('prepareAppend', () => {
  it('accepts stable versioned types and refuses others', () => {
    for (const ok of ['dossier.received.v1', 'dossier.step-completed.v12', 'agency.tree.merged.v2']) {
      expect(() => prepareAppend('s', [{ ...ev(), type: ok }])).not.toThrow();
    }
    for (const bad of [
      'Dossier.received.v1',
      'dossier.v1',
      'dossier.received',
      'dossier.received.V1',
      'dossier..v1',
      ' dossier.received.v1',
      'x'.repeat(300) + '.a.v1',
    ]) {
      expect(() => prepareAppend('s', [{ ...ev(), type: bad }])).toThrow(InvalidEventError);
    }
  });

  it('defaults expectedRevision to any and canonicalises data and metadata', () => {
    const p = prepareAppend('s', [ev({ b: 1, a: 2 })]);
    expect(p.expectedRevision).toBe('any');
    expect(p.commandId).toBeUndefined();
    expect(p.events[0].dataJson).toBe('{"a":2,"b":1}');
    expect(p.events[0].metadataJson).toBe('{"actor":"u","correlationId":"c"}');
  });

  it('stamps the command id into every event, and takes it from metadata when all events share one', () => {
    const p = prepareAppend('s', [ev(), ev()], { commandId: 'k1' });
    expect(p.commandId).toBe('k1');
    expect(p.events.map((e) => e.metadata.commandId)).toEqual(['k1', 'k1']);
    expect(prepareAppend('s', [ev({}, { commandId: 'k2' }), ev({}, { commandId: 'k2' })]).commandId).toBe('k2');
    expect(prepareAppend('s', [ev({}, { commandId: 'k2' }), ev({}, { commandId: 'k3' })]).commandId).toBeUndefined();
    expect(() => prepareAppend('s', [ev({}, { commandId: 'k2' })], { commandId: 'k1' })).toThrow(/differs/);
    expect(() => prepareAppend('s', [ev()], { commandId: '' })).toThrow(InvalidEventError);
  });

  it("does not mutate the caller's events", () => {
    const e = ev();
    prepareAppend('s', [e], { commandId: 'k' });
    expect(e.metadata.commandId).toBeUndefined();
  });

  it('counts the limit in UTF-8 bytes of data + metadata', () => {
    const limit = 1000;
    const meta = prepareAppend('s', [ev()]).events[0].metadataJson.length;
    const fits = 'a'.repeat(limit - meta - '{"s":""}'.length);
    expect(() => prepareAppend('s', [ev({ s: fits })], {}, { maxEventBytes: limit })).not.toThrow();
    expect(() => prepareAppend('s', [ev({ s: fits + 'a' })], {}, { maxEventBytes: limit })).toThrow(/exceed/);
    const threeByteChars = 'ễ'.repeat(Math.floor(fits.length / 3) + 1);
    expect(() => prepareAppend('s', [ev({ s: threeByteChars })], {}, { maxEventBytes: limit })).toThrow(/exceed/);
    expect(DEFAULT_MAX_EVENT_BYTES).toBe(262144);
  });

  it('refuses bad stream ids, expected revisions and empty batches', () => {
    for (const bad of ['', '$all', 'a b', 'tab\t', 'x'.repeat(256)]) expect(() => prepareAppend(bad, [ev()])).toThrow(InvalidEventError);
    for (const bad of [-2, 1.5, 'latest', '3']) {
      expect(() => prepareAppend('s', [ev()], { expectedRevision: bad as never })).toThrow(InvalidEventError);
    }
    expect(() => prepareAppend('s', [])).toThrow(/at least one/);
  });

  it('names the event and the path of a bad value', () => {
    expect(() => prepareAppend('s', [ev(), ev({ a: { b: [1, NaN] } })])).toThrow('event #1 (dossier.received.v1) data.a.b[1]: NaN is not a JSON number');
  });

  it('requires metadata.actor and metadata.correlationId as non-empty strings', () => {
    expect(() => prepareAppend('s', [ev({}, { actor: '' })])).toThrow(/actor/);
    expect(() => prepareAppend('s', [ev({}, { correlationId: 42 })])).toThrow(/correlationId/);
    expect(() => prepareAppend('s', [ev({}, { causationId: 42 })])).toThrow(/causationId/);
  });
});

describe('assertExpectedRevision', () => {
  it.each([
    ['any', -1, true],
    ['any', 5, true],
    ['no_stream', -1, true],
    ['no_stream', 0, false],
    ['stream_exists', -1, false],
    ['stream_exists', 0, true],
    [3, 3, true],
    [3, 4, false],
    [-1, -1, true],
  ] as const)('%s against actual %s: %s', (expected, actual, ok) => {
    const call = () => assertExpectedRevision('s', expected, actual);
    if (ok) expect(call).not.toThrow();
    else expect(call).toThrow(WrongExpectedRevisionError);
  });
});

describe('sealEvents', () => {
  it('numbers events after the current revision and chains them from prevHash', () => {
    const sealed = sealEvents(prepareAppend('s', [ev({ i: 1 }), ev({ i: 2 })]), 4, 'a'.repeat(64), '2025-01-01T00:00:00.000Z');
    expect(sealed.map((e) => e.revision)).toEqual([5, 6]);
    expect(sealed[0].prevHash).toBe('a'.repeat(64));
    expect(sealed[1].prevHash).toBe(sealed[0].hash);
    expect(sealed[1].hash).toBe(
      eventHash({
        streamId: 's',
        revision: 6,
        type: 'dossier.received.v1',
        data: { i: 2 },
        metadata: { actor: 'u', correlationId: 'c' },
        recordedAt: '2025-01-01T00:00:00.000Z',
        prevHash: sealed[0].hash,
      }),
    );
    expect(sealEvents(prepareAppend('s', [ev()]), -1, GENESIS_HASH, 'x')[0].revision).toBe(0);
  });
});

describe('prepareStreamMetadata', () => {
  it('canonicalises a plain object and refuses anything else', () => {
    expect(prepareStreamMetadata('s', { b: 1, a: 'ờ' })).toBe('{"a":"ờ","b":1}');
    expect(() => prepareStreamMetadata('s', [] as never)).toThrow(InvalidEventError);
    expect(() => prepareStreamMetadata('s', { d: new Date() })).toThrow(InvalidEventError);
  });
});
