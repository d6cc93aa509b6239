/**
 * The monitor dashboard (issue 8) in a real browser: Debian's Chromium driven by playwright-core,
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
import { startTestApp, TestApp } from './support/app';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard browser tests skipped: ${CHROMIUM} not found (.ci/run installs Debian's chromium: apt-get install -y chromium)`);
const d = hasChromium ? describe : describe.skip;

// The figures of the period below: March 2025, Viet Nam dates.
const PERIOD = { from: '2025-03-01', to: '2025-03-31' };
const T0 = '2025-03-03T09:00:00+07:00';
const PROVINCE = 'H30';
const C1 = 'H30.C1';
const C2 = 'H30.C2';
const PROC = 'P.CT';

/** The page's number formats (js/i18n.js), rebuilt here with the same Intl calls. */
const vi = {
  int: (n: number) => new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 }).format(n),
  rate: (r: number | null) => (r === null ? '—' : new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(r * 100) + ' %'),
  score: (s: number | null) => (s === null ? '—' : new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(s)),
};

d('monitor dashboard in Chromium (SQLite, real Redis)', () => {
  let t: TestApp;
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
    t = await startTestApp({ store: 'sqlite' });
    const admin = await t.token('admin', undefined, { sub: 'admin-1' });
    const ok = async (path: string, body: unknown, token = admin) => {
      const r = await t.request('POST', path, { token, body });
      if (r.status !== 201 && r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
      return r.body;
    };
    await ok('/api/agencies', { code: PROVINCE, name: 'Tỉnh Hải Dương', level: 'province' });
    await ok('/api/agencies', { code: C1, name: 'Xã Kim Anh', level: 'commune', parentCode: PROVINCE });
    await ok('/api/agencies', { code: C2, name: 'Xã Tân Dân', level: 'commune', parentCode: PROVINCE });
    await ok('/api/procedures', { code: PROC, name: 'Chứng thực bản sao', deadlineValue: 1, deadlineUnit: 'working_days', paymentPausesClock: false });
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

    profile = mkdtempSync(join(tmpdir(), 'motcua-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1366, height: 768 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 60_000);

  afterAll(async () => {
    await ctx?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
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
    expect(await page.evaluate(() => sessionStorage.getItem('motcua.token'))).toBe(monitor);
    expect(await page.evaluate(() => typeof (window as unknown as { Chart?: unknown }).Chart)).toBe('function');
  });

  it('opens a dossier page with its history timeline, as the API tells it', async () => {
    await page.evaluate((c) => (location.hash = `#/dossier/${encodeURIComponent(c)}`), codes.paused);
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
    await page.waitForFunction(() => document.querySelector('[data-fact="status"]')?.textContent === '5 · Awaiting supplementation');
    expect(await page.locator('[data-testid="timeline"] > li').nth(0).locator('.what').textContent()).toBe('Received');
    await shot('5-dossier-timeline-en');
    await page.click('#lang');
    await page.waitForFunction(() => document.querySelector('[data-fact="status"]')?.textContent === '5 · Yêu cầu bổ sung giấy tờ');
  });

  it('raises no script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
