/**
 * Field validators shared by the dossier DTOs. The DTO rejects what is malformed (400, field named);
 * the domain still checks meaning (e.g. occurredAt before the receipt: 422).
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Length, Matches, ValidateBy, ValidateNested, ValidationOptions } from 'class-validator';
import { INSTANT_YEARS, isIsoInstant, isValidDossierCode } from '@motcua/domain';
import { AGENCY_CODE_RE } from '@motcua/application';
import { PROCEDURE_CODE_RE } from '@motcua/application';

/** An ISO-8601 instant with an explicit offset (`Z` or `±hh:mm`), e.g. `2025-01-24T09:15:00+07:00`. */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (v) => isIsoInstant(v),
        defaultMessage: (a) =>
          `${a?.property} must be a real ISO-8601 instant with an offset in the years ${INSTANT_YEARS.min}-${INSTANT_YEARS.max}, e.g. 2025-01-24T09:15:00+07:00`,
      },
    },
    options,
  );
}

/** A dossier code: 1-64 printable characters without whitespace (the domain's rule). */
export function IsDossierCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDossierCode',
      validator: {
        validate: (v) => isValidDossierCode(v),
        defaultMessage: (a) => `${a?.property} must be 1-64 printable characters without whitespace`,
      },
    },
    options,
  );
}

/** Free text the domain stores (reasons): at least one non-space character. */
export const NON_BLANK_RE = /\S/;

export class ApplicantDto {
  @ApiPropertyOptional({ example: 'Nguyễn Văn A' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ description: 'CCCD / CMND / passport number', example: '001085012345' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9]{6,20}$/, { message: 'idNumber must be 6-20 letters or digits' })
  idNumber?: string;

  @ApiPropertyOptional({ example: '+84912345678' })
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9][0-9 .-]{5,19}$/, { message: 'phone must be 6-20 digits, optionally with +, spaces, dots or dashes' })
  phone?: string;

  @ApiPropertyOptional({ example: 'Thôn 1, xã Kim Anh' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  address?: string;
}

/** The optional applicant block of a receipt / online submission. Personal data: never logged, never in events. */
export function ApplicantField(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: ApplicantDto, description: 'Personal data: not stored in events (only an opaque applicantRef)' }),
    IsOptional(),
    IsObject(),
    ValidateNested(),
    Type(() => ApplicantDto),
  );
}

/** What every dossier command body has: when it happened, and optionally its idempotency key. */
export class DossierActionDto {
  @ApiProperty({ description: 'When it happened at the counter (ISO-8601 with offset); distinct from recordedAt', example: '2025-01-24T09:15:00+07:00' })
  @IsInstant()
  occurredAt!: string;

  @ApiPropertyOptional({ description: 'Alternative to the Idempotency-Key header' })
  @IsOptional()
  @IsString()
  commandId?: string;
}

/** What every intake body names: the dossier, its agency and its procedure (receipt, submission, refusal). */
export class DossierIntakeDto extends DossierActionDto {
  @ApiProperty({ example: '000.00.00.H30-250124-0001' })
  @IsDossierCode()
  code!: string;

  @ApiProperty({ example: '000.00.00.H30' })
  @IsString()
  @Matches(AGENCY_CODE_RE, { message: 'agencyCode must be an agency code (1-64 of A-Z a-z 0-9 . _ -)' })
  agencyCode!: string;

  @ApiProperty({ example: '1.000948.000.00.00.H30' })
  @IsString()
  @Matches(PROCEDURE_CODE_RE, { message: 'procedureCode must be a procedure code (1-64 of A-Z a-z 0-9 . _ -)' })
  procedureCode!: string;
}
