/**
 * The alerts read model, built from the global log by the deadline worker, in the alerts database
 * (SQLite file or PostgreSQL, through the read-models SQL port):
 *
 *   alert_checkpoint  the worker's position in the global log (committed with the rows: exactly once)
 *   alert_deadlines   one row per OPEN dossier: due date, unit, calendar, paused, what was already raised
 *                     for the current due date. The reconciler re-creates BullMQ jobs from it.
 *   alert_alerts      one row per alert: open / acknowledged
 *   alert_feed        one row per alert change, keyed by the global position of the event that caused it:
 *                     the SSE feed (`Last-Event-ID` = position) and the API instances' catch-up source.
 *
 *   event_quarantine  events this read model could not read (libs/read-models' quarantine table, here
 *                     beside this read model's checkpoint)
 *
 * Everything here is derived from events; dropping the tables and replaying the log gives the same rows.
 *
 * An event whose fields the read model needs cannot be read (decode.ts) is quarantined under the consumer
 * ALERTS_CHECKPOINT in the batch's transaction, and the checkpoint moves past it; a dossier event also
 * drops the dossier's deadline row, so nothing is scheduled from a deadline the log no longer tells: the
 * dossier leaves the deadline watch (its alerts raised so far stay).
 */
import { comparePositions, type RecordedEvent } from '@motcua/event-store';
import { createQuarantineTable, recordQuarantined, type QuarantineCandidate, type QuarantinedEvent, type SqlDb, type SqlExecutor } from '@motcua/read-models';
import { decodeAlertEvent, dossierOfEvent, type DecodedAlertEvent } from './decode';
import { deadlineMissedAlertId, type AlertKind } from './events';

export const ALERTS_CHECKPOINT = 'alerts_v1';

/** Positions are decimal integers of any size: a fixed-width key sorts them as text in both dialects. */
export function positionKey(position: string): string {
  return position.padStart(40, '0');
}

export interface DeadlineRow {
  code: string;
  agencyCode: string;
  dueAtMs: number;
  dueAt: string;
  unit: string | null;
  calendarVersion: string | null;
  clockStartAtMs: number;
  originalDueAtMs: number;
  paused: boolean;
  /** dueAt (ms) for which a deadline-missed event exists, else null. */
  missedDueMs: number | null;
  dueSoonDueMs: number | null;
}

export interface AlertView {
  id: string;
  kind: AlertKind;
  dossierCode: string;
  agencyCode: string;
  dueAt: string;
  /** When the alert condition arose (due-soon instant, or the first late instant). */
  occurredAt: string;
  detectedAt: string;
  status: 'open' | 'acknowledged';
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  /** Global position of the event that raised it. */
  position: string;
  remainingWorkingMs?: number;
}

export interface FeedRow {
  position: string;
  type: 'alert' | 'alert-acknowledged';
  alert: AlertView;
}

export async function ensureAlertsSchema(db: SqlExecutor): Promise<void> {
  const t = (n: string) => db.table(n);
  await db.exec(`
    CREATE TABLE IF NOT EXISTS ${t('alert_checkpoint')} (name TEXT PRIMARY KEY, position TEXT NOT NULL, updated_at BIGINT NOT NULL);
    CREATE TABLE IF NOT EXISTS ${t('alert_deadlines')} (
      code TEXT PRIMARY KEY,
      agency_code TEXT NOT NULL,
      due_at BIGINT NOT NULL,
      due_iso TEXT NOT NULL,
      unit TEXT,
      calendar_version TEXT,
      clock_start_at BIGINT NOT NULL,
      original_due_at BIGINT NOT NULL,
      paused INTEGER NOT NULL,
      missed_due BIGINT,
      due_soon_due BIGINT
    );
    CREATE TABLE IF NOT EXISTS ${t('alert_alerts')} (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      dossier_code TEXT NOT NULL,
      agency_code TEXT NOT NULL,
      status TEXT NOT NULL,
      pos_key TEXT NOT NULL,
      data TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS alert_alerts_agency ON ${t('alert_alerts')} (agency_code, status, pos_key);
    CREATE INDEX IF NOT EXISTS alert_alerts_pos ON ${t('alert_alerts')} (pos_key);
    CREATE TABLE IF NOT EXISTS ${t('alert_feed')} (
      pos_key TEXT PRIMARY KEY,
      agency_code TEXT NOT NULL,
      data TEXT NOT NULL
    );`);
  await createQuarantineTable(db);
}

export async function readAlertsCheckpoint(db: SqlExecutor): Promise<string> {
  const rows = await db.all<{ position: string }>(`SELECT position FROM ${db.table('alert_checkpoint')} WHERE name = ?`, [ALERTS_CHECKPOINT]);
  return rows[0]?.position ?? '';
}

/** What the worker must do after a batch committed: (re)schedule jobs, drop jobs, announce feed rows. */
export interface BatchEffects {
  /** Codes whose deadline row changed (re-read and schedule after commit). */
  touched: Set<string>;
  /** Jobs that no longer apply: dossier closed or due date moved. */
  obsolete: Array<{ code: string; dueAtMs: number }>;
  feed: FeedRow[];
  position: string;
  /** Events of the batch newly quarantined (committed with it): report them. */
  quarantined: QuarantinedEvent[];
}

/** A row as the driver returns it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type D = Record<string, any>;

const ms = (iso: string) => Date.parse(iso);

function rowOf(r: D): DeadlineRow {
  return {
    code: r.code,
    agencyCode: r.agency_code,
    dueAtMs: Number(r.due_at),
    dueAt: r.due_iso,
    unit: r.unit ?? null,
    calendarVersion: r.calendar_version ?? null,
    clockStartAtMs: Number(r.clock_start_at),
    originalDueAtMs: Number(r.original_due_at),
    paused: Number(r.paused) === 1,
    missedDueMs: r.missed_due === null || r.missed_due === undefined ? null : Number(r.missed_due),
    dueSoonDueMs: r.due_soon_due === null || r.due_soon_due === undefined ? null : Number(r.due_soon_due),
  };
}

const DEADLINE_COLS = 'code, agency_code, due_at, due_iso, unit, calendar_version, clock_start_at, original_due_at, paused, missed_due, due_soon_due';

export async function getDeadline(db: SqlExecutor, code: string): Promise<DeadlineRow | undefined> {
  const rows = await db.all<D>(`SELECT ${DEADLINE_COLS} FROM ${db.table('alert_deadlines')} WHERE code = ?`, [code]);
  return rows[0] ? rowOf(rows[0]) : undefined;
}

/** Open dossiers in pages of `limit`, by code (the reconciler walks them all). */
export async function listDeadlines(db: SqlExecutor, afterCode: string, limit: number): Promise<DeadlineRow[]> {
  const rows = await db.all<D>(`SELECT ${DEADLINE_COLS} FROM ${db.table('alert_deadlines')} WHERE code > ? ORDER BY code LIMIT ?`, [afterCode, limit]);
  return rows.map(rowOf);
}

export async function getAlert(db: SqlExecutor, id: string): Promise<AlertView | undefined> {
  const rows = await db.all<{ data: string }>(`SELECT data FROM ${db.table('alert_alerts')} WHERE id = ?`, [id]);
  return rows[0] ? (JSON.parse(rows[0].data) as AlertView) : undefined;
}

export interface AlertQuery {
  agencies: 'all' | string[];
  status?: 'open' | 'acknowledged';
  limit: number;
}

/** Newest first. */
export async function queryAlerts(db: SqlExecutor, q: AlertQuery): Promise<AlertView[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.agencies !== 'all') {
    if (q.agencies.length === 0) return [];
    where.push(`agency_code IN (${q.agencies.map(() => '?').join(', ')})`);
    params.push(...q.agencies);
  }
  if (q.status) {
    where.push('status = ?');
    params.push(q.status);
  }
  params.push(q.limit);
  const rows = await db.all<{ data: string }>(
    `SELECT data FROM ${db.table('alert_alerts')} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY pos_key DESC LIMIT ?`,
    params,
  );
  return rows.map((r) => JSON.parse(r.data) as AlertView);
}

/** Feed rows strictly after `position` (all when empty), oldest first, optionally for some agencies. */
export async function readFeed(db: SqlExecutor, after: string, limit: number, agencies: 'all' | string[] = 'all'): Promise<FeedRow[]> {
  const params: (string | number)[] = [after ? positionKey(after) : ''];
  let filter = '';
  if (agencies !== 'all') {
    if (agencies.length === 0) return [];
    filter = ` AND agency_code IN (${agencies.map(() => '?').join(', ')})`;
    params.push(...agencies);
  }
  params.push(limit);
  const rows = await db.all<{ data: string }>(`SELECT data FROM ${db.table('alert_feed')} WHERE pos_key > ?${filter} ORDER BY pos_key LIMIT ?`, params);
  return rows.map((r) => JSON.parse(r.data) as FeedRow);
}

export async function feedHead(db: SqlExecutor): Promise<string> {
  const rows = await db.all<{ data: string }>(`SELECT data FROM ${db.table('alert_feed')} ORDER BY pos_key DESC LIMIT 1`);
  return rows[0] ? (JSON.parse(rows[0].data) as FeedRow).position : '';
}

/**
 * Applies one batch and moves the checkpoint in one transaction (compare-and-set on the previous
 * position, so two workers on one database cannot both count a batch). Events at or before the
 * checkpoint are skipped: redelivery is harmless. An event that cannot be read is quarantined in the same
 * transaction instead of failing the batch (`effects.quarantined`: the rows newly inserted).
 */
export async function applyAlertsBatch(db: SqlDb, events: RecordedEvent[], expectedCheckpoint: string): Promise<BatchEffects | undefined> {
  const fresh = expectedCheckpoint ? events.filter((e) => comparePositions(e.position, expectedCheckpoint) > 0) : events;
  if (fresh.length === 0) return undefined;
  const effects: BatchEffects = { touched: new Set(), obsolete: [], feed: [], position: fresh[fresh.length - 1].position, quarantined: [] };
  await db.transaction(async (tx) => {
    const cur = await readAlertsCheckpoint(tx);
    if (cur !== expectedCheckpoint)
      throw new Error(`alerts checkpoint moved (expected '${expectedCheckpoint}', found '${cur}'): another worker writes this database`);
    const unreadable: QuarantineCandidate[] = [];
    for (const e of fresh) {
      let decoded: DecodedAlertEvent | undefined;
      try {
        decoded = decodeAlertEvent(e);
      } catch (err) {
        unreadable.push({
          consumer: ALERTS_CHECKPOINT,
          streamId: e.streamId,
          revision: e.revision,
          position: e.position,
          eventType: e.type,
          reason: (err as Error).message,
        });
        const code = dossierOfEvent(e);
        if (code) await dropDeadline(tx, code, effects);
        continue;
      }
      if (decoded) await applyOne(tx, e, decoded, effects);
    }
    if (unreadable.length) effects.quarantined = await recordQuarantined(tx, unreadable);
    const n = await tx.run(`UPDATE ${tx.table('alert_checkpoint')} SET position = ?, updated_at = ? WHERE name = ? AND position = ?`, [
      effects.position,
      Date.now(),
      ALERTS_CHECKPOINT,
      expectedCheckpoint,
    ]);
    if (n !== 1) {
      if (expectedCheckpoint !== '') throw new Error('alerts checkpoint moved during the batch');
      await tx.run(`INSERT INTO ${tx.table('alert_checkpoint')} (name, position, updated_at) VALUES (?, ?, ?)`, [
        ALERTS_CHECKPOINT,
        effects.position,
        Date.now(),
      ]);
    }
  });
  return effects;
}

/** Removes a dossier from the deadline watch (closed, or its deadline can no longer be read); its schedule entries go. */
export async function dropDeadline(tx: SqlExecutor, code: string, fx: Pick<BatchEffects, 'obsolete' | 'touched'>): Promise<boolean> {
  const before = await getDeadline(tx, code);
  if (!before) return false;
  await tx.run(`DELETE FROM ${tx.table('alert_deadlines')} WHERE code = ?`, [code]);
  fx.obsolete.push({ code, dueAtMs: before.dueAtMs });
  fx.touched.delete(code);
  return true;
}

async function applyOne(tx: SqlExecutor, e: RecordedEvent, d: DecodedAlertEvent, fx: BatchEffects): Promise<void> {
  const T = tx.table('alert_deadlines');
  switch (d.kind) {
    case 'received': {
      await tx.run(
        `INSERT INTO ${T} (${DEADLINE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL)
         ON CONFLICT (code) DO UPDATE SET agency_code = excluded.agency_code, due_at = excluded.due_at, due_iso = excluded.due_iso,
           unit = excluded.unit, calendar_version = excluded.calendar_version, clock_start_at = excluded.clock_start_at,
           original_due_at = excluded.original_due_at, paused = 0, missed_due = NULL, due_soon_due = NULL`,
        [d.code, d.agencyCode, ms(d.dueAt), d.dueAt, d.unit, d.calendarVersion, ms(d.clockStartAt), ms(d.dueAt)],
      );
      fx.touched.add(d.code);
      return;
    }
    case 'paused': {
      if ((await tx.run(`UPDATE ${T} SET paused = ? WHERE code = ?`, [d.paused ? 1 : 0, d.code])) > 0) fx.touched.add(d.code);
      return;
    }
    case 'resumed': {
      const before = await getDeadline(tx, d.code);
      if (!before) return;
      if (d.dueAt && ms(d.dueAt) !== before.dueAtMs) fx.obsolete.push({ code: d.code, dueAtMs: before.dueAtMs });
      await tx.run(`UPDATE ${T} SET paused = 0, due_at = ?, due_iso = ? WHERE code = ?`, [
        d.dueAt ? ms(d.dueAt) : before.dueAtMs,
        d.dueAt ?? before.dueAt,
        d.code,
      ]);
      fx.touched.add(d.code);
      return;
    }
    case 'closed':
      await dropDeadline(tx, d.code, fx);
      return;
    case 'deadline-missed': {
      const row = await getDeadline(tx, d.code);
      const dueMs = ms(d.dueAt);
      if (row && row.dueAtMs === dueMs) await tx.run(`UPDATE ${T} SET missed_due = ? WHERE code = ?`, [dueMs, d.code]);
      const agencyCode = row?.agencyCode ?? (e.metadata.agencyCode as string | undefined) ?? '';
      await raise(tx, fx, e, {
        id: deadlineMissedAlertId(d.code, dueMs),
        kind: 'deadline_missed',
        dossierCode: d.code,
        agencyCode,
        dueAt: d.dueAt,
        occurredAt: d.occurredAt,
        detectedAt: d.detectedAt,
        status: 'open',
        acknowledgedBy: null,
        acknowledgedAt: null,
        position: e.position,
      });
      return;
    }
    case 'due-soon': {
      const dueMs = ms(d.dueAt);
      await tx.run(`UPDATE ${T} SET due_soon_due = ? WHERE code = ? AND due_at = ?`, [dueMs, d.dossierCode, dueMs]);
      await raise(tx, fx, e, {
        id: d.alertId,
        kind: 'due_soon',
        dossierCode: d.dossierCode,
        agencyCode: d.agencyCode,
        dueAt: d.dueAt,
        occurredAt: d.occurredAt,
        detectedAt: d.detectedAt,
        status: 'open',
        acknowledgedBy: null,
        acknowledgedAt: null,
        position: e.position,
        remainingWorkingMs: d.remainingWorkingMs,
      });
      return;
    }
    case 'acknowledged': {
      const alert = await getAlert(tx, d.alertId);
      if (!alert || alert.status === 'acknowledged') return;
      const updated: AlertView = { ...alert, status: 'acknowledged', acknowledgedBy: d.by, acknowledgedAt: d.occurredAt };
      await tx.run(`UPDATE ${tx.table('alert_alerts')} SET status = 'acknowledged', data = ? WHERE id = ?`, [JSON.stringify(updated), d.alertId]);
      await feed(tx, fx, { position: e.position, type: 'alert-acknowledged', alert: updated });
      return;
    }
  }
}

async function raise(tx: SqlExecutor, fx: BatchEffects, e: RecordedEvent, alert: AlertView): Promise<void> {
  const n = await tx.run(
    `INSERT INTO ${tx.table('alert_alerts')} (id, kind, dossier_code, agency_code, status, pos_key, data) VALUES (?, ?, ?, ?, 'open', ?, ?) ON CONFLICT (id) DO NOTHING`,
    [alert.id, alert.kind, alert.dossierCode, alert.agencyCode, positionKey(e.position), JSON.stringify(alert)],
  );
  if (n > 0) await feed(tx, fx, { position: e.position, type: 'alert', alert });
}

async function feed(tx: SqlExecutor, fx: BatchEffects, row: FeedRow): Promise<void> {
  await tx.run(`INSERT INTO ${tx.table('alert_feed')} (pos_key, agency_code, data) VALUES (?, ?, ?) ON CONFLICT (pos_key) DO NOTHING`, [
    positionKey(row.position),
    row.alert.agencyCode,
    JSON.stringify(row),
  ]);
  fx.feed.push(row);
}
