/**
 * INDEPENDENT figures computed straight from the province CSV files, to check the read models against.
 * It uses neither the events nor the domain (no decide/evolve/classify): only the CSV, the published
 * rules of /work/shared/domain/one-stop-shop.md ("The clock"), and the working calendar for the
 * working-time arithmetic of supplementation pauses (the calendar has its own tests).
 *
 * Rules applied:
 * - timeliness of a completed dossier: local (+07) DATE of completed_at vs the local DATE of its due date:
 *   before = early, same = on time, after = late; more than one supplementation request = late;
 * - due date: due_at (or, when empty, the procedure deadline from received_at); each supplied
 *   supplementation moves it: the working time left at the request counts again from the supply
 *   (a request after the due date moves nothing);
 * - online payments in the import are zero-length pauses (no payment times in the file): ignored here;
 * - withdrawn dossiers are not classified; dossiers neither completed nor withdrawn are open.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { createWorkingCalendar, parseWorkingHours, type WorkingCalendar } from '@motcua/calendar';
import { parseAgenciesCsv, parseProceduresCsv } from './reference';
import { AGENCY_LEVELS, CHANNELS, reportLevelOf, splitMulti, type AgencyLevel, type Channel, type ReportLevel } from './csv-format';

export interface Figures {
  received: number;
  counter: number;
  online: number;
  postal: number;
  completed: number;
  early: number;
  onTime: number;
  late: number;
  withdrawn: number;
  open: number;
  /** Completed with more than one supplementation request (counted in `late`). */
  lateBySupplementRule: number;
}

export interface ExpectedFigures {
  total: Figures;
  /** The three report levels (departments under province). */
  byLevel: Record<ReportLevel, Figures>;
  byAgencyLevel: Record<AgencyLevel, Figures>;
  byChannel: Record<Channel, Figures>;
  byAgency: Record<string, Figures>;
}

export function emptyFigures(): Figures {
  return { received: 0, counter: 0, online: 0, postal: 0, completed: 0, early: 0, onTime: 0, late: 0, withdrawn: 0, open: 0, lateBySupplementRule: 0 };
}

function parseTime(text: string, what: string): number {
  const t = Date.parse(text);
  if (!/[zZ]|[+-]\d{2}:\d{2}$/.test(text) || Number.isNaN(t)) throw new Error(`expected-figures: ${what} '${text}' is not an instant with an offset`);
  return t;
}

/** Local YYYY-MM-DD at +07:00 (all generated and legacy agencies are in Viet Nam). */
function vnDate(t: number): string {
  return new Date(t + 7 * 3_600_000).toISOString().slice(0, 10);
}

export async function expectedFiguresFromCsv(files: { dossiersFile: string; agenciesFile: string; proceduresFile: string }): Promise<ExpectedFigures> {
  const agencies = new Map(parseAgenciesCsv(await readFile(files.agenciesFile, 'utf8')).map((a) => [a.code, a]));
  const procedures = new Map(parseProceduresCsv(await readFile(files.proceduresFile, 'utf8')).map((p) => [p.code, p]));
  const calendars = new Map<string, WorkingCalendar>();
  const calendarOf = (hours: string | undefined) => {
    const key = hours ?? '';
    let c = calendars.get(key);
    if (!c) calendars.set(key, (c = key ? createWorkingCalendar({ hours: parseWorkingHours(key) }) : createWorkingCalendar()));
    return c;
  };

  const result: ExpectedFigures = {
    total: emptyFigures(),
    byLevel: { province: emptyFigures(), district: emptyFigures(), commune: emptyFigures() },
    byAgencyLevel: Object.fromEntries(AGENCY_LEVELS.map((l) => [l, emptyFigures()])) as Record<AgencyLevel, Figures>,
    byChannel: Object.fromEntries(CHANNELS.map((c) => [c, emptyFigures()])) as Record<Channel, Figures>,
    byAgency: {},
  };

  const parser = createReadStream(files.dossiersFile).pipe(parse({ columns: true, bom: true, trim: true, skip_empty_lines: true }));
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    const agency = agencies.get(row.agency_code);
    if (!agency) throw new Error(`expected-figures: unknown agency ${row.agency_code} (${row.dossier_code})`);
    const channel = row.channel as Channel;
    if (!CHANNELS.includes(channel)) throw new Error(`expected-figures: bad channel ${row.channel} (${row.dossier_code})`);
    const targets = [
      result.total,
      result.byLevel[reportLevelOf(agency.level)],
      result.byAgencyLevel[agency.level],
      result.byChannel[channel],
      (result.byAgency[agency.code] ??= emptyFigures()),
    ];
    const bump = (k: keyof Figures) => {
      for (const f of targets) f[k]++;
    };
    bump('received');
    bump(channel);
    if (row.withdrawn_at) {
      bump('withdrawn');
      continue;
    }
    if (!row.completed_at) {
      bump('open');
      continue;
    }
    bump('completed');
    const requested = splitMulti(row.supplement_requested_at);
    if (requested.length > 1) {
      bump('late');
      bump('lateBySupplementRule');
      continue;
    }
    const calendar = calendarOf(agency.workingHours);
    const receivedAt = parseTime(row.received_at, 'received_at');
    let due: number;
    if (row.due_at) due = parseTime(row.due_at, 'due_at');
    else {
      const p = procedures.get(row.procedure_code);
      if (!p) throw new Error(`expected-figures: unknown procedure ${row.procedure_code}`);
      due = calendar.dueAt(receivedAt, { deadline: p.deadline, ...(p.cutoffTime ? { cutoffTime: p.cutoffTime } : {}) });
    }
    const supplied = splitMulti(row.supplement_supplied_at);
    requested.forEach((r, i) => {
      const req = parseTime(r, 'supplement_requested_at');
      if (i >= supplied.length || req >= due) return;
      const sup = parseTime(supplied[i], 'supplement_supplied_at');
      due = calendar.addWorkingTime(calendar.nextWorkingInstant(sup), calendar.workingTimeBetween(req, due));
    });
    const done = vnDate(parseTime(row.completed_at, 'completed_at'));
    const dueDate = vnDate(due);
    bump(done < dueDate ? 'early' : done === dueDate ? 'onTime' : 'late');
  }
  return result;
}
