import { ApiError } from '@motcua/platform';
import { checkExpectedRevision, CommandContext, parseIfMatch } from './command-context';

describe('If-Match and expected revisions', () => {
  it.each([
    ['"5"', 5],
    ['5', 5],
    ['W/"7"', 7],
    ['*', 'stream_exists'],
    ['"-1"', 'no_stream'],
  ])('%s -> %s', (h, want) => expect(parseIfMatch(h)).toEqual(want));
  it.each(['abc', '"1.5"', '"', '"-2"', ''])('%j is a 400', (h) => expect(() => parseIfMatch(h)).toThrow(ApiError));

  it('a stale If-Match is a conflict before any decision', () => {
    const ctx = (e?: CommandContext['expectedRevision']) =>
      ({ commandId: 'c', correlationId: 'x', actor: { sub: 's', role: 'clerk' }, expectedRevision: e }) as CommandContext;
    expect(checkExpectedRevision(ctx(), 4)).toBe(4);
    expect(checkExpectedRevision(ctx(4), 4)).toBe(4);
    expect(() => checkExpectedRevision(ctx(3), 4)).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => checkExpectedRevision(ctx('no_stream'), 0)).toThrow(expect.objectContaining({ status: 409 }));
  });
});
