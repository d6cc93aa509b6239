/**
 * Personal data protection over real HTTP (Decree 13/2023/NĐ-CP), on SQLite files and PostgreSQL:
 * identity fields sealed per applicant, read back by the dossier's clerks and auditors only, erased by an admin
 * (key destroyed, `applicant.erased.v1` recorded); afterwards history replays, the state is unchanged, every
 * hash chain still verifies, and no plaintext personal data is in the event store (file bytes / rows).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { verifyStore } from '@motcua/audit';
import { dossierStreamId } from '@motcua/domain';
import { verifyStreamChain } from '@motcua/event-store';
import { AGENCY_A, DossierTestApp, startDossierApp, STORES, T0 } from './dossiers-fixtures';
import { PG_URL } from './support/app';

const APPLICANT = {
  name: 'Nguyễn Thị Ngọc Hân',
  idNumber: '038190012345',
  phone: '+84 987 654 321',
  address: 'Số 7 ngách 12/3 phố Đội Cấn, phường Ngọc Hà, Hà Nội',
};
const ONLINE = { name: 'Hoàng Văn Thụ', idNumber: '040188099887' };
/** Distinctive pieces of personal data that must never appear in clear outside the API's answer to a reader. */
const NEEDLES = [APPLICANT.name, 'Ngọc Hân', APPLICANT.idNumber, '987 654 321', 'Đội Cấn', ONLINE.name, ONLINE.idNumber];

describe.each(STORES)('personal data (%s)', (store) => {
  let d: DossierTestApp;
  beforeAll(async () => {
    d = await startDossierApp(store);
  });
  afterAll(async () => {
    await d?.t.close();
    expect(d.statuses.filter((s) => s >= 500)).toEqual([]);
  });

  const strip = (view: Record<string, unknown>) => {
    // `timeliness` of an open dossier is read at the API clock; everything else must be identical.
    const { timeliness: _t, ...rest } = view;
    return rest;
  };

  it('seals at receipt, opens for clerks of the agency and auditors only; erasure destroys the key and nothing else', async () => {
    const code = d.newCode();
    const r = await d.receive(code, { applicant: APPLICANT });
    expect(r.status).toBe(201);
    const [received] = await d.t.store.readStream(dossierStreamId(code));
    const data = received.data as Record<string, unknown>;
    expect(data.applicantRef).toMatch(/^[0-9a-f]{32}$/);
    expect(data.applicantSealed).toMatch(/^pd1\./);
    expect(JSON.stringify(received)).not.toContain('Ngọc');
    const ref = data.applicantRef as string;

    // Some history, so there are figures to compare.
    expect(
      (await d.act(code, 'steps', { kind: 'transfer', fromUnit: 'Một cửa', toUnit: 'Phòng Hộ tịch', occurredAt: '2025-03-03T10:00:00+07:00' })).status,
    ).toBe(200);
    expect((await d.act(code, 'completion', { outcome: 'approved', occurredAt: '2025-03-05T10:00:00+07:00' })).status).toBe(200);

    const path = `/api/dossiers/${encodeURIComponent(code)}/applicant`;
    for (const token of [d.clerkA, d.clerkA2, d.auditor]) {
      const res = await d.t.request('GET', path, { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ dossierCode: code, applicantRef: ref, erased: false, applicant: APPLICANT });
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    for (const token of [d.clerkB, d.monitorA, d.admin]) expect((await d.t.request('GET', path, { token })).status).toBe(403);
    expect((await d.t.request('GET', path)).status).toBe(401);
    // Each read is recorded, without personal data.
    const accessed = await d.t.store.readStream(`applicant-${ref}`);
    expect(accessed.map((e) => e.type)).toEqual(['applicant.accessed.v1', 'applicant.accessed.v1', 'applicant.accessed.v1']);
    expect(accessed[2].metadata).toMatchObject({ actor: 'auditor-1', role: 'auditor' });

    const stateBefore = (await d.t.request('GET', `/api/dossiers/${encodeURIComponent(code)}`, { token: d.auditor })).body;
    const historyBefore = (await d.t.request('GET', `/api/dossiers/${encodeURIComponent(code)}/history`, { token: d.auditor })).body;

    // Erasure: admin only; the ref must look like one; unknown refs are 404 and touch nothing.
    expect((await d.t.request('DELETE', `/api/applicants/${ref}`, { token: d.clerkA })).status).toBe(403);
    expect((await d.t.request('DELETE', `/api/applicants/${ref}`, { token: d.auditor })).status).toBe(403);
    expect((await d.t.request('DELETE', `/api/applicants/01NEVERISSUED0000000000000`, { token: d.admin })).status).toBe(404);
    expect((await d.t.request('DELETE', `/api/applicants/bad%20ref`, { token: d.admin })).status).toBe(400);
    expect((await d.t.request('DELETE', `/api/applicants/${ref}?reason=because`, { token: d.admin })).status).toBe(400);
    const erased = await d.t.request('DELETE', `/api/applicants/${ref}?reason=data_subject_request`, { token: d.admin });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ applicantRef: ref, erased: true, outcome: 'destroyed' });
    const again = await d.t.request('DELETE', `/api/applicants/${ref}`, { token: d.admin });
    expect(again.body).toMatchObject({ applicantRef: ref, erased: true, outcome: 'already_erased', erasedAt: erased.body.erasedAt });

    const after = await d.t.request('GET', path, { token: d.clerkA });
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ dossierCode: code, applicantRef: ref, erased: true, erasedAt: erased.body.erasedAt });

    // History still replays (the events are untouched, ciphertext included), the state and figures are the same.
    const historyAfter = await d.t.request('GET', `/api/dossiers/${encodeURIComponent(code)}/history`, { token: d.auditor });
    expect(historyAfter.status).toBe(200);
    expect(historyAfter.body).toEqual(historyBefore);
    const stateAfter = await d.t.request('GET', `/api/dossiers/${encodeURIComponent(code)}`, { token: d.auditor });
    expect(strip(stateAfter.body)).toEqual(strip(stateBefore));
    expect(stateAfter.body).toMatchObject({ status: 'completed', timeliness: stateBefore.timeliness });

    // One erasure record, no personal data in it; every hash chain verifies (streams and whole store).
    const log = await d.t.store.readStream(`applicant-${ref}`);
    const erasures = log.filter((e) => e.type === 'applicant.erased.v1');
    expect(erasures).toHaveLength(1);
    expect(erasures[0].data).toEqual({ occurredAt: erased.body.erasedAt, applicantRef: ref, reason: 'data_subject_request' });
    expect(erasures[0].metadata).toMatchObject({ actor: 'admin-1', role: 'admin' });
    expect(verifyStreamChain(await d.t.store.readStream(dossierStreamId(code)))).toEqual({ ok: true });
    expect(verifyStreamChain(log)).toEqual({ ok: true });
    const verified = await verifyStore(d.t.store);
    expect(verified).toMatchObject({ ok: true, broken: [] });
    const audit = await d.t.request('GET', `/api/audit/verify?stream=${encodeURIComponent(dossierStreamId(code))}`, { token: d.auditor });
    expect(audit.status).toBe(200);
    expect(audit.body.ok).toBe(true);
  });

  it('an online submission carries the applicant; a receipt without one keeps it; an empty applicant seals nothing', async () => {
    const code = d.newCode();
    const s = await d.t.request('POST', '/api/dossiers/online-submissions', {
      token: d.clerkA,
      body: { code, agencyCode: AGENCY_A, procedureCode: 'P.PAUSE', occurredAt: T0, applicant: ONLINE },
    });
    expect(s.status).toBe(201);
    expect((await d.receive(code, { channel: 'online', occurredAt: '2025-03-03T10:00:00+07:00' })).status).toBe(201);
    const res = await d.t.request('GET', `/api/dossiers/${encodeURIComponent(code)}/applicant`, { token: d.clerkA });
    expect(res.body).toMatchObject({ erased: false, applicant: ONLINE });

    const bare = d.newCode();
    expect((await d.receive(bare, { applicant: {} })).status).toBe(201);
    expect(((await d.t.store.readStream(dossierStreamId(bare)))[0].data as Record<string, unknown>).applicantRef).toBeUndefined();
    expect((await d.t.request('GET', `/api/dossiers/${encodeURIComponent(bare)}/applicant`, { token: d.clerkA })).status).toBe(404);
    expect((await d.t.request('GET', `/api/dossiers/NO-SUCH-250303-0001/applicant`, { token: d.auditor })).status).toBe(404);
  });

  it('no plaintext personal data in the event store, nor in the key vault', async () => {
    if (store === 'sqlite') {
      const files = ['events.sqlite', 'events.sqlite-wal', 'keys.sqlite', 'keys.sqlite-wal'].map((f) => join(d.t.dataDir, f)).filter((f) => existsSync(f));
      expect(files.some((f) => f.endsWith('events.sqlite'))).toBe(true);
      expect(files.some((f) => f.endsWith('keys.sqlite'))).toBe(true);
      const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
      // The scan can see text: the agency and procedure names written in this run are there.
      expect(bytes.includes(Buffer.from('Cấp giấy phép xây dựng', 'utf8'))).toBe(true);
      for (const n of NEEDLES) expect({ needle: n, found: bytes.includes(Buffer.from(n, 'utf8')) }).toEqual({ needle: n, found: false });
    } else {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      try {
        const schema = d.t.config.eventStore.kind === 'postgres' ? d.t.config.eventStore.schema : undefined;
        const rows = (await c.query(`SELECT data::text || metadata::text AS t FROM "${schema}".events`)).rows.map((r) => r.t as string).join('\n');
        expect(rows).toContain('Cấp giấy phép xây dựng');
        const keys = (await c.query(`SELECT ref || coalesce(encode(wrapped_key, 'escape'), '') AS t FROM personal_data.applicant_keys`)).rows
          .map((r) => r.t as string)
          .join('\n');
        for (const n of NEEDLES) {
          expect({ needle: n, inEvents: rows.includes(n), inVault: keys.includes(n) }).toEqual({ needle: n, inEvents: false, inVault: false });
        }
      } finally {
        await c.end();
      }
    }
  });
});
