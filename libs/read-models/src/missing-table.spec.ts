import { runInNewContext } from 'node:vm';
import { isMissingTableError } from './runner';

describe('isMissingTableError', () => {
  it('knows both engines` error for a table that does not exist (the read models before the worker`s first start)', () => {
    expect(isMissingTableError(new Error('no such table: projection_active'))).toBe(true);
    expect(isMissingTableError(new Error('relation "rm_x.projection_active" does not exist'))).toBe(true);
    expect(isMissingTableError(Object.assign(new Error('relation "projection_active" does not exist'), { code: '42P01' }))).toBe(true);
    expect(isMissingTableError(Object.assign(new Error('localised text'), { code: '42P01' }))).toBe(true);
  });

  it('knows it from another realm too (better-sqlite3`s error in the second test file of a jest worker is not instanceof Error)', () => {
    const foreign = runInNewContext('new Error("no such table: projection_active")') as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(isMissingTableError(foreign)).toBe(true);
  });

  it('is false for anything else', () => {
    expect(isMissingTableError(new Error('database is locked'))).toBe(false);
    expect(isMissingTableError(Object.assign(new Error('invalid input syntax for type integer'), { code: '22P02' }))).toBe(false);
    expect(isMissingTableError('no such table: x')).toBe(false);
    expect(isMissingTableError(undefined)).toBe(false);
  });
});
