import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, ValidateIf } from 'class-validator';
import { AgencyFieldsDto, DATE_RE } from '../agency-fields.dto';

/** The agency's attributes from `effectiveFrom` on (re-parenting at a merge, a rename, new hours). */
export class ChangeAgencyDto extends AgencyFieldsDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    example: '2025-07-01',
    description: 'First day the new attributes apply; null replaces the original version',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(DATE_RE, { message: 'effectiveFrom must be a date YYYY-MM-DD' })
  effectiveFrom?: string | null;
}
