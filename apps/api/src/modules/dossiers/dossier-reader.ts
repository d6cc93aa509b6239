import { Inject, Injectable } from '@nestjs/common';
import { dossierStreamId } from '@motcua/domain';
import { EVENT_STORE, EventStore, RecordedEvent } from '@motcua/event-store';
import { AgencyScope } from '@motcua/application';
import { AuthUser } from '@motcua/platform';
import { ApiError } from '@motcua/platform';

/** Loads a dossier's events for a reader: 404 when unknown, 403 outside the reader's agency subtree. */
@Injectable()
export class DossierReader {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly scope: AgencyScope,
  ) {}

  async load(code: string, user: AuthUser): Promise<RecordedEvent[]> {
    const events = await this.store.readStream(dossierStreamId(code));
    if (events.length === 0) throw ApiError.notFound(`dossier '${code}' does not exist`);
    // The first event (received / submitted online / refused) names the agency, which never changes.
    const agencyCode = String((events[0].data as { agencyCode?: unknown }).agencyCode ?? '');
    if (!this.scope.canRead(user, agencyCode)) throw ApiError.forbidden(`${user.role} '${user.sub}' may not read dossiers of agency '${agencyCode}'`);
    return events;
  }
}
