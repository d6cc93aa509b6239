import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse } from 'csv-parse/sync';
import { ulid } from 'ulid';
import { AuthUser } from '@motcua/platform';
import { CommandContext } from '../../command/command-context';
import { ApiError } from '@motcua/platform';
import { flattenValidationErrors } from '@motcua/platform';
import { ChangeAgencyCommand } from '../commands/change-agency/change-agency.command';
import { ChangeProcedureCommand } from '../commands/change-procedure/change-procedure.command';
import { RegisterAgencyCommand } from '../commands/register-agency/register-agency.command';
import { RegisterAgencyDto } from '../commands/register-agency/register-agency.dto';
import { RegisterProcedureCommand } from '../commands/register-procedure/register-procedure.command';
import { RegisterProcedureDto } from '../commands/register-procedure/register-procedure.dto';
import { ReferenceDataService } from '../reference-data.service';

export const AGENCY_COLUMNS = ['code', 'name', 'level', 'parent_code', 'valid_from', 'valid_to', 'working_hours'] as const;
export const PROCEDURE_COLUMNS = ['code', 'name', 'deadline_value', 'deadline_unit', 'cutoff_time', 'payment_pauses_clock'] as const;

export interface ImportProblem {
  /** CSV: physical line of the record (the header is line 1). JSON: 1-based index of the entry. */
  line: number;
  field?: string;
  message: string;
}
export interface ImportReport {
  kind: 'agencies' | 'procedures';
  rows: number;
  /** Rows that changed something (one or more events appended). */
  written: number;
  unchanged: number;
  errors: ImportProblem[];
}
export type Progress = (done: number, total: number) => void;

interface Row {
  line: number;
  values: Record<string, unknown>;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Parses CSV (header row, UTF-8, optional BOM) or JSON (an array of objects, snake_case or camelCase
 * keys). Returns the rows with their line numbers, or problems for the file as a whole.
 */
export function parseReferenceFile(content: string, format: 'csv' | 'json', columns: readonly string[]): { rows: Row[]; errors: ImportProblem[] } {
  const rows: Row[] = [];
  const errors: ImportProblem[] = [];
  if (format === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(content.replace(/^\uFEFF/, ''));
    } catch (e) {
      return { rows, errors: [{ line: 0, message: `not valid JSON: ${(e as Error).message}` }] };
    }
    if (!Array.isArray(data)) return { rows, errors: [{ line: 0, message: 'expected a JSON array of objects' }] };
    data.forEach((item, i) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        errors.push({ line: i + 1, message: 'entry is not an object' });
        return;
      }
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(item as Record<string, unknown>)) values[snake(k)] = v;
      rows.push({ line: i + 1, values });
    });
    return { rows, errors };
  }
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(content, { bom: true, columns: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: false }) as typeof records;
  } catch (e) {
    const err = e as Error & { lines?: number };
    return { rows, errors: [{ line: err.lines ?? 0, message: `CSV: ${err.message}` }] };
  }
  if (records.length) {
    const header = Object.keys(records[0].record);
    const unknown = header.filter((h) => !columns.includes(h));
    const missing = columns.filter((c) => c === 'code' || c === 'name').filter((c) => !header.includes(c));
    if (unknown.length || missing.length) {
      return {
        rows,
        errors: [
          {
            line: 1,
            message:
              `header must be ${columns.join(',')}` +
              (unknown.length ? `; unknown column(s): ${unknown.join(', ')}` : '') +
              (missing.length ? `; missing: ${missing.join(', ')}` : ''),
          },
        ],
      };
    }
  }
  for (const { record, info } of records) rows.push({ line: info.lines, values: record });
  return { rows, errors };
}

const emptyToNull = (v: unknown) => (v === '' || v === undefined ? null : v);

/** Imports reference data through the same command handlers as the HTTP routes; writes only differences. */
@Injectable()
export class ReferenceImporter {
  constructor(
    private readonly commands: CommandBus,
    private readonly ref: ReferenceDataService,
  ) {}

  private context(actor: AuthUser, correlationId: string): CommandContext {
    // Fresh command ids: idempotency of an import comes from writing only what differs, so re-importing
    // an old file after an API change reverts it, as the file says.
    return { commandId: ulid(), correlationId, actor };
  }

  private problemsOf(err: unknown, line: number): ImportProblem[] {
    if (err instanceof ApiError) {
      if (err.details?.length) return err.details.map((d) => ({ line, field: snake(d.field), message: d.message }));
      return [{ line, message: err.message }];
    }
    throw err; // store down or a bug: stop the import, do not report it as a bad line
  }

  private validate<T extends object>(cls: new () => T, plain: Record<string, unknown>, line: number): { dto?: T; errors: ImportProblem[] } {
    const dto = plainToInstance(cls, plain);
    const errs = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errs.length) return { errors: flattenValidationErrors(errs).map((d) => ({ line, field: snake(d.field), message: d.message })) };
    return { dto, errors: [] };
  }

  async importAgencies(content: string, format: 'csv' | 'json', actor: AuthUser, progress?: Progress): Promise<ImportReport> {
    await this.ref.refresh();
    const parsed = parseReferenceFile(content, format, AGENCY_COLUMNS);
    const report: ImportReport = { kind: 'agencies', rows: parsed.rows.length, written: 0, unchanged: 0, errors: [...parsed.errors] };
    const correlationId = ulid();
    // 1. validate each row on its own
    const groups = new Map<string, { line: number; dto: RegisterAgencyDto }[]>();
    for (const row of parsed.rows) {
      const v = row.values;
      const unknown = Object.keys(v).filter((k) => !AGENCY_COLUMNS.includes(k as (typeof AGENCY_COLUMNS)[number]));
      if (unknown.length) {
        report.errors.push({ line: row.line, message: `unknown field(s): ${unknown.join(', ')}` });
        continue;
      }
      const plain: Record<string, unknown> = {};
      for (const c of AGENCY_COLUMNS) if (v[c] !== undefined) plain[camel(c)] = emptyToNull(v[c]);
      const { dto, errors } = this.validate(RegisterAgencyDto, plain, row.line);
      if (!dto) {
        report.errors.push(...errors);
        continue;
      }
      const list = groups.get(dto.code) ?? [];
      if (list.some((r) => (r.dto.validFrom ?? null) === (dto.validFrom ?? null))) {
        report.errors.push({
          line: row.line,
          field: 'valid_from',
          message: `a previous line already describes '${dto.code}' from ${dto.validFrom ?? 'the start'}`,
        });
        continue;
      }
      list.push({ line: row.line, dto });
      groups.set(dto.code, list);
    }
    // 2. parents before children, so a whole tree imports from one file in any order
    const pending = [...groups.keys()];
    const doneCodes = new Set<string>();
    let processed = 0;
    const total = [...groups.values()].reduce((n, g) => n + g.length, 0);
    while (pending.length) {
      const model = this.ref.ready();
      let idx = pending.findIndex((code) =>
        groups
          .get(code)!
          .every(
            (r) =>
              !r.dto.parentCode ||
              r.dto.parentCode === code ||
              doneCodes.has(r.dto.parentCode) ||
              !groups.has(r.dto.parentCode) ||
              !!model.agency(r.dto.parentCode),
          ),
      );
      if (idx < 0) idx = 0; // a cycle in the file: let the handler reject it line by line
      const code = pending.splice(idx, 1)[0];
      doneCodes.add(code);
      const rows = groups.get(code)!.sort((a, b) => ((a.dto.validFrom ?? '') < (b.dto.validFrom ?? '') ? -1 : 1));
      for (let i = 0; i < rows.length; i++) {
        const { line, dto } = rows[i];
        const last = i === rows.length - 1;
        const before = this.ref.model.agency(code)?.revision;
        try {
          if (before === undefined) {
            const { commandId: _c, ...input } = dto;
            await this.commands.execute(
              new RegisterAgencyCommand({ ...input, validTo: last ? (dto.validTo ?? null) : null }, this.context(actor, correlationId)),
            );
          } else {
            const { code: _code, validFrom, commandId: _c, ...attrs } = dto;
            const rec = this.ref.model.agency(code)!;
            // The first line of an agency describes its first version, whatever date that version has now.
            const effectiveFrom = i === 0 && (validFrom ?? null) === null ? rec.versions[0].effectiveFrom : (validFrom ?? null);
            await this.commands.execute(
              new ChangeAgencyCommand(code, { ...attrs, effectiveFrom, validTo: last ? (dto.validTo ?? null) : undefined }, this.context(actor, correlationId)),
            );
          }
          if (this.ref.model.agency(code)?.revision !== before) report.written++;
          else report.unchanged++;
        } catch (err) {
          report.errors.push(...this.problemsOf(err, line));
        }
        progress?.(++processed, total);
      }
    }
    report.errors.sort((a, b) => a.line - b.line);
    return report;
  }

  async importProcedures(
    content: string,
    format: 'csv' | 'json',
    actor: AuthUser,
    opts: { effectiveFrom?: string } = {},
    progress?: Progress,
  ): Promise<ImportReport> {
    await this.ref.refresh();
    const parsed = parseReferenceFile(content, format, PROCEDURE_COLUMNS);
    const report: ImportReport = { kind: 'procedures', rows: parsed.rows.length, written: 0, unchanged: 0, errors: [...parsed.errors] };
    const correlationId = ulid();
    const seen = new Set<string>();
    let processed = 0;
    for (const row of parsed.rows) {
      const v = row.values;
      const unknown = Object.keys(v).filter((k) => !PROCEDURE_COLUMNS.includes(k as (typeof PROCEDURE_COLUMNS)[number]));
      if (unknown.length) {
        report.errors.push({ line: row.line, message: `unknown field(s): ${unknown.join(', ')}` });
        progress?.(++processed, parsed.rows.length);
        continue;
      }
      const plain: Record<string, unknown> = {};
      for (const c of PROCEDURE_COLUMNS) if (v[c] !== undefined) plain[camel(c)] = emptyToNull(v[c]);
      if (typeof plain.deadlineValue === 'string' && /^\d+$/.test(plain.deadlineValue)) plain.deadlineValue = Number(plain.deadlineValue);
      if (typeof plain.paymentPausesClock === 'string') {
        const b = plain.paymentPausesClock.toLowerCase();
        if (['true', '1', 'yes', 'y', 'có', 'co'].includes(b)) plain.paymentPausesClock = true;
        else if (['false', '0', 'no', 'n', 'không', 'khong'].includes(b)) plain.paymentPausesClock = false;
      }
      if (plain.paymentPausesClock === null) plain.paymentPausesClock = false;
      const { dto, errors } = this.validate(RegisterProcedureDto, plain, row.line);
      if (!dto) report.errors.push(...errors);
      else if (seen.has(dto.code)) report.errors.push({ line: row.line, field: 'code', message: `'${dto.code}' appears on an earlier line` });
      else {
        seen.add(dto.code);
        const before = this.ref.model.procedure(dto.code)?.revision;
        try {
          const { commandId: _c, ...input } = dto;
          if (before === undefined) {
            await this.commands.execute(
              new RegisterProcedureCommand({ ...input, effectiveFrom: opts.effectiveFrom ?? null }, this.context(actor, correlationId)),
            );
          } else {
            const { code, ...fields } = input;
            await this.commands.execute(
              new ChangeProcedureCommand(code, { ...fields, effectiveFrom: opts.effectiveFrom ?? this.ref.today() }, this.context(actor, correlationId)),
            );
          }
          if (this.ref.model.procedure(dto.code)?.revision !== before) report.written++;
          else report.unchanged++;
        } catch (err) {
          report.errors.push(...this.problemsOf(err, row.line));
        }
      }
      progress?.(++processed, parsed.rows.length);
    }
    return report;
  }
}
