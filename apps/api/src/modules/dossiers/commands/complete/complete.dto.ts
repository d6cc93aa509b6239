import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { OUTCOMES, Outcome } from '@motcua/domain';
import { DossierActionDto } from '../../dto/fields';

/** Body of POST /api/dossiers/{code}/completion. */
export class CompleteDossierDto extends DossierActionDto {
  @ApiProperty({ enum: OUTCOMES })
  @IsIn(OUTCOMES)
  outcome!: Outcome;

  @ApiPropertyOptional({ default: false, description: 'The result is issued electronically' })
  @IsOptional()
  @IsBoolean()
  electronicResult?: boolean;
}
