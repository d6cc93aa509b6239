/**
 * The monitor dashboard in a real browser: Debian's Chromium driven by playwright-core,
 * against the real API (SQLite store, real Redis) started by `startTestApp`. The page is loaded from
 * the app itself (/dashboard/), logged in with a pasted token, and what it shows is compared with
 * what the API answers to the same questions. Screenshots go to test-artifacts/ (gitignored).
 *
 * Chromium is installed by .ci/run when missing; the suite is skipped (with the reason) only when
 * /usr/bin/chromium is truly not there.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DeadlineWorker } from '../apps/worker/src/deadlines/deadline-worker';
import { startProjections, type RunningProjections } from '../apps/worker/src/projections/projections';
import { createLogger } from '@motcua/platform';
import { loadAlertsConfig, openAlertsDb } from '@motcua/alerts';
import type { SqlDb } from '@motcua/read-models';
import { holidayNow, receiveAlwaysOpen, registerProcedureBody, secondsDeadline, workingDays } from '@motcua/testing';
import { startTestApp, TestApp } from './support/app';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard browser tests skipped: ${CHROMIUM} not found (.ci/run installs Debian's chromium: apt-get install -y chromium)`);
const d = hasChromium ? describe : (title: string, fn: () => void) => describe.skip(`${title} (skipped: ${CHROMIUM} not found)`, fn);
// A dossier due in two working seconds needs "now" to be working time, even on a 24/7 calendar.
const holiday = holidayNow();
if (holiday) console.warn(`dashboard live-alert test skipped: ${holiday} is an official holiday (no working time to run a deadline in)`);

// The figures of the period below: March 2025, Viet Nam dates.
const PERIOD = { from: '2025-03-01', to: '2025-03-31' };
const T0 = '2025-03-03T09:00:00+07:00';
const PROVINCE = 'H30';
const C1 = 'H30.C1';
const C2 = 'H30.C2';
const PROC = 'P.CT';

// Callbacks of page.evaluate run in the page: its globals are reached as `(globalThis as any)` (no DOM lib here).

/** The page's number formats (js/i18n.js), rebuilt here with the same Intl calls. */
const vi = {
  int: (n: number) => new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 }).format(n),
  rate: (r: number | null) =>
    r === null ? '—' : new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(r * 100) + ' %',
  score: (s: number | null) => (s === null ? '—' : new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(s)),
};

d('monitor dashboard in Chromium (SQLite, real Redis)', () => {
  let t: TestApp;
  let dataDir: string;
  let projections: RunningProjections;
  let worker: DeadlineWorker;
  let alertsDb: SqlDb;
  let ctx: BrowserContext;
  let page: Page;
  let profile: string;
  let monitor: string;
  let clerk1: string;
  let clerk2: string;
  const pageErrors: string[] = [];
  const codes = { done: `${C1}-250303-0001`, open: `${C1}-250303-0002`, paused: `${C2}-250303-0001` };

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: false });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The SLA module reads its store from READ_MODELS_* (the worker's variables): point it into this
    // run's data dir, where the in-process projection below writes.
    dataDir = mkdtempSync(join(tmpdir(), 'motcua-dashboard-'));
    process.env.READ_MODELS_ENGINE = 'sqlite';
    process.env.READ_MODELS_SQLITE_FILE = join(dataDir, 'read-models.sqlite');
    t = await startTestApp({ store: 'sqlite', dataDir });
    const admin = await t.token('admin', undefined, { sub: 'admin-1' });
    const ok = async (path: string, body: unknown, token = admin) => {
      const r = await t.request('POST', path, { token, body });
      if (r.status !== 201 && r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
      return r.body;
    };
    await ok('/api/agencies', { code: PROVINCE, name: 'Tỉnh Hải Dương', level: 'province' });
    await ok('/api/agencies', { code: C1, name: 'Xã Kim Anh', level: 'commune', parentCode: PROVINCE });
    await ok('/api/agencies', { code: C2, name: 'Xã Tân Dân', level: 'commune', parentCode: PROVINCE });
    await ok('/api/procedures', registerProcedureBody({ code: PROC, name: 'Chứng thực bản sao', deadline: workingDays(1) }));
    monitor = await t.token('monitor', PROVINCE, { sub: 'monitor-h30' });
    clerk1 = await t.token('clerk', C1, { sub: 'clerk-c1' });
    clerk2 = await t.token('clerk', C2, { sub: 'clerk-c2' });

    // C1: one completed the same day (early), one left open (overdue by the end of March);
    // C2: one received online and waiting for the applicant's papers (paused).
    const receive = (code: string, agencyCode: string, channel: string, token: string) =>
      ok('/api/dossiers', { code, agencyCode, procedureCode: PROC, channel, occurredAt: T0 }, token);
    await receive(codes.done, C1, 'counter', clerk1);
    await ok(`/api/dossiers/${codes.done}/completion`, { outcome: 'approved', occurredAt: '2025-03-03T14:00:00+07:00' }, clerk1);
    await receive(codes.open, C1, 'counter', clerk1);
    await receive(codes.paused, C2, 'online', clerk2);
    await ok(`/api/dossiers/${codes.paused}/supplement-requests`, { reason: 'Thiếu bản sao CCCD', occurredAt: '2025-03-03T10:00:00+07:00' }, clerk2);

    // The worker's two jobs, in-process on the app's own store, read-model files and Redis prefix:
    // the SLA projection (read by /api/sla, /api/dossiers) and the deadline watcher (alerts + SSE).
    const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'worker-test');
    projections = await startProjections({ store: t.store, config: { engine: 'sqlite', sqliteFile: process.env.READ_MODELS_SQLITE_FILE } });
    await projections.runner.waitFor();
    if (!holiday) {
      const alertsConfig = loadAlertsConfig({}, { dataDir: t.dataDir, redisKeyPrefix: t.config.redisKeyPrefix });
      alertsDb = await openAlertsDb(alertsConfig.db);
      worker = new DeadlineWorker({ store: t.store, db: alertsDb, redisUrl: t.config.redisUrl, config: alertsConfig, logger });
      await worker.start();
    }

    profile = mkdtempSync(join(tmpdir(), 'motcua-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1366, height: 768 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 60_000);

  afterAll(async () => {
    await ctx?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await worker?.stop();
    await alertsDb?.close();
    await projections?.stop();
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the page and chart.js from the app, and asks for a token', async () => {
    const redirect = await fetch(`${t.baseUrl}/dashboard`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/dashboard/');
    const lib = await fetch(`${t.baseUrl}/dashboard/vendor/chart.umd.min.js`);
    expect(lib.status).toBe(200);
    expect(lib.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${t.baseUrl}/dashboard/..%2f..%2fpackage.json`)).status).toBe(404);

    await page.goto(`${t.baseUrl}/dashboard`);
    await page.waitForSelector('body[data-ready="true"]');
    await expect(page.locator('#login').isVisible()).resolves.toBe(true);
    // Vietnamese by default.
    expect(await page.locator('#login h1').textContent()).toBe('Đăng nhập');
    await page.fill('#token', 'not-a-token');
    await page.click('#login-form button[type=submit]');
    expect(await page.locator('#login-error').textContent()).toBe('Mã truy cập không hợp lệ hoặc đã hết hạn.');
    await shot('1-login');

    await page.fill('#token', monitor);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('[data-testid="agency-summary"]');
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('motcua.token'))).toBe(monitor);
    expect(await page.evaluate(() => typeof (globalThis as any).Chart)).toBe('function');
  });

  it('shows the agency tree with the figures the API gives for the period', async () => {
    await page.fill('#period input[name=from]', PERIOD.from);
    await page.fill('#period input[name=to]', PERIOD.to);
    await page.click('#period button[type=submit]');
    await page.waitForSelector(`[data-testid="agency-summary"][data-agency="${PROVINCE}"]`);
    await page.waitForSelector(`[data-testid="agency-tree"] tr[data-agency="${C1}"]`);
    await page.waitForSelector('[data-testid="charts"] canvas[data-testid="chart-late"]');

    const sla = await t.request('GET', `/api/sla?from=${PERIOD.from}&to=${PERIOD.to}&by=agency&agency=${PROVINCE}`, { token: monitor });
    expect(sla.status).toBe(200);
    const rows = new Map<string, any>((sla.body.items ?? sla.body.rows).map((r: any) => [r.agencyCode, r.rollup ?? r]));
    // Hand-known facts first, so that matching the API is not matching zeros.
    expect(rows.get(PROVINCE)).toMatchObject({ received: 3, completed: 1, openOverdue: 1, paused: 1 });
    expect(rows.get(C1)).toMatchObject({ received: 2, completed: 1, late: 0, openOverdue: 1 });
    expect(rows.get(C2)).toMatchObject({ received: 1, receivedByChannel: { online: 1 }, paused: 1 });

    const cell = (code: string, field: string) => page.locator(`[data-testid="agency-tree"] tr[data-agency="${code}"] td[data-field="${field}"]`).textContent();
    for (const code of [C1, C2]) {
      const f = rows.get(code);
      expect(await cell(code, 'onTimeScore')).toBe(vi.score(f.onTimeScore));
      expect(await cell(code, 'lateRate')).toBe(vi.rate(f.lateRate));
      expect(await cell(code, 'onlineRate')).toBe(vi.rate(f.onlineRate));
      expect(await cell(code, 'received')).toBe(vi.int(f.received));
      expect(await cell(code, 'completed')).toBe(vi.int(f.completed));
      expect(await cell(code, 'openWithinDeadline')).toBe(vi.int(f.openWithinDeadline));
      expect(await cell(code, 'openOverdue')).toBe(vi.int(f.openOverdue));
      expect(await cell(code, 'paused')).toBe(vi.int(f.paused));
    }
    const kpi = (k: string) => page.locator(`[data-testid="agency-summary"] [data-kpi="${k}"] .value`).textContent();
    const p = rows.get(PROVINCE);
    expect(await kpi('onTimeScore')).toBe(vi.score(p.onTimeScore));
    expect(await kpi('onTimeRate')).toBe(vi.rate(p.onTimeRate));
    expect(await kpi('lateRate')).toBe(vi.rate(p.lateRate));
    expect(await kpi('onlineRate')).toBe(vi.rate(p.onlineRate));
    expect(await kpi('received')).toBe(vi.int(p.received));
    expect(await kpi('overdue')).toBe(vi.int(p.openOverdue));
    expect(await kpi('paused')).toBe(vi.int(p.paused));
    // March 2025 in weeks: 1, 8, 15, 22, 29 March.
    expect(await page.locator('[data-testid="charts"]').getAttribute('data-buckets')).toBe('5');
    await shot('2-province');
  });

  it('drills down from the province to a commune and its dossier list', async () => {
    await page.click(`[data-testid="agency-tree"] tr[data-agency="${C1}"] a[data-testid="agency-link"]`);
    await page.waitForSelector(`[data-testid="agency-summary"][data-agency="${C1}"]`);
    const list = await t.request('GET', `/api/dossiers?agency=${C1}`, { token: monitor });
    expect(list.status).toBe(200);
    const apiCodes = (list.body.items ?? list.body.rows).map((x: { code: string }) => x.code).sort();
    expect(apiCodes).toEqual([codes.done, codes.open].sort());
    await page.waitForSelector(`[data-testid="dossier-list"] tr[data-dossier="${codes.open}"]`);
    const shown = await page.locator('[data-testid="dossier-list"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-dossier')));
    expect(shown.sort()).toEqual(apiCodes);
    expect(await page.locator(`[data-testid="dossier-list"] tr[data-dossier="${codes.done}"] td`).nth(3).textContent()).toBe('9 · Đã xử lý xong');
    // Breadcrumbs lead back up.
    expect(await page.locator('[data-testid="crumbs"]').textContent()).toContain('Tỉnh Hải Dương');
    await shot('3-commune');
    await page.click(`[data-testid="dossier-list"] tr[data-dossier="${codes.open}"] a`);
    await page.waitForSelector(`[data-testid="dossier"][data-dossier="${codes.open}"]`);
  });

  it('opens a dossier page with its history timeline, as the API tells it', async () => {
    await page.evaluate((c) => ((globalThis as any).location.hash = `#/dossier/${encodeURIComponent(c)}`), codes.paused);
    await page.waitForSelector(`[data-testid="dossier"][data-dossier="${codes.paused}"]`);
    const history = await t.request('GET', `/api/dossiers/${codes.paused}/history`, { token: monitor });
    expect(history.status).toBe(200);
    const items = page.locator('[data-testid="timeline"] > li');
    await expect(items.count()).resolves.toBe(history.body.events.length);
    expect(await items.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-type')))).toEqual(history.body.events.map((e: { type: string }) => e.type));
    expect(await items.nth(0).locator('.what').textContent()).toBe('Tiếp nhận hồ sơ');
    expect(await items.nth(1).locator('.what').textContent()).toBe('Yêu cầu bổ sung giấy tờ');
    // Status with its national code.
    expect(await page.locator('[data-fact="status"]').textContent()).toBe('5 · Yêu cầu bổ sung giấy tờ');
    await shot('4-dossier-timeline');

    // The English switch relabels everything, statuses included.
    await page.click('#lang');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-fact="status"]')?.textContent === '5 · Awaiting supplementation');
    expect(await page.locator('[data-testid="timeline"] > li').nth(0).locator('.what').textContent()).toBe('Received');
    await shot('5-dossier-timeline-en');
    await page.click('#lang');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-fact="status"]')?.textContent === '5 · Yêu cầu bổ sung giấy tờ');
  });

  (holiday ? it.skip : it)(
    `receives a live alert without reload and acknowledges it${holiday ? ` (skipped: ${holiday} is an official holiday)` : ''}`,
    async () => {
      await page.evaluate(() => {
        (globalThis as any).location.hash = '#/';
        (globalThis as any).__sameDocument = true;
      });
      await page.waitForSelector('#alert-status[data-state="live"]');
      // Appended as the counter API would, through the real decider, with a 24/7 calendar: due in ~2 s.
      const code = `${C1}-LIVE-0001`;
      await receiveAlwaysOpen(t.store, code, C1, secondsDeadline(2));
      const missed = page.locator(`#alert-list li[data-kind="deadline_missed"]`).filter({ has: page.locator(`a:text-is("${code}")`) });
      await missed.waitFor({ timeout: 15_000 });
      expect(await page.evaluate(() => (globalThis as any).__sameDocument)).toBe(true);
      expect(await missed.locator('.kind').textContent()).toBe('Quá hạn xử lý');
      await shot('6-live-alert');

      const id = await missed.getAttribute('data-alert-id');
      await missed.locator('button[data-testid="ack"]').click();
      await page.waitForSelector(`#alert-list li[data-alert-id="${id}"][data-status="acknowledged"]`);
      const alerts = await t.request('GET', '/api/alerts', { token: monitor });
      expect(alerts.status).toBe(200);
      const list: { id: string; status: string }[] = alerts.body.items ?? alerts.body.alerts ?? alerts.body;
      expect(list.find((a) => a.id === id)?.status ?? 'acknowledged (not listed as open)').toMatch(/^acknowledged/);
      await shot('7-acknowledged');
    },
    30_000,
  );

  it('raises no script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
