import { createWorkingCalendar } from '@motcua/calendar';
import { isStandardDossierCode, parseDossierCode } from '@motcua/domain';
import { generateProvince, REFORM_DATE } from './generator';
import { DOSSIER_COLUMNS, splitMulti, type DossierRow } from './csv-format';
import { parseInstantWithOffset } from './local-time';

const calendar = createWorkingCalendar();
// Crosses the 1 July 2025 reform; small enough for a unit test.
const options = { seed: 'spec', from: '2025-05-01', to: '2025-09-01', dossiers: 4000, calendar };

function all(seed: string | number = options.seed): DossierRow[] {
  return [...generateProvince({ ...options, seed }).dossiers()];
}

describe('generateProvince', () => {
  const rows = all();
  const province = generateProvince(options);
  const agencies = new Map(province.agencies.map((a) => [a.code, a]));

  it('is deterministic by seed', () => {
    const text = JSON.stringify(rows);
    expect(JSON.stringify(all())).toBe(text);
    expect(JSON.stringify([...province.dossiers()])).toBe(text); // the iterator is re-playable
    expect(all('other').slice(0, 50)).not.toEqual(rows.slice(0, 50));
    expect(generateProvince(options).agencies).toEqual(province.agencies);
    expect(generateProvince(options).procedures).toEqual(province.procedures);
  });

  it('produces about the requested number of dossiers with exactly the CSV columns', () => {
    expect(rows.length).toBeGreaterThan(3400);
    expect(rows.length).toBeLessThan(4600);
    expect(rows.filter((r) => Object.keys(r).join() !== DOSSIER_COLUMNS.join())).toEqual([]);
  });

  it('builds an agency tree with national code shapes and the 2025 reform', () => {
    const prov = province.agencies.filter((a) => a.level === 'province');
    expect(prov.map((a) => a.code)).toEqual(['000.00.00.H30']);
    const departments = province.agencies.filter((a) => a.level === 'department');
    expect(departments.length).toBeGreaterThan(5);
    for (const d of departments) expect(d.code).toMatch(/^H30\.\d+$/);
    const districts = province.agencies.filter((a) => a.level === 'district');
    for (const d of districts) expect(d.valid_to).toBe('2025-06-30');
    const communes = province.agencies.filter((a) => a.level === 'commune');
    const before = communes.filter((c) => c.valid_to === '2025-06-30');
    const after = communes.filter((c) => c.valid_from === REFORM_DATE);
    expect(before.length).toBeGreaterThan(after.length);
    for (const c of before) expect(agencies.get(c.parent_code)!.level).toBe('district');
    for (const c of after) expect(c.parent_code).toBe('000.00.00.H30');
    for (const a of province.agencies) if (a.parent_code) expect(agencies.has(a.parent_code)).toBe(true);
  });

  it('gives procedures national and local codes and every deadline unit', () => {
    const codes = province.procedures.map((p) => p.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^[12]\.\d{6}(\.H30)?$/);
    expect(codes.some((c) => c.endsWith('.H30'))).toBe(true);
    const units = new Set(province.procedures.map((p) => p.deadline_unit));
    expect([...units].sort()).toEqual(['calendar_days', 'working_days', 'working_hours']);
    expect(province.procedures.some((p) => p.cutoff_time === '15:00')).toBe(true);
    expect(province.procedures.some((p) => p.payment_pauses_clock === 'true')).toBe(true);
  });

  // Per-row checks collect violations and assert once: thousands of jest `expect` calls are slow.
  it('issues dossier codes {agency}-{yyMMdd}-{NNNN} with the sequence reset daily per agency', () => {
    const next = new Map<string, number>();
    const bad: string[] = [];
    for (const r of rows) {
      const parsed = parseDossierCode(r.dossier_code);
      if (!isStandardDossierCode(r.dossier_code) || !parsed) {
        bad.push(`${r.dossier_code}: not standard`);
        continue;
      }
      if (parsed.agencyCode !== r.agency_code || parsed.date !== r.received_at.slice(0, 10)) bad.push(`${r.dossier_code}: agency/date`);
      const key = `${r.agency_code}|${parsed.date}`;
      const expected = (next.get(key) ?? 0) + 1;
      if (parsed.sequence !== expected) bad.push(`${r.dossier_code}: sequence ${parsed.sequence}, expected ${expected}`);
      next.set(key, expected);
    }
    expect(bad).toEqual([]);
  });

  it('stamps every event at +07:00 inside working hours, in lifecycle order, and only agencies valid that day', () => {
    const bad: string[] = [];
    for (const r of rows) {
      const times = [
        r.received_at,
        r.completed_at,
        r.returned_at,
        r.withdrawn_at,
        r.apology_at,
        ...splitMulti(r.supplement_requested_at),
        ...splitMulti(r.supplement_supplied_at),
      ].filter(Boolean);
      for (const t of times) {
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/.test(t)) bad.push(`${r.dossier_code}: ${t} shape`);
        const ms = parseInstantWithOffset(t)!;
        // A working instant, or the very end of a working period (due instants lie in (start, end]).
        if (!(calendar.isWorkingInstant(ms) || calendar.isWorkingInstant(ms - 1))) bad.push(`${r.dossier_code}: ${t} outside working hours`);
      }
      if (!(r.received_at < r.due_at)) bad.push(`${r.dossier_code}: due before receipt`);
      if (r.completed_at && !(r.completed_at > r.received_at)) bad.push(`${r.dossier_code}: completed before receipt`);
      if (r.returned_at && !(r.returned_at >= r.completed_at)) bad.push(`${r.dossier_code}: returned before completion`);
      const a = agencies.get(r.agency_code)!;
      const day = r.received_at.slice(0, 10);
      if (!(day >= a.valid_from && (a.valid_to === '' || day <= a.valid_to))) bad.push(`${r.dossier_code}: agency not valid`);
      if (day >= REFORM_DATE && a.level === 'district') bad.push(`${r.dossier_code}: district after the reform`);
    }
    expect(bad).toEqual([]);
  });

  it('due_at is the due date the working calendar computes from the procedure', () => {
    const procs = new Map(province.procedures.map((p) => [p.code, p]));
    const differing = rows.filter(
      (r) => calendar.dueAt(parseInstantWithOffset(r.received_at)!, procs.get(r.procedure_code)!.rules) !== parseInstantWithOffset(r.due_at),
    );
    expect(differing).toEqual([]);
  });

  it('has the realistic mix: channels per level, supplementations (some twice), withdrawals, apologies, payments, open dossiers', () => {
    const count = (f: (r: DossierRow) => boolean) => rows.filter(f).length;
    const level = (r: DossierRow) => agencies.get(r.agency_code)!.level;
    const onlineShare = (l: string) => count((r) => level(r) === l && r.channel === 'online') / count((r) => level(r) === l);
    expect(onlineShare('commune')).toBeGreaterThan(onlineShare('department'));
    expect(count((r) => r.channel === 'postal')).toBeGreaterThan(0);
    expect(count((r) => splitMulti(r.supplement_requested_at).length === 1)).toBeGreaterThan(100);
    expect(count((r) => splitMulti(r.supplement_requested_at).length === 2)).toBeGreaterThan(5);
    expect(count((r) => r.withdrawn_at !== '')).toBeGreaterThan(5);
    expect(count((r) => r.apology_at !== '')).toBeGreaterThan(5);
    expect(count((r) => r.paid_online === 'true')).toBeGreaterThan(20);
    expect(count((r) => r.completed_at === '' && r.withdrawn_at === '')).toBeGreaterThan(20);
    expect(count((r) => r.outcome === 'rejected')).toBeGreaterThan(0);
    const late = count((r) => r.completed_at !== '' && r.completed_at.slice(0, 10) > r.due_at.slice(0, 10) && r.supplement_requested_at === '');
    const completed = count((r) => r.completed_at !== '');
    expect(late / completed).toBeGreaterThan(0.01);
    expect(late / completed).toBeLessThan(0.1);
  });
});
