/**
 * Random but reproducible dossier lifecycles through the real decider, for crash, rebuild, fault and
 * benchmark runs. Each dossier's commands are decided in memory, then appended as one append.
 */
import { createWorkingCalendar, type WorkingCalendar } from '@motcua/calendar';
import { decide, fold, initialState, type DossierCommand, type DossierEvent, type ProcedureRules } from '@motcua/domain';
import type { EventStore } from '@motcua/event-store';
import { dossierCommands } from './service';

/** mulberry32: tiny deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

export interface RandomLoadOptions {
  agencies: string[];
  procedures: Record<string, ProcedureRules>;
  /** First local day of receipts (YYYY-MM-DD) and number of days they spread over. */
  startDay: string;
  days: number;
  seed?: number;
  calendar?: WorkingCalendar;
}

/** Events of one random lifecycle (about 6 on average), decided by the real decider. */
export function randomLifecycle(code: string, i: number, rnd: () => number, o: RandomLoadOptions, calendar: WorkingCalendar): DossierEvent[] {
  const procCodes = Object.keys(o.procedures);
  const proc = o.procedures[procCodes[i % procCodes.length]];
  const agency = o.agencies[Math.floor(rnd() * o.agencies.length)];
  const day0 = Date.parse(o.startDay + 'T00:00:00+07:00') + Math.floor(rnd() * o.days) * 24 * HOUR;
  let t = day0 + (7.5 + rnd() * 9) * HOUR;
  const step = (h: number) => (t += h * HOUR * (0.5 + rnd()));
  const r = rnd();
  const channel = r < 0.3 ? 'online' : r < 0.35 ? 'postal' : 'counter';
  const cmds: DossierCommand[] = [];
  if (channel === 'online') {
    cmds.push({ type: 'submit_online', dossierCode: code, agencyCode: agency, procedureCode: proc.code, occurredAt: iso(t) });
    step(2);
  }
  if (rnd() < 0.01) {
    cmds.push({ type: 'refuse', dossierCode: code, agencyCode: agency, procedureCode: proc.code, channel, occurredAt: iso(t), reason: 'incomplete' });
  } else {
    cmds.push({ type: 'receive', dossierCode: code, agencyCode: agency, procedureCode: proc.code, channel, occurredAt: iso(t) });
    step(3);
    cmds.push({ type: 'record_step', occurredAt: iso(t), kind: 'transfer', fromUnit: 'counter', toUnit: 'office', allottedWorkingHours: 8 });
    const end = rnd();
    if (rnd() < 0.15) {
      cmds.push({ type: 'request_supplement', occurredAt: iso(step(20)), reason: 'missing paper' });
      if (rnd() < 0.9) cmds.push({ type: 'supply_supplement', occurredAt: iso(step(30)) });
    }
    const paused = cmds[cmds.length - 1].type === 'request_supplement';
    if (!paused && rnd() < 0.2) {
      cmds.push({ type: 'request_payment', occurredAt: iso(step(5)), amount: 50_000 });
      cmds.push({ type: 'record_payment', occurredAt: iso(step(10)), online: rnd() < 0.4, amount: 50_000 });
    }
    if (!paused) {
      if (end < 0.02) cmds.push({ type: 'withdraw', occurredAt: iso(step(10)) });
      else if (end < 0.03) cmds.push({ type: 'stop', occurredAt: iso(step(10)), reason: 'legal' });
      else if (end < 0.97) {
        if (rnd() < 0.05) cmds.push({ type: 'issue_apology', occurredAt: iso(step(10)), newPromisedAt: iso(t + 100 * HOUR), reason: 'late' });
        cmds.push({
          type: 'complete',
          occurredAt: iso(step(rnd() < 0.1 ? 80 : 20)),
          outcome: rnd() < 0.95 ? 'approved' : 'rejected',
          electronicResult: rnd() < 0.5,
        });
        if (rnd() < 0.9) cmds.push({ type: 'return_result', occurredAt: iso(step(10)) });
      }
    }
  }
  let s = initialState;
  const out: DossierEvent[] = [];
  for (const c of cmds) {
    const procedure = o.procedures[proc.code];
    const evs = decide(c, s, { calendar, procedure });
    s = fold(evs, s);
    out.push(...evs);
  }
  return out;
}

export interface WriteRandomDossiersOptions {
  /** The code of the i-th dossier (default `LOAD.<seed>-250101-<i, 7 digits>`). */
  code?: (i: number) => string;
  /** Appends in flight at once (default 1: one after the other). */
  concurrency?: number;
  /** The actor the events' metadata names (default `load`). */
  actor?: string;
  /** Called with the number of dossiers decided so far, every 10 000 and at the end. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Appends `n` random dossiers (the `offset`-th first), each a new stream written through
 * `DossierCommands`; returns the number of events written.
 */
export async function writeRandomDossiers(store: EventStore, n: number, o: RandomLoadOptions, offset = 0, w: WriteRandomDossiersOptions = {}): Promise<number> {
  const seed = o.seed ?? 42;
  const rnd = prng(seed);
  const calendar = o.calendar ?? createWorkingCalendar();
  const commands = dossierCommands(store);
  const codeOf = w.code ?? ((i: number) => `LOAD.${seed}-250101-${String(i).padStart(7, '0')}`);
  const concurrency = Math.max(1, w.concurrency ?? 1);
  const pending: Promise<unknown>[] = [];
  let events = 0;
  for (let i = offset; i < offset + n; i++) {
    const code = codeOf(i);
    const decided = randomLifecycle(code, i, rnd, o, calendar);
    const agencyCode = (decided[0].data as { agencyCode: string }).agencyCode;
    pending.push(commands.append(code, initialState, decided, { origin: { actor: w.actor ?? 'load', correlationId: code }, agencyCode }));
    events += decided.length;
    if (pending.length >= concurrency) await Promise.all(pending.splice(0));
    if ((i - offset) % 10_000 === 0) w.onProgress?.(i - offset, n);
  }
  await Promise.all(pending);
  w.onProgress?.(n, n);
  return events;
}
