/**
 * Personal data never appears in logs: the real API with the production logger at `trace`, its output
 * captured, a full request cycle with an applicant (receipt, idempotent replay, validation failures with personal
 * data in the body, malformed JSON, personal data in a query string, read, erasure, history); then the captured
 * lines are searched for the name, ID number, phone and address.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../apps/api/src/bootstrap';
import { loadConfig } from '@motcua/platform';
import { signDevToken } from '@motcua/platform';
import { createLogger } from '@motcua/platform';
import { registerProcedureBody, workingDays } from '@motcua/testing';

const APPLICANT = { name: 'Đặng Thị Thu Trang', idNumber: '024195067890', phone: '0903 112 233', address: 'Tổ 5, phường Hạ Long, Quảng Ninh' };
const NEEDLES = [APPLICANT.name, 'Thu Trang', APPLICANT.idNumber, '112 233', 'Hạ Long'];

describe('personal data is never logged', () => {
  const lines: string[] = [];
  let app: INestApplication;
  let base: string;
  let dir: string;
  let secret: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-pdlog-'));
    secret = randomBytes(32).toString('base64url');
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATA_DIR: dir,
      AUTH_JWT_SECRET: secret,
      LOG_LEVEL: 'trace',
      REFERENCE_POLL_MS: '0',
      REDIS_KEY_PREFIX: `e2e:${randomBytes(6).toString('hex')}:`,
    });
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        cb();
      },
    });
    app = await createApp(config, createLogger('trace', 'api', sink));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  it('after a full request cycle, no log line holds the name, ID number, phone or address', async () => {
    const admin = await signDevToken(secret, { sub: 'admin-1', role: 'admin' }, 600);
    const clerk = await signDevToken(secret, { sub: 'clerk-1', role: 'clerk', agency: 'H40' }, 600);
    const auditor = await signDevToken(secret, { sub: 'auditor-1', role: 'auditor' }, 600);
    expect((await call('POST', '/api/agencies', admin, { code: 'H40', name: 'Tỉnh Quảng Ninh', level: 'province' })).status).toBe(201);
    expect((await call('POST', '/api/procedures', admin, registerProcedureBody({ code: 'P.LOG', name: 'Thủ tục thử', deadline: workingDays(3) }))).status).toBe(
      201,
    );

    const code = 'H40-250303-0001';
    const body = { code, agencyCode: 'H40', procedureCode: 'P.LOG', channel: 'counter', occurredAt: '2025-03-03T09:00:00+07:00', applicant: APPLICANT };
    expect((await call('POST', '/api/dossiers', clerk, body, { 'idempotency-key': 'k-1' })).status).toBe(201);
    expect((await call('POST', '/api/dossiers', clerk, body, { 'idempotency-key': 'k-1' })).status).toBe(201); // replayed from Redis (or the store)
    // Failures with personal data in the body: validation (400), unknown field (400), malformed JSON (400), duplicate (409), forbidden (403).
    expect(
      (await call('POST', '/api/dossiers', clerk, { ...body, code: 'H40-250303-0002', applicant: { ...APPLICANT, phone: `gọi ${APPLICANT.name}` } })).status,
    ).toBe(400);
    expect(
      (await call('POST', '/api/dossiers', clerk, { ...body, code: 'H40-250303-0003', applicant: { ...APPLICANT, email: APPLICANT.idNumber } })).status,
    ).toBe(400);
    expect((await call('POST', '/api/dossiers', clerk, `{"applicant": {"name": "${APPLICANT.name}", "idNumber": "${APPLICANT.idNumber}"`)).status).toBe(400);
    expect((await call('POST', '/api/dossiers', clerk, body)).status).toBe(409);
    expect((await call('POST', '/api/dossiers', auditor, body)).status).toBe(403);
    // Personal data in a query string (never logged: the access log has the path, not the query).
    expect((await call('GET', `/api/dossiers/${code}?idNumber=${APPLICANT.idNumber}&name=${encodeURIComponent(APPLICANT.name)}`, clerk)).status).toBe(200);

    const read = await call('GET', `/api/dossiers/${code}/applicant`, clerk);
    expect(read.body).toMatchObject({ erased: false, applicant: APPLICANT });
    const ref = read.body.applicantRef as string;
    expect((await call('DELETE', `/api/applicants/${ref}`, admin)).status).toBe(200);
    expect((await call('GET', `/api/dossiers/${code}/applicant`, auditor)).body).toMatchObject({ erased: true });
    expect((await call('GET', `/api/dossiers/${code}/history`, auditor)).status).toBe(200);

    await new Promise((r) => setTimeout(r, 50)); // let the last access-log lines ('finish' events) flush
    // The capture works: every request left an access-log line, and trace-level framework lines are there.
    const requests = lines.filter((l) => l.includes('"msg":"request"'));
    expect(requests.length).toBeGreaterThanOrEqual(13);
    expect(lines.join('\n')).toContain(code);
    const all = lines.join('\n');
    for (const n of NEEDLES) expect({ needle: n, logged: all.includes(n) }).toEqual({ needle: n, logged: false });
  });

  it('and should one reach a log call, the logger censors applicant fields', () => {
    const captured: string[] = [];
    const sink = new Writable({
      write(chunk, _e, cb) {
        captured.push(chunk.toString('utf8'));
        cb();
      },
    });
    const logger = createLogger('info', 'redaction', sink);
    logger.info({ applicant: APPLICANT }, 'a');
    logger.info({ dto: { applicant: APPLICANT } }, 'b');
    logger.info({ req: { body: { applicant: APPLICANT } } }, 'c');
    logger.info({ input: { idNumber: APPLICANT.idNumber, phone: APPLICANT.phone, address: APPLICANT.address } }, 'd');
    const out = captured.join('');
    expect(out).toContain('[redacted]');
    for (const n of NEEDLES) expect({ needle: n, logged: out.includes(n) }).toEqual({ needle: n, logged: false });
  });
});
