import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { DossierActionDto, IsInstant, NON_BLANK_RE } from '../../dto/fields';

/** Body of POST /api/dossiers/{code}/apologies. */
export class IssueApologyDto extends DossierActionDto {
  @ApiProperty({ example: '2025-02-20T17:00:00+07:00' })
  @IsInstant()
  newPromisedAt!: string;

  @ApiProperty({ description: 'Why the dossier is late' })
  @IsString()
  @Length(1, 2000)
  @Matches(NON_BLANK_RE, { message: 'reason must not be blank' })
  reason!: string;
}
