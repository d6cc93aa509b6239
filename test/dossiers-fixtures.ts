/**
 * Shared set-up of the dossier e2e suites: reference data (agencies with their own hours, procedures),
 * tokens, a request wrapper that records every status (no 500 allowed), and valid bodies per route.
 */
import { registerProcedureBody, workingDays } from '@motcua/testing';
import { STORES, startTestApp, TestApp, TestResponse } from './support/app';

export { STORES };

/** Monday 3 March 2025, 09:00 in Viet Nam. */
export const T0 = '2025-03-03T09:00:00+07:00';
/** Long after every test's other instants: any action's occurredAt that must not be "before the receipt". */
export const LATER = '2025-04-01T09:00:00+07:00';

export const AGENCY_A = 'H30.01';
export const PROC_PAUSE = 'P.PAUSE';
export const PROC_RUN = 'P.RUN';

export interface DossierTestApp {
  t: TestApp;
  statuses: number[];
  clerkA: string;
  clerkA2: string;
  clerkB: string;
  monitorA: string;
  monitorB: string;
  auditor: string;
  admin: string;
  newCode(): string;
  receive(code?: string, extra?: Record<string, unknown>): Promise<TestResponse>;
  act(code: string, route: string, body: Record<string, unknown>, opts?: { token?: string; headers?: Record<string, string> }): Promise<TestResponse>;
}

export async function startDossierApp(store: 'sqlite' | 'postgres'): Promise<DossierTestApp> {
  const t = await startTestApp({ store });
  const statuses: number[] = [];
  const orig = t.request.bind(t);
  t.request = async (...a: Parameters<TestApp['request']>) => {
    const r = await orig(...a);
    statuses.push(r.status);
    return r;
  };
  const admin = await t.token('admin', undefined, { sub: 'admin-1' });
  const ok = async (path: string, body: unknown) => {
    const r = await t.request('POST', path, { token: admin, body });
    if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
  };
  await ok('/api/agencies', { code: 'H30', name: 'Tỉnh Hải Dương', level: 'province' });
  // Its own hours (8 h a day, 07:30-11:30 13:00-17:00): the calendar of its dossiers is not the default.
  await ok('/api/agencies', { code: AGENCY_A, name: 'Sở Tư pháp', level: 'department', parentCode: 'H30', workingHours: 'Mon-Fri 07:30-11:30 13:00-17:00' });
  await ok('/api/agencies', { code: 'H31', name: 'Tỉnh khác', level: 'province' });
  await ok('/api/procedures', registerProcedureBody({ code: PROC_PAUSE, name: 'Cấp giấy phép xây dựng', deadline: workingDays(5), paymentPausesClock: true }));
  await ok('/api/procedures', registerProcedureBody({ code: PROC_RUN, name: 'Chứng thực bản sao', deadline: workingDays(1), cutoffTime: '15:00' }));
  let seq = 0;
  const d: DossierTestApp = {
    t,
    statuses,
    admin,
    clerkA: await t.token('clerk', 'H30', { sub: 'clerk-a1' }),
    clerkA2: await t.token('clerk', AGENCY_A, { sub: 'clerk-a2' }),
    clerkB: await t.token('clerk', 'H31', { sub: 'clerk-b' }),
    monitorA: await t.token('monitor', 'H30', { sub: 'monitor-a' }),
    monitorB: await t.token('monitor', 'H31', { sub: 'monitor-b' }),
    auditor: await t.token('auditor', undefined, { sub: 'auditor-1' }),
    newCode: () => `${AGENCY_A}-250303-${String(++seq).padStart(4, '0')}`,
    receive: (code = d.newCode(), extra = {}) =>
      t.request('POST', '/api/dossiers', {
        token: d.clerkA,
        body: { code, agencyCode: AGENCY_A, procedureCode: PROC_PAUSE, channel: 'counter', occurredAt: T0, ...extra },
      }),
    act: (code, route, body, o = {}) =>
      t.request('POST', `/api/dossiers/${encodeURIComponent(code)}/${route}`, { token: o.token ?? d.clerkA, body, headers: o.headers }),
  };
  return d;
}

/** Every write route: path (with `{code}`), the domain action, a valid body, and field kinds for mutation. */
export interface RouteSpec {
  action: string;
  path: string;
  creates: boolean;
  body: (code: string) => Record<string, unknown>;
  required: string[];
  /** Field -> expected JSON type (for wrong-type bodies). */
  types: Record<string, 'string' | 'boolean' | 'number' | 'object'>;
}

const obj = 'object' as const;
export const ROUTES: RouteSpec[] = [
  {
    action: 'receive',
    path: '/api/dossiers',
    creates: true,
    body: (code) => ({ code, agencyCode: AGENCY_A, procedureCode: PROC_PAUSE, channel: 'counter', occurredAt: LATER, applicant: { name: 'Nguyễn Văn A' } }),
    required: ['code', 'agencyCode', 'procedureCode', 'channel', 'occurredAt'],
    types: { code: 'string', agencyCode: 'string', procedureCode: 'string', channel: 'string', occurredAt: 'string', applicant: obj },
  },
  {
    action: 'submit_online',
    path: '/api/dossiers/online-submissions',
    creates: true,
    body: (code) => ({ code, agencyCode: AGENCY_A, procedureCode: PROC_PAUSE, occurredAt: LATER }),
    required: ['code', 'agencyCode', 'procedureCode', 'occurredAt'],
    types: { code: 'string', agencyCode: 'string', procedureCode: 'string', occurredAt: 'string', applicant: obj },
  },
  {
    action: 'refuse',
    path: '/api/dossiers/refusals',
    creates: true,
    body: (code) => ({ code, agencyCode: AGENCY_A, procedureCode: PROC_PAUSE, channel: 'counter', occurredAt: LATER, reason: 'Hồ sơ không thuộc thẩm quyền' }),
    required: ['code', 'agencyCode', 'procedureCode', 'channel', 'occurredAt', 'reason'],
    types: { code: 'string', agencyCode: 'string', procedureCode: 'string', channel: 'string', occurredAt: 'string', reason: 'string' },
  },
  {
    action: 'record_step',
    path: '/api/dossiers/{code}/steps',
    creates: false,
    body: () => ({ kind: 'transfer', fromUnit: 'Một cửa', toUnit: 'Phòng Tư pháp', allottedWorkingHours: 8, occurredAt: LATER }),
    required: ['kind', 'fromUnit', 'toUnit', 'occurredAt'],
    types: { kind: 'string', fromUnit: 'string', toUnit: 'string', allottedWorkingHours: 'number', note: 'string', occurredAt: 'string' },
  },
  {
    action: 'request_supplement',
    path: '/api/dossiers/{code}/supplement-requests',
    creates: false,
    body: () => ({ reason: 'Thiếu bản sao CCCD', occurredAt: LATER }),
    required: ['reason', 'occurredAt'],
    types: { reason: 'string', occurredAt: 'string' },
  },
  {
    action: 'supply_supplement',
    path: '/api/dossiers/{code}/supplements',
    creates: false,
    body: () => ({ occurredAt: LATER }),
    required: ['occurredAt'],
    types: { occurredAt: 'string' },
  },
  {
    action: 'request_payment',
    path: '/api/dossiers/{code}/payment-requests',
    creates: false,
    body: () => ({ amount: 50000, occurredAt: LATER }),
    required: ['occurredAt'],
    types: { amount: 'number', occurredAt: 'string' },
  },
  {
    action: 'record_payment',
    path: '/api/dossiers/{code}/payments',
    creates: false,
    body: () => ({ online: true, amount: 50000, occurredAt: LATER }),
    required: ['online', 'occurredAt'],
    types: { online: 'boolean', amount: 'number', occurredAt: 'string' },
  },
  {
    action: 'issue_apology',
    path: '/api/dossiers/{code}/apologies',
    creates: false,
    body: () => ({ newPromisedAt: '2025-05-01T17:00:00+07:00', reason: 'Chờ ý kiến cơ quan khác', occurredAt: LATER }),
    required: ['newPromisedAt', 'reason', 'occurredAt'],
    types: { newPromisedAt: 'string', reason: 'string', occurredAt: 'string' },
  },
  {
    action: 'complete',
    path: '/api/dossiers/{code}/completion',
    creates: false,
    body: () => ({ outcome: 'approved', electronicResult: true, occurredAt: LATER }),
    required: ['outcome', 'occurredAt'],
    types: { outcome: 'string', electronicResult: 'boolean', occurredAt: 'string' },
  },
  {
    action: 'return_result',
    path: '/api/dossiers/{code}/return',
    creates: false,
    body: () => ({ occurredAt: LATER }),
    required: ['occurredAt'],
    types: { occurredAt: 'string' },
  },
  {
    action: 'withdraw',
    path: '/api/dossiers/{code}/withdrawal',
    creates: false,
    body: () => ({ reason: 'Công dân rút hồ sơ', occurredAt: LATER }),
    required: ['occurredAt'],
    types: { reason: 'string', occurredAt: 'string' },
  },
  {
    action: 'stop',
    path: '/api/dossiers/{code}/stop',
    creates: false,
    body: () => ({ reason: 'Cơ quan có thẩm quyền đình chỉ', occurredAt: LATER }),
    required: ['reason', 'occurredAt'],
    types: { reason: 'string', occurredAt: 'string' },
  },
];

export function routePath(r: RouteSpec, code: string): string {
  return r.path.replace('{code}', encodeURIComponent(code));
}
