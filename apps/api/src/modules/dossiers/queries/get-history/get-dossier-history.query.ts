import { Query } from '@nestjs/cqrs';
import { AuthUser } from '@motcua/platform';
import { DossierHistory } from '../../model/views';

export class GetDossierHistoryQuery extends Query<DossierHistory> {
  constructor(
    readonly code: string,
    readonly user: AuthUser,
  ) {
    super();
  }
}
