import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { DossierActionDto, NON_BLANK_RE } from '../../dto/fields';

/** Body of POST /api/dossiers/{code}/supplement-requests. */
export class RequestSupplementDto extends DossierActionDto {
  @ApiProperty({ description: 'What is missing' })
  @IsString()
  @Length(1, 2000)
  @Matches(NON_BLANK_RE, { message: 'reason must not be blank' })
  reason!: string;
}
