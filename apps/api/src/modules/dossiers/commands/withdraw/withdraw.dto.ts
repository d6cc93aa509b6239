import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { DossierActionDto, NON_BLANK_RE } from '../../dto/fields';

/** Body of POST /api/dossiers/{code}/withdrawal. */
export class WithdrawDossierDto extends DossierActionDto {
  @ApiPropertyOptional({ description: 'Reason given by the applicant' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  @Matches(NON_BLANK_RE, { message: 'reason must not be blank' })
  reason?: string;
}
