import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';
import { DossierActionDto } from '../../dto/fields';

/** Body of POST /api/dossiers/{code}/payment-requests. */
export class RequestPaymentDto extends DossierActionDto {
  @ApiPropertyOptional({ description: 'VND', example: 50000 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e13)
  amount?: number;
}
