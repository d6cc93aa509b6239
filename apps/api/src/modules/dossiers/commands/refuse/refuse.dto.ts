import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { CHANNELS, Channel } from '@motcua/domain';
import { DossierIntakeDto, NON_BLANK_RE } from '../../dto/fields';

/** Body of POST /api/dossiers/refusals. */
export class RefuseDossierDto extends DossierIntakeDto {
  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS)
  channel!: Channel;

  @ApiProperty({ description: 'Why (shown to the applicant / in the file)' })
  @IsString()
  @Length(1, 2000)
  @Matches(NON_BLANK_RE, { message: 'reason must not be blank' })
  reason!: string;
}
