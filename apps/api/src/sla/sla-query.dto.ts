/**
 * The query strings of the SLA and dossier-list routes, validated by the global pipe like a body: a
 * parameter the route does not know is a 400 naming it (not silently ignored), `limit` is a whole
 * number. Periods and codes are checked by the query service, which knows the read models.
 */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { AGENCY_LEVELS, type AgencyLevel } from '@motcua/reference-data';

export class PeriodQuery {
  @ApiPropertyOptional({ description: 'First day of the period (YYYY-MM-DD, Viet Nam time)', example: '2025-01-01' })
  @IsOptional()
  @IsString()
  from!: string;

  @ApiPropertyOptional({ description: 'Last day of the period (YYYY-MM-DD, inclusive)', example: '2025-12-31' })
  @IsOptional()
  @IsString()
  to!: string;
}

export class SlaQueryDto extends PeriodQuery {
  @ApiPropertyOptional({ enum: ['agency', 'level', 'procedure'], default: 'agency' })
  @IsOptional()
  @IsString()
  by?: string;

  @ApiPropertyOptional({ description: 'Agency code: its subtree only' })
  @IsOptional()
  @IsString()
  agency?: string;
}

export class RankingsQueryDto extends PeriodQuery {
  @ApiPropertyOptional({ enum: AGENCY_LEVELS })
  @IsOptional()
  @IsIn(AGENCY_LEVELS)
  level?: AgencyLevel;

  @ApiPropertyOptional({ description: 'Agency code: rank its sub-units' })
  @IsOptional()
  @IsString()
  parent?: string;
}

export class DossierListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() agency?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() status?: string;
  @ApiPropertyOptional({ enum: ['true', 'false', '1', '0'] }) @IsOptional() @IsIn(['true', 'false', '1', '0']) overdue?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() dueBefore?: string;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() cursor?: string;

  @ApiPropertyOptional({ description: 'Page size, 1-500 (default 50; larger values are served as 500)', example: '50' })
  @IsOptional()
  @Matches(/^[1-9]\d{0,5}$/, { message: 'limit must be a whole number from 1' })
  limit?: string;
}
