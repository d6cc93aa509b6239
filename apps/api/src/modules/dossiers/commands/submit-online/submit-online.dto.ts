import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { AGENCY_CODE_RE } from '../../../reference-data/commands/agency-fields.dto';
import { PROCEDURE_CODE_RE } from '../../../reference-data/commands/procedure-fields.dto';
import { ApplicantDto, ApplicantField, DossierActionDto, IsDossierCode } from '../../dto/fields';

/** Body of POST /api/dossiers/online-submissions. */
export class SubmitOnlineDto extends DossierActionDto {
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

  @ApplicantField()
  applicant?: ApplicantDto;
}
