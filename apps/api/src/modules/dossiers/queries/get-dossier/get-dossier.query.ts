import { Query } from '@nestjs/cqrs';
import { AuthUser } from '../../../../shared/auth/auth.types';
import { DossierView } from '../../model/views';

export class GetDossierQuery extends Query<DossierView> {
  constructor(
    readonly code: string,
    readonly user: AuthUser,
  ) {
    super();
  }
}
