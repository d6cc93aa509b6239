import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CLOCK, Clock } from '@motcua/platform';
import { DossierReader } from '../../dossier-reader';
import { dossierCalendar } from '../../model/dossier-reference';
import { dossierView, DossierView, foldRecorded } from '../../model/views';
import { GetDossierQuery } from './get-dossier.query';

@QueryHandler(GetDossierQuery)
export class GetDossierHandler implements IQueryHandler<GetDossierQuery> {
  constructor(
    private readonly reader: DossierReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ code, user }: GetDossierQuery): Promise<DossierView> {
    const state = foldRecorded(await this.reader.load(code, user));
    // Timeliness uses the calendar recorded at receipt; open dossiers are judged at the API's "now".
    return dossierView(code, state, this.clock.now(), dossierCalendar(state));
  }
}
