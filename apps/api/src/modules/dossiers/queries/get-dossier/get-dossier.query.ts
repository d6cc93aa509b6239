import { Query } from '@nestjs/cqrs';
import { AuthUser } from '@motcua/platform';
import { DossierView } from '../../model/views';

export class GetDossierQuery extends Query<DossierView> {
  constructor(
    readonly code: string,
    readonly user: AuthUser,
  ) {
    super();
  }
}
