/**
 * Exports are safe to open, over real HTTP: a token subject that is a spreadsheet formula reaches the
 * auditor's CSV as text, and a dossier code with Vietnamese letters downloads with an ASCII file name and
 * its exact UTF-8 name (it answered 500 ERR_INVALID_CHAR, after the access record was written).
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { neutralizeCsvCell } from '@motcua/audit';
import { startTestApp, type TestApp } from './support/app';

const FORMULA_SUB = "=cmd|' /C calc'!A0";

describe('exports (sqlite)', () => {
  let t: TestApp;
  let auditor: string;
  const code = 'H31-Hồ-sơ-Đà-01';

  beforeAll(async () => {
    t = await startTestApp({ store: 'sqlite' });
    const admin = await t.token('admin', undefined, { sub: 'admin-exports' });
    const ok = async (path: string, body: unknown, token: string) => {
      const r = await t.request('POST', path, { token, body });
      if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
      return r.body;
    };
    await ok('/api/agencies', { code: 'H31', name: '=HYPERLINK("http://evil.example","Sở")', level: 'province' }, admin);
    await ok('/api/procedures', { code: 'P1', name: 'Cấp giấy phép', deadlineValue: 3, deadlineUnit: 'working_days', paymentPausesClock: false }, admin);
    const clerk = await t.token('clerk', 'H31', { sub: FORMULA_SUB });
    await ok('/api/dossiers', { code, agencyCode: 'H31', procedureCode: 'P1', channel: 'counter', occurredAt: '2025-06-02T09:00:00+07:00' }, clerk);
    auditor = await t.token('auditor', undefined, { sub: 'inspector-9' });
  });
  afterAll(() => t?.close());

  const download = (format: 'csv' | 'xlsx') =>
    fetch(`${t.baseUrl}/api/audit/dossiers/${encodeURIComponent(code)}/history?format=${format}`, { headers: { authorization: `Bearer ${auditor}` } });

  it('history as CSV: 200, both file names, formula-like cells as text', async () => {
    const res = await download('csv');
    expect(res.status).toBe(200);
    const disposition = res.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="history-H31-Ho-so-Da-01\.csv"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1])).toBe('history-H31-Hồ-sơ-Đà-01.csv');
    const rows: string[][] = parse(
      Buffer.from(await res.arrayBuffer())
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
      { relax_column_count: true },
    );
    const cells = rows.flat();
    expect(cells).toContain(`'${FORMULA_SUB}`);
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
  });

  it('history as XLSX: 200 with both file names, the subject a text cell', async () => {
    const res = await download('xlsx');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="history-H31-Ho-so-Da-01\.xlsx"; filename\*=UTF-8''/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const values: unknown[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => values.push(c.value))));
    expect(values).toContain(FORMULA_SUB); // a string cell: exceljs writes no formula unless asked
    expect(values.some((v) => typeof v === 'object' && v !== null && 'formula' in v)).toBe(false);
  });

  it.each([
    ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', "'\rcmd"],
    ['Sở Tư pháp', 'Sở Tư pháp'],
    [-5, -5],
  ])('neutralizeCsvCell(%j) is %j', (input, out) => {
    expect(neutralizeCsvCell(input)).toEqual(out);
  });
});
