import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { ApiError } from '@motcua/platform';
import { DATE_RE } from '@motcua/application';
import { isLocalDate } from '@motcua/reference-data';
import { AgencyView, ProcedureView } from '@motcua/reference-data';
import { agencyResponse, AgencyResponse, procedureResponse, ProcedureResponse } from '@motcua/reference-data';
import { ReferenceDataService } from '@motcua/application';

export class AsOfQuery {
  @ApiPropertyOptional({ example: '2025-07-01', description: 'Date (Viet Nam) to answer for; default today' })
  @IsOptional()
  @Matches(DATE_RE, { message: 'asOf must be a date YYYY-MM-DD' })
  asOf?: string;
}

/** Reads for every authenticated role: reference data is not personal and scopes nothing by itself. */
@ApiTags('reference data')
@ApiBearerAuth()
@Controller()
export class ReferenceQueriesController {
  constructor(private readonly ref: ReferenceDataService) {}

  private date(q: AsOfQuery): string {
    if (q.asOf && !isLocalDate(q.asOf)) throw ApiError.validation([{ field: 'asOf', message: 'asOf is not a calendar date' }]);
    return q.asOf ?? this.ref.today();
  }

  @Get('agencies')
  listAgencies(@Query() q: AsOfQuery): { asOf: string; items: AgencyView[] } {
    const asOf = this.date(q);
    return { asOf, items: this.ref.ready().agenciesAsOf(asOf) };
  }

  @Get('agencies/:code')
  getAgency(@Param('code') code: string, @Query() q: AsOfQuery): AgencyResponse & { asOf: string; atDate: AgencyView | null; parents: AgencyView[] } {
    const model = this.ref.ready();
    const rec = model.agency(code);
    if (!rec) throw ApiError.notFound(`no agency '${code}'`);
    const asOf = this.date(q);
    return { ...agencyResponse(rec), asOf, atDate: model.agencyAsOf(code, asOf) ?? null, parents: model.parentChain(code, asOf) };
  }

  @Get('agencies/:code/subtree')
  subtree(@Param('code') code: string, @Query() q: AsOfQuery): { asOf: string; items: AgencyView[] } {
    const model = this.ref.ready();
    if (!model.agency(code)) throw ApiError.notFound(`no agency '${code}'`);
    const asOf = this.date(q);
    return { asOf, items: model.subtree(code, asOf) };
  }

  @Get('procedures')
  listProcedures(@Query() q: AsOfQuery): { asOf: string; items: ProcedureView[] } {
    const asOf = this.date(q);
    return { asOf, items: this.ref.ready().proceduresAsOf(asOf) };
  }

  @Get('procedures/:code')
  getProcedure(@Param('code') code: string, @Query() q: AsOfQuery): ProcedureResponse & { asOf: string; atDate: ProcedureView | null } {
    const model = this.ref.ready();
    const rec = model.procedure(code);
    if (!rec) throw ApiError.notFound(`no procedure '${code}'`);
    const asOf = this.date(q);
    return { ...procedureResponse(rec), asOf, atDate: model.procedureRulesAsOf(code, asOf) ?? null };
  }
}
