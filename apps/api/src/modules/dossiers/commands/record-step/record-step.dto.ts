import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { STEP_KINDS, StepKind } from '@motcua/domain';
import { DossierActionDto, NON_BLANK_RE } from '../../dto/fields';

/** Body of POST /api/dossiers/{code}/steps. */
export class RecordStepDto extends DossierActionDto {
  @ApiProperty({ enum: STEP_KINDS })
  @IsIn(STEP_KINDS)
  kind!: StepKind;

  @ApiProperty({ example: 'Bộ phận một cửa' })
  @IsString()
  @Length(1, 200)
  @Matches(NON_BLANK_RE, { message: 'fromUnit must not be blank' })
  fromUnit!: string;

  @ApiProperty({ example: 'Phòng Tư pháp' })
  @IsString()
  @Length(1, 200)
  @Matches(NON_BLANK_RE, { message: 'toUnit must not be blank' })
  toUnit!: string;

  @ApiPropertyOptional({ example: 16 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100000)
  allottedWorkingHours?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  @Matches(NON_BLANK_RE, { message: 'note must not be blank' })
  note?: string;
}
