import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { CHANNELS, Channel } from '@motcua/domain';
import { AGENCY_CODE_RE } from '../../../reference-data/commands/agency-fields.dto';
import { PROCEDURE_CODE_RE } from '../../../reference-data/commands/procedure-fields.dto';
import { DossierActionDto, IsDossierCode, NON_BLANK_RE } from '../../dto/fields';

/** Body of POST /api/dossiers/refusals. */
export class RefuseDossierDto extends DossierActionDto {
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

  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS)
  channel!: Channel;

  @ApiProperty({ description: 'Why (shown to the applicant / in the file)' })
  @IsString()
  @Length(1, 2000)
  @Matches(NON_BLANK_RE, { message: 'reason must not be blank' })
  reason!: string;
}
