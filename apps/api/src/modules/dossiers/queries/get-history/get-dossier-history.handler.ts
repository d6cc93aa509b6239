import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DossierReader } from '../../dossier-reader';
import { dossierHistory, DossierHistory } from '../../model/views';
import { GetDossierHistoryQuery } from './get-dossier-history.query';

@QueryHandler(GetDossierHistoryQuery)
export class GetDossierHistoryHandler implements IQueryHandler<GetDossierHistoryQuery> {
  constructor(private readonly reader: DossierReader) {}

  async execute({ code, user }: GetDossierHistoryQuery): Promise<DossierHistory> {
    return dossierHistory(code, await this.reader.load(code, user));
  }
}
