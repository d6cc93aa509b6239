import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { CHANNELS, Channel } from '@motcua/domain';
import { ApplicantDto, ApplicantField, DossierIntakeDto } from '../../dto/fields';

/** Body of POST /api/dossiers. */
export class ReceiveDossierDto extends DossierIntakeDto {
  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS)
  channel!: Channel;

  @ApplicantField()
  applicant?: ApplicantDto;
}
