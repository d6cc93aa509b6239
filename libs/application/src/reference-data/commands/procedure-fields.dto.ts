import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import { DEADLINE_UNITS, DeadlineUnit } from '@motcua/reference-data';
import { DATE_RE } from './agency-fields.dto';

export const PROCEDURE_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class ProcedureFieldsDto {
  @ApiProperty({ example: 'Cấp giấy phép xây dựng' })
  @IsString()
  @Length(1, 300)
  name!: string;

  @ApiProperty({ type: 'integer', example: 15, minimum: 0, maximum: 3650 })
  @IsInt()
  @Min(0)
  @Max(3650)
  deadlineValue!: number;

  @ApiProperty({ enum: DEADLINE_UNITS })
  @IsIn(DEADLINE_UNITS)
  deadlineUnit!: DeadlineUnit;

  @ApiPropertyOptional({ type: String, nullable: true, example: '15:00' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'cutoffTime must be HH:mm' })
  cutoffTime?: string | null;

  @ApiProperty()
  @IsBoolean()
  paymentPausesClock!: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    example: '2026-01-01',
    description: 'First day these rules apply; absent at registration = since always',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(DATE_RE, { message: 'effectiveFrom must be a date YYYY-MM-DD' })
  effectiveFrom?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  commandId?: string;
}
