import { Controller, Delete, Get, Header, Param, PipeTransform, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthUser } from '@motcua/platform';
import { CurrentUser, Roles } from '../../shared/auth/decorators';
import { CommandContext, Ctx } from '../../shared/command/command-context';
import { ApiError } from '@motcua/platform';
import { DossierCodePipe } from '../dossiers/dossier-code.pipe';
import { ERASURE_REASONS, ErasureReason } from './applicant-events';
import { ApplicantRecords, DossierApplicantView, ErasureView } from './applicant-records.service';

/** `:ref`: the refs this API issues are 32 hex digits; anything unlike a ref names no applicant (400, nothing touched). */
class ApplicantRefPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !/^[0-9A-Za-z_-]{1,64}$/.test(value)) {
      throw ApiError.validation([{ field: 'ref', message: 'ref must be an applicant reference (1-64 of A-Z a-z 0-9 _ -)' }]);
    }
    return value;
  }
}

class ErasureReasonPipe implements PipeTransform<unknown, ErasureReason> {
  transform(value: unknown): ErasureReason {
    if (value === undefined || value === '') return 'data_subject_request';
    if (typeof value !== 'string' || !(ERASURE_REASONS as readonly string[]).includes(value)) {
      throw ApiError.validation([{ field: 'reason', message: `reason must be one of ${ERASURE_REASONS.join('|')}` }]);
    }
    return value as ErasureReason;
  }
}

/** Applicants' personal data (Decree 13/2023/NĐ-CP): read by the dossier's clerks and auditors, erased by admins. */
@ApiTags('applicants')
@ApiBearerAuth()
@Controller()
export class ApplicantsController {
  constructor(private readonly records: ApplicantRecords) {}

  @Get('dossiers/:code/applicant')
  @Roles('clerk', 'auditor')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "The dossier applicant's identity fields (decrypted), or { erased: true } after erasure; every read is recorded" })
  read(@Param('code', DossierCodePipe) code: string, @CurrentUser() user: AuthUser): Promise<DossierApplicantView> {
    return this.records.readForDossier(code, user);
  }

  @Delete('applicants/:ref')
  @Roles('admin')
  @ApiOperation({ summary: "Erase an applicant's personal data: destroys its key (events are kept; the fields read as erased); records applicant.erased.v1" })
  @ApiQuery({ name: 'reason', required: false, enum: ERASURE_REASONS })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  erase(
    @Param('ref', ApplicantRefPipe) ref: string,
    @Query('reason', ErasureReasonPipe) reason: ErasureReason,
    @Ctx() ctx: CommandContext,
  ): Promise<ErasureView> {
    return this.records.erase(ref, reason, ctx);
  }
}
