import { ApplicantDto, ApplicantField, DossierIntakeDto } from '../../dto/fields';

/** Body of POST /api/dossiers/online-submissions. */
export class SubmitOnlineDto extends DossierIntakeDto {
  @ApplicantField()
  applicant?: ApplicantDto;
}
