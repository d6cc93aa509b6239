import { Injectable } from '@nestjs/common';
import { ReferenceDataService } from './reference-data.service';
import { AuthUser } from '@motcua/platform';

/**
 * Who may touch which agency's data, using the agency tree as of a date (default today, Viet Nam):
 * - clerk: writes and reads for its own agency and the units under it;
 * - monitor: reads its agency's subtree, writes nothing;
 * - auditor: reads everything, writes nothing;
 * - admin: reads everything; writes reference data only (not dossiers).
 */
@Injectable()
export class AgencyScope {
  constructor(private readonly ref: ReferenceDataService) {}

  canWrite(user: AuthUser, agencyCode: string, asOf?: string): boolean {
    if (user.role !== 'clerk' || !user.agency) return false;
    return this.within(agencyCode, user.agency, asOf);
  }

  canRead(user: AuthUser, agencyCode: string, asOf?: string): boolean {
    if (user.role === 'auditor' || user.role === 'admin') return true;
    if (!user.agency) return false;
    return this.within(agencyCode, user.agency, asOf);
  }

  /** Agency codes a user may read, as of the date; `'all'` for auditors and admins. */
  readableAgencies(user: AuthUser, asOf?: string): 'all' | string[] {
    if (user.role === 'auditor' || user.role === 'admin') return 'all';
    if (!user.agency) return [];
    const date = asOf ?? this.ref.today();
    const codes = this.ref
      .ready()
      .subtree(user.agency, date)
      .map((a) => a.code);
    return codes.length ? codes : [user.agency];
  }

  private within(code: string, ancestor: string, asOf?: string): boolean {
    // The token's own agency needs no reference data: a counter works before the tree is imported.
    if (code === ancestor) return true;
    return this.ref.ready().isWithin(code, ancestor, asOf ?? this.ref.today());
  }
}
