import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { DossierActionDto } from '../../dto/fields';

/** Body of POST /api/dossiers/{code}/payments. */
export class RecordPaymentDto extends DossierActionDto {
  @ApiProperty({ description: 'Paid online (thanh toán trực tuyến)' })
  @IsBoolean()
  online!: boolean;

  @ApiPropertyOptional({ description: 'VND', example: 50000 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e13)
  amount?: number;
}
