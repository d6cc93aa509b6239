import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, ValidateIf } from 'class-validator';
import { AGENCY_CODE_RE, AgencyFieldsDto, DATE_RE } from '../agency-fields.dto';

export class RegisterAgencyDto extends AgencyFieldsDto {
  @ApiProperty({ example: 'H30.01' })
  @Matches(AGENCY_CODE_RE, { message: 'code must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  code!: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    description: 'First day the agency exists; absent = since always',
    example: '2025-07-01',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(DATE_RE, { message: 'validFrom must be a date YYYY-MM-DD' })
  validFrom?: string | null;
}
