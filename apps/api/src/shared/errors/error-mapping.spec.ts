import { BadRequestException, NotFoundException } from '@nestjs/common';
import { CommandIdTakenError, StoreFullError, StoreUnavailableError, WrongExpectedRevisionError } from '@motcua/event-store';
import { IllegalTransitionError } from '@motcua/domain';
import { calendarForVersion, UnknownCalendarVersionError } from '@motcua/calendar';
import { ApiError } from '@motcua/platform';
import { mapError, registerErrorCode } from './error-mapping';

describe('mapError', () => {
  const m = (e: unknown) => mapError(e, 'cid');

  it('maps the store errors: conflict 409, unavailable 503 with Retry-After', () => {
    expect(m(new WrongExpectedRevisionError('s', 3, 4))).toMatchObject({
      status: 409,
      body: { error: { code: 'CONCURRENCY_CONFLICT', correlationId: 'cid' } },
    });
    const u = m(new StoreUnavailableError('down'));
    expect(u.status).toBe(503);
    expect(u.headers['Retry-After']).toMatch(/^\d+$/);
  });

  it('a full store is 503 STORE_FULL with Retry-After; a store-scoped command id taken is 422 IDEMPOTENCY_KEY_REUSED', () => {
    const full = m(new StoreFullError('sqlite: database or disk is full'));
    expect(full).toMatchObject({ status: 503, unexpected: false, body: { error: { code: 'STORE_FULL' } } });
    expect(full.headers['Retry-After']).toMatch(/^\d+$/);
    expect(full.body.error.message).not.toContain('sqlite');
    const taken = m(new CommandIdTakenError('dossier-B', 'idem:x:k', 'dossier-A'));
    expect(taken).toMatchObject({ status: 422, unexpected: false, body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } } });
    expect(taken.body.error.message).not.toContain('dossier-A');
  });

  it('maps domain errors by their code, naming state and action', () => {
    const r = m(new IllegalTransitionError('completed', 'request_supplement'));
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'ILLEGAL_TRANSITION', state: 'completed', action: 'request_supplement' });
  });

  it('maps body-parser and Nest errors', () => {
    expect(m(Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413, limit: 65536 })).status).toBe(413);
    expect(m(Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 })).body.error.code).toBe('MALFORMED_JSON');
    expect(m(new NotFoundException('Cannot GET /x')).body.error).toMatchObject({ code: 'NOT_FOUND', message: 'no such route' });
    expect(m(new BadRequestException('x')).status).toBe(400);
    expect(m(ApiError.forbidden('no')).status).toBe(403);
  });

  it('network errors are 503, anything unknown 500 flagged unexpected', () => {
    expect(m(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).status).toBe(503);
    const u = m(new TypeError('undefined is not a function'));
    expect(u).toMatchObject({ status: 500, unexpected: true });
    expect(u.body.error.message).not.toContain('undefined');
    expect(m(Object.assign(new Error('x'), { code: 'SOMETHING_NEW' })).status).toBe(500);
  });

  it('a calendar version this build does not know is 503 UNKNOWN_CALENDAR_VERSION (server-side: retry after upgrade)', () => {
    let thrown: unknown;
    try {
      calendarForVersion('vn-2099.1+hours:07:00-11:30,13:30-17:00/1-5');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UnknownCalendarVersionError);
    const r = m(thrown);
    expect(r).toMatchObject({ status: 503, unexpected: false });
    expect(r.headers['Retry-After']).toMatch(/^\d+$/);
    expect(r.body.error).toMatchObject({
      code: 'UNKNOWN_CALENDAR_VERSION',
      calendarVersion: 'vn-2099.1+hours:07:00-11:30,13:30-17:00/1-5',
      correlationId: 'cid',
    });
    expect(r.body.error.message).toMatch(/this build .* does not know calendar version 'vn-2099\.1\+hours:07:00-11:30,13:30-17:00\/1-5'/);
    expect(r.body.error.message).toMatch(/upgrade/);
  });

  it('registerErrorCode adds a code with its status and optional wording', () => {
    registerErrorCode('TEST_ONLY_GONE', 410, { message: () => 'gone for good' });
    expect(m(Object.assign(new Error('internal wording'), { code: 'TEST_ONLY_GONE' }))).toMatchObject({
      status: 410,
      body: { error: { code: 'TEST_ONLY_GONE', message: 'gone for good' } },
    });
    registerErrorCode('TEST_ONLY_TEAPOT', 418);
    expect(m(Object.assign(new Error('short and stout'), { code: 'TEST_ONLY_TEAPOT' })).body.error.message).toBe('short and stout');
  });
});
