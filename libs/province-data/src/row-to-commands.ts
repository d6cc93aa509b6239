/**
 * One dossiers.csv row -> the dossier's domain commands, in the order they happened, and then -> its
 * events, decided BY THE DOMAIN (`decide`/`evolve` of @motcua/domain) with the original occurred-at
 * times. Nothing here writes: the importer appends what `rowToEvents` returns.
 *
 * Choices for facts a legacy row does not carry (docs/province-data.md, "Row to commands"):
 * - due_at given: the legacy promised date is a fact; it is passed to the domain as `recordedDueAt`,
 *   which keeps it as the received event's `dueAt` and records its own computed date as `computedDueAt`. Later clock arithmetic
 *   (pauses) starts from the kept date because the domain reads it from the state.
 * - paid_online=true: a payment request and an online payment at the receipt instant (no pause: the
 *   file has no payment times, and a zero-length pause moves no due date).
 * - apology_at: the letter's new promised date is not in the file: completed_at when later, otherwise
 *   5 working days after the later of the apology and the due date.
 * - completion: `electronicResult: false` (unknown in legacy files; the conservative value).
 */
import type { WorkingCalendar } from '@motcua/calendar';
import { DomainError, decide, evolve, initialState, type DossierCommand, type DossierEvent, type DossierState, type ProcedureRules } from '@motcua/domain';
import { CHANNELS, DOSSIER_COLUMNS, parseBooleanCell, splitMulti, type Channel, type DossierRow } from './csv-format';
import { formatLocal, localDate, parseInstantWithOffset } from './local-time';
import type { AgencyRef, ReferenceLookups } from './reference';

export type RowErrorKind =
  | 'missing_column'
  | 'extra_column'
  | 'bad_value'
  | 'bad_timestamp'
  | 'out_of_order'
  | 'unknown_agency'
  | 'agency_not_valid'
  | 'unknown_procedure'
  | 'impossible_sequence'
  | 'duplicate_in_file'
  | 'already_exists';

/** Why one line of a dossiers.csv was not imported. `line` is the physical line (header = line 1). */
export interface RowError {
  line: number;
  dossierCode?: string;
  kind: RowErrorKind;
  field?: string;
  reason: string;
}

export class RowRejected extends Error {
  constructor(readonly error: RowError) {
    super(`line ${error.line}${error.dossierCode ? ` (${error.dossierCode})` : ''}: ${error.reason}`);
    this.name = 'RowRejected';
  }
}

export interface ParsedDossierRow {
  line: number;
  dossierCode: string;
  agency: AgencyRef;
  procedure: ProcedureRules;
  calendar: WorkingCalendar;
  /** The due date of the file (epoch ms), when given. */
  dueAt?: number;
  commands: DossierCommand[];
}

const WORKING_DAY_MS = 8 * 3_600_000;
const IMPORT_REASON = 'Nhập từ dữ liệu hệ thống cũ (legacy import)';

function fail(line: number, kind: RowErrorKind, reason: string, field?: string, dossierCode?: string): never {
  throw new RowRejected({ line, kind, reason, ...(field ? { field } : {}), ...(dossierCode ? { dossierCode } : {}) });
}

/** Order of commands that share an instant: the lifecycle order. */
const RANK: Record<DossierCommand['type'], number> = {
  submit_online: 0,
  receive: 1,
  request_payment: 2,
  record_payment: 3,
  record_step: 4,
  request_supplement: 5,
  supply_supplement: 6,
  issue_apology: 7,
  complete: 8,
  return_result: 9,
  withdraw: 10,
  stop: 11,
  refuse: 12,
  mark_deadline_missed: 13,
};

/**
 * Parses and validates one row and returns its commands in order, or throws `RowRejected` with the line
 * and the reason (missing column, bad timestamp, out of order, unknown agency/procedure...).
 * Cells that are `undefined` mean the row had fewer fields than the header (a missing column).
 */
export function rowToCommands(row: Partial<Record<string, string | undefined>>, line: number, lookups: ReferenceLookups): ParsedDossierRow {
  const code = (row.dossier_code ?? '').trim();
  const missing = DOSSIER_COLUMNS.filter((c) => row[c] === undefined);
  if (missing.length > 0) fail(line, 'missing_column', `missing column(s): ${missing.join(', ')}`, missing[0], code || undefined);
  const cell = (c: (typeof DOSSIER_COLUMNS)[number]) => (row[c] ?? '').trim();
  for (const c of ['dossier_code', 'agency_code', 'procedure_code', 'channel', 'received_at'] as const) {
    if (!cell(c)) fail(line, 'missing_column', `${c} is empty`, c, code || undefined);
  }
  const time = (c: (typeof DOSSIER_COLUMNS)[number], text: string): number => {
    const t = parseInstantWithOffset(text);
    if (t === undefined) fail(line, 'bad_timestamp', `${c} '${text}' is not an ISO 8601 instant with an offset`, c, code);
    return t;
  };
  const optionalTime = (c: (typeof DOSSIER_COLUMNS)[number]): number | undefined => (cell(c) ? time(c, cell(c)) : undefined);

  const channel = cell('channel') as Channel;
  if (!CHANNELS.includes(channel)) fail(line, 'bad_value', `channel '${cell('channel')}' is not one of ${CHANNELS.join('|')}`, 'channel', code);
  const receivedAt = time('received_at', cell('received_at'));
  const dueAt = optionalTime('due_at');
  const completedAt = optionalTime('completed_at');
  const returnedAt = optionalTime('returned_at');
  const withdrawnAt = optionalTime('withdrawn_at');
  const apologyAt = optionalTime('apology_at');
  const requested = splitMulti(cell('supplement_requested_at')).map((t) => time('supplement_requested_at', t));
  const supplied = splitMulti(cell('supplement_supplied_at')).map((t) => time('supplement_supplied_at', t));
  const paidOnline = parseBooleanCell(cell('paid_online'));
  if (paidOnline === undefined) fail(line, 'bad_value', `paid_online '${cell('paid_online')}' is not true|false`, 'paid_online', code);
  const outcome = cell('outcome');
  if (completedAt !== undefined && outcome !== 'approved' && outcome !== 'rejected') {
    fail(line, 'bad_value', `outcome '${outcome}' is not approved|rejected`, 'outcome', code);
  }
  if (completedAt === undefined && outcome) fail(line, 'bad_value', 'outcome given without completed_at', 'outcome', code);
  if (supplied.length !== requested.length && supplied.length !== requested.length - 1) {
    fail(line, 'bad_value', `${requested.length} supplementation request(s) but ${supplied.length} supply time(s)`, 'supplement_supplied_at', code);
  }

  const before = (c: string, t: number | undefined) => {
    if (t !== undefined && t < receivedAt) fail(line, 'out_of_order', `${c} is before received_at`, c, code);
  };
  before('due_at', dueAt);
  before('completed_at', completedAt);
  before('returned_at', returnedAt);
  before('withdrawn_at', withdrawnAt);
  before('apology_at', apologyAt);
  requested.forEach((t) => before('supplement_requested_at', t));
  supplied.forEach((t) => before('supplement_supplied_at', t));
  if (completedAt !== undefined && returnedAt !== undefined && returnedAt < completedAt) {
    fail(line, 'out_of_order', 'returned_at is before completed_at', 'returned_at', code);
  }

  const agency = lookups.agency(cell('agency_code'));
  if (!agency) fail(line, 'unknown_agency', `unknown agency '${cell('agency_code')}'`, 'agency_code', code);
  const calendar = lookups.calendarFor(agency);
  const receivedDate = localDate(receivedAt, calendar.hours.utcOffsetMinutes);
  if ((agency.validFrom && receivedDate < agency.validFrom) || (agency.validTo && receivedDate > agency.validTo)) {
    fail(
      line,
      'agency_not_valid',
      `agency '${agency.code}' did not exist on ${receivedDate} (valid ${agency.validFrom ?? '…'}..${agency.validTo ?? '…'})`,
      'agency_code',
      code,
    );
  }
  const procedure = lookups.procedure(cell('procedure_code'), receivedDate);
  if (!procedure) fail(line, 'unknown_procedure', `unknown procedure '${cell('procedure_code')}'`, 'procedure_code', code);

  const at = (t: number) => formatLocal(t, calendar.hours.utcOffsetMinutes);
  const timeline: { t: number; seq: number; command: DossierCommand }[] = [];
  const add = (t: number, command: DossierCommand) => timeline.push({ t, seq: timeline.length, command });
  add(receivedAt, {
    type: 'receive',
    dossierCode: code,
    agencyCode: agency.code,
    procedureCode: procedure.code,
    channel,
    occurredAt: at(receivedAt),
    ...(dueAt !== undefined ? { recordedDueAt: new Date(dueAt).toISOString() } : {}),
  });
  if (paidOnline) {
    add(receivedAt, { type: 'request_payment', occurredAt: at(receivedAt) });
    add(receivedAt, { type: 'record_payment', occurredAt: at(receivedAt), online: true });
  }
  requested.forEach((t, i) => {
    add(t, { type: 'request_supplement', occurredAt: at(t), reason: IMPORT_REASON });
    if (i < supplied.length) add(supplied[i], { type: 'supply_supplement', occurredAt: at(supplied[i]) });
  });
  if (apologyAt !== undefined) {
    const due = dueAt ?? calendar.dueAt(receivedAt, { deadline: procedure.deadline, ...(procedure.cutoffTime ? { cutoffTime: procedure.cutoffTime } : {}) });
    const promised = completedAt !== undefined && completedAt > apologyAt ? completedAt : calendar.addWorkingTime(Math.max(apologyAt, due), 5 * WORKING_DAY_MS);
    add(apologyAt, { type: 'issue_apology', occurredAt: at(apologyAt), newPromisedAt: at(promised), reason: IMPORT_REASON });
  }
  if (completedAt !== undefined) {
    add(completedAt, { type: 'complete', occurredAt: at(completedAt), outcome: outcome as 'approved' | 'rejected', electronicResult: false });
  }
  if (returnedAt !== undefined) add(returnedAt, { type: 'return_result', occurredAt: at(returnedAt) });
  if (withdrawnAt !== undefined) add(withdrawnAt, { type: 'withdraw', occurredAt: at(withdrawnAt), reason: IMPORT_REASON });
  // Stable: same instant -> lifecycle rank, then file order (request before its supply).
  timeline.sort((a, b) => a.t - b.t || RANK[a.command.type] - RANK[b.command.type] || a.seq - b.seq);

  return {
    line,
    dossierCode: code,
    agency,
    procedure,
    calendar,
    ...(dueAt !== undefined ? { dueAt } : {}),
    commands: timeline.map((e) => e.command),
  };
}

export interface DecidedDossier {
  parsed: ParsedDossierRow;
  events: DossierEvent[];
  state: DossierState;
  /** Set when the file's due_at differs from the due date the domain computed (kept: the file's). */
  dueAtOverride?: { computed: string; kept: string };
}

/**
 * Runs the commands through the domain (`decide` then `evolve`, one by one). A command the domain
 * refuses makes the whole row impossible (`RowRejected`, kind `impossible_sequence`): no event of it
 * is kept.
 */
export function commandsToEvents(parsed: ParsedDossierRow): DecidedDossier {
  let state = initialState;
  const events: DossierEvent[] = [];
  let dueAtOverride: DecidedDossier['dueAtOverride'];
  const context = { calendar: parsed.calendar, procedure: parsed.procedure };
  for (const command of parsed.commands) {
    let produced: DossierEvent[];
    try {
      produced = decide(command, state, context);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const when = 'occurredAt' in command ? ` at ${command.occurredAt}` : '';
      fail(parsed.line, 'impossible_sequence', `${command.type}${when}: ${err.message}`, undefined, parsed.dossierCode);
    }
    // A legacy due date differing from the computed one is kept by the domain itself (recordedDueAt).
    const received = produced[0];
    if (received?.type === 'dossier.received.v1' && received.data.computedDueAt) {
      dueAtOverride = { computed: received.data.computedDueAt, kept: received.data.dueAt };
    }
    for (const e of produced) state = evolve(state, e);
    events.push(...produced);
  }
  return { parsed, events, state, ...(dueAtOverride ? { dueAtOverride } : {}) };
}

/** `rowToCommands` then `commandsToEvents`; throws `RowRejected`. */
export function rowToEvents(row: Partial<Record<string, string | undefined>>, line: number, lookups: ReferenceLookups): DecidedDossier {
  return commandsToEvents(rowToCommands(row, line, lookups));
}

export type { DossierRow };
