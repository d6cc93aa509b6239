import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { AGENCY_LEVELS, AgencyLevel, isLocalDate } from '@motcua/reference-data';

export const AGENCY_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const WORKING_HOURS_RE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(-(Mon|Tue|Wed|Thu|Fri|Sat|Sun))?(,(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(-(Mon|Tue|Wed|Thu|Fri|Sat|Sun))?)*( ([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d)+$/;

/** A day of the calendar as YYYY-MM-DD that exists (`2025-06-00` and `2025-02-30` do not). */
export function IsLocalDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isLocalDate', validator: { validate: (v) => isLocalDate(v), defaultMessage: (a) => `${a?.property} must be a calendar date YYYY-MM-DD` } },
    options,
  );
}

/** Attributes common to registering and changing an agency. */
export class AgencyFieldsDto {
  @ApiProperty({ example: 'UBND xã Tân Phú' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: AGENCY_LEVELS })
  @IsIn(AGENCY_LEVELS)
  level!: AgencyLevel;

  @ApiPropertyOptional({ type: String, nullable: true, example: '000.00.00.H30' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Matches(AGENCY_CODE_RE, { message: 'parentCode must be an agency code' })
  parentCode?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Mon-Fri 07:00-11:30 13:30-17:00' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @Matches(WORKING_HOURS_RE, { message: "workingHours must look like 'Mon-Fri 07:00-11:30 13:30-17:00'" })
  workingHours?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    description: 'Last day (inclusive) the agency exists; null reopens',
    example: '2025-06-30',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(DATE_RE, { message: 'validTo must be a date YYYY-MM-DD' })
  validTo?: string | null;

  @ApiPropertyOptional({ description: 'Idempotency key (alternative to the Idempotency-Key header)' })
  @IsOptional()
  @IsString()
  commandId?: string;
}
