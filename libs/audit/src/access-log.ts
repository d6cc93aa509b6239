/**
 * Auditor access is itself recorded: every audit read appends `audit.access-recorded.v1` to the
 * stream `audit-log-{yyyy-mm-dd}` (local date in Viet Nam). One stream per day keeps streams short
 * and gives each day its own hash chain, which `verifyStore` checks like any other; appends use
 * expectedRevision 'any' since readers never conflict with each other. Projections ignore the type.
 */
import type { EventStore } from '@motcua/event-store';
import { vnDate } from './labels';

export const ACCESS_RECORDED = 'audit.access-recorded.v1';

export type AuditAction = 'history' | 'state' | 'verify' | 'seal' | 'replay' | 'sla' | 'export';

export interface AccessRecord {
  /** User id (token subject) or `cli:<os user>`. */
  actor: string;
  role?: string;
  action: AuditAction;
  dossierCode?: string;
  /** What was asked: query parameters, export format. */
  details?: Record<string, string | number | boolean | null>;
  correlationId?: string;
}

export const accessLogStreamId = (at: Date) => `audit-log-${vnDate(at.getTime())}`;

export async function recordAccess(store: EventStore, rec: AccessRecord, at: Date): Promise<void> {
  const data: Record<string, unknown> = {
    occurredAt: at.toISOString(),
    actor: rec.actor,
    action: rec.action,
  };
  if (rec.role) data.role = rec.role;
  if (rec.dossierCode) data.dossierCode = rec.dossierCode;
  if (rec.details) data.details = Object.fromEntries(Object.entries(rec.details).filter(([, v]) => v !== undefined));
  await store.append(accessLogStreamId(at), [
    { type: ACCESS_RECORDED, data, metadata: { actor: rec.actor, correlationId: rec.correlationId ?? `audit-${at.getTime()}` } },
  ]);
}

/** Who looked at what on a local day (for the auditors of the auditors). */
export async function readAccessLog(store: EventStore, day: string): Promise<Array<AccessRecord & { at: string }>> {
  const events = await store.readStream(`audit-log-${day}`);
  return events
    .filter((e) => e.type === ACCESS_RECORDED)
    .map((e) => {
      const d = e.data as Record<string, unknown>;
      return {
        at: String(d.occurredAt),
        actor: String(d.actor),
        role: d.role as string | undefined,
        action: d.action as AuditAction,
        dossierCode: d.dossierCode as string | undefined,
        details: d.details as AccessRecord['details'],
      };
    });
}
