import { Query } from '@nestjs/cqrs';
import { AuthUser } from '../../../../shared/auth/auth.types';
import { DossierHistory } from '../../model/views';

export class GetDossierHistoryQuery extends Query<DossierHistory> {
  constructor(
    readonly code: string,
    readonly user: AuthUser,
  ) {
    super();
  }
}
