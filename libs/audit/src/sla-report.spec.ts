import type { RecordedEvent } from '@motcua/event-store';
import { diffSlaRows, flattenFigures } from './sla-report';
import { selectEvents } from './time-travel';

const ev = (revision: number, occurredAt: string, recordedAt: string): RecordedEvent => ({
  streamId: 'dossier-X',
  revision,
  position: String(revision + 1),
  type: 't',
  data: { occurredAt },
  metadata: { actor: 'a', correlationId: 'c' },
  recordedAt,
  hash: '',
  prevHash: '',
});

describe('selectEvents (the two time axes)', () => {
  const events = [
    ev(0, '2025-06-01T00:00:00Z', '2025-06-01T00:01:00Z'),
    ev(1, '2025-06-02T00:00:00Z', '2025-06-10T00:00:00Z'),
    ev(2, '2025-06-05T00:00:00Z', '2025-06-05T00:01:00Z'),
  ];
  it('asOf filters on occurredAt, knownAt on recordedAt, revision on the stream revision', () => {
    expect(selectEvents(events, { asOf: '2025-06-03T00:00:00Z' }).map((e) => e.revision)).toEqual([0, 1]);
    expect(selectEvents(events, { knownAt: '2025-06-06T00:00:00Z' }).map((e) => e.revision)).toEqual([0, 2]);
    expect(selectEvents(events, { asOf: '2025-06-03T00:00:00Z', knownAt: '2025-06-06T00:00:00Z' }).map((e) => e.revision)).toEqual([0]);
    expect(selectEvents(events, { revision: 1 }).map((e) => e.revision)).toEqual([0, 1]);
  });
  it('refuses a malformed instant or revision', () => {
    expect(() => selectEvents(events, { asOf: 'yesterday' })).toThrow(/asOf/);
    expect(() => selectEvents(events, { revision: -1 })).toThrow(/revision/);
  });
});

describe('diffSlaRows', () => {
  it('lists every figure that differs, nested ones by path, rows present on one side only', () => {
    const row = (key: string, received: number, online: number) =>
      ({ key, agencyCode: key, received, receivedByChannel: { counter: received - online, online, postal: 0 }, lateRate: null }) as never;
    expect(diffSlaRows([row('A', 3, 1)], [row('A', 4, 1), row('B', 1, 0)])).toEqual([
      { key: 'A', figure: 'received', knownAt: 3, today: 4 },
      { key: 'A', figure: 'receivedByChannel.counter', knownAt: 2, today: 3 },
      { key: 'B', figure: 'received', knownAt: null, today: 1 },
      { key: 'B', figure: 'receivedByChannel.counter', knownAt: null, today: 1 },
      // A row absent on one side: its figures are null there, so even zeros show (the row is new).
      { key: 'B', figure: 'receivedByChannel.online', knownAt: null, today: 0 },
      { key: 'B', figure: 'receivedByChannel.postal', knownAt: null, today: 0 },
    ]);
    expect(flattenFigures({ lateRate: null, processingDays: { p50: 1, p90: null, mean: 2 } } as never)).toEqual({
      lateRate: null,
      'processingDays.p50': 1,
      'processingDays.p90': null,
      'processingDays.mean': 2,
    });
  });
});
