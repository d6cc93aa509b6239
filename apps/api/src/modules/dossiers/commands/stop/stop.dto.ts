import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { DossierActionDto, NON_BLANK_RE } from '../../dto/fields';

/** Body of POST /api/dossiers/{code}/stop. */
export class StopDossierDto extends DossierActionDto {
  @ApiProperty({ description: 'Why processing stops' })
  @IsString()
  @Length(1, 2000)
  @Matches(NON_BLANK_RE, { message: 'reason must not be blank' })
  reason!: string;
}
