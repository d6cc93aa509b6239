import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { PROCEDURE_CODE_RE, ProcedureFieldsDto } from '../procedure-fields.dto';

export class RegisterProcedureDto extends ProcedureFieldsDto {
  @ApiProperty({ example: '1.000948.H38' })
  @Matches(PROCEDURE_CODE_RE, { message: 'code must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  code!: string;
}
