import { StoreFullError, StoreUnavailableError } from './errors';
import { mapPgError } from './postgres/pg-errors';
import { isOutOfSpace, OUT_OF_SPACE_HOLD_MS, SpaceTracker } from './write-health';

describe('what says a store is out of space', () => {
  it('SQLite SQLITE_FULL, ENOSPC, PostgreSQL 53100, StoreFullError, and the same wrapped as a cause', () => {
    expect(isOutOfSpace(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isOutOfSpace(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe(true);
    expect(isOutOfSpace({ code: '53100', message: 'could not extend file "base/1/2": No space left on device' })).toBe(true);
    expect(isOutOfSpace(new StoreFullError('full'))).toBe(true);
    expect(isOutOfSpace(new StoreUnavailableError('sqlite: boom', { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isOutOfSpace(new Error('could not write to file: No space left on device'))).toBe(true);
  });

  it('not other failures', () => {
    expect(isOutOfSpace(new StoreUnavailableError('PostgreSQL unavailable'))).toBe(false);
    expect(isOutOfSpace({ code: 'SQLITE_BUSY', message: 'database is locked' })).toBe(false);
    expect(isOutOfSpace({ code: '53200', message: 'out of memory' })).toBe(false);
    expect(isOutOfSpace(undefined)).toBe(false);
  });

  it('PostgreSQL 53100 disk_full becomes StoreFullError (503 STORE_FULL), keeping the engine error as its cause', () => {
    const engine = Object.assign(new Error('could not extend file "base/16384/16390": No space left on device'), { code: '53100' });
    const mapped = mapPgError(engine);
    expect(mapped).toBeInstanceOf(StoreFullError);
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped).toMatchObject({ code: 'STORE_FULL', cause: engine });
  });
});

describe('SpaceTracker', () => {
  const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  let now = 1_000_000;
  const tracker = () => new SpaceTracker(() => now);

  it('an append failing for lack of space makes the store not writable until an append succeeds', () => {
    const t = tracker();
    expect(t.current()).toEqual({ writable: true });
    t.failed(new Error('some other failure'));
    expect(t.current()).toEqual({ writable: true });
    t.failed(full);
    expect(t.current()).toEqual({ writable: false, reason: 'disk_full', since: new Date(now).toISOString(), error: 'database or disk is full' });
    t.succeeded();
    expect(t.current()).toEqual({ writable: true });
  });

  it('without a measurement, a failure holds for OUT_OF_SPACE_HOLD_MS after the last one, then the next append tells', () => {
    const t = tracker();
    const since = now;
    t.failed(full);
    now += OUT_OF_SPACE_HOLD_MS - 1;
    t.failed(full); // still failing: the hold starts again, `since` stays the first
    now += OUT_OF_SPACE_HOLD_MS - 1;
    expect(t.current()).toMatchObject({ writable: false, since: new Date(since).toISOString() });
    now += 1;
    expect(t.current()).toEqual({ writable: true });
  });

  it('with a measurement: below the threshold is low_disk_space; a failure it explained clears once the room is back', () => {
    const t = tracker();
    expect(t.measured(10, 100)).toEqual({ writable: false, reason: 'low_disk_space', since: new Date(now).toISOString(), freeBytes: 10, minFreeBytes: 100 });
    t.failed(full);
    expect(t.measured(0, 100)).toMatchObject({ writable: false, reason: 'disk_full', freeBytes: 0 });
    now += 10 * OUT_OF_SPACE_HOLD_MS; // an explained failure does not expire: the measurement says when it ends
    expect(t.measured(0, 100)).toMatchObject({ writable: false, reason: 'disk_full' });
    expect(t.measured(500, 100)).toEqual({ writable: true, freeBytes: 500, minFreeBytes: 100 });
  });

  it('a failure no measurement explained (room looks fine) stands until an append succeeds or the hold ends', () => {
    const t = tracker();
    t.failed(full);
    expect(t.measured(500, 100)).toMatchObject({ writable: false, reason: 'disk_full', freeBytes: 500 });
    now += OUT_OF_SPACE_HOLD_MS;
    expect(t.measured(500, 100)).toEqual({ writable: true, freeBytes: 500, minFreeBytes: 100 });
  });

  it('minFreeBytes 0: the room is reported but never low', () => {
    expect(tracker().measured(0, 0)).toEqual({ writable: true, freeBytes: 0, minFreeBytes: 0 });
  });
});
