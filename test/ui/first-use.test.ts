/**
 * The console as a new user meets it, in real headless Chromium against a real server process on
 * a brand-new embedded store with the example topology and some traffic: IPv6 counts as powers of
 * two (server-rendered and live), one time convention (UTC, said on the page) even in a browser
 * set to another zone, no sideways scrolling at 420 px with utilization in view, and the address
 * map naming each never-issued address. Saves the screenshots at 1400 and 420 px; with
 * IPCD_UPDATE_DOCS=1 also to docs/ (the README shows those).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, watchErrors } from '../support/browser';
import { ensureBuilt, REPO_ROOT, startServerProcesses, type ServerProcesses } from '../support/processes';
import { ADMIN_NS, call, type Credentials } from '../support/soap';

jest.setTimeout(180_000);

const ADMIN: Credentials = { username: 'admin', password: 'first-use-admin-pass' };
const ORCH: Credentials = { username: 'orch', password: 'first-use-orch-pass' };

let dir: string;
let servers: ServerProcesses;
let base: string;
let browser: Browser;
const errors: string[] = [];

async function soap(
  endpoint: 'ipcd' | 'ipcd-admin',
  op: string,
  fields: Parameters<typeof call>[2],
  who: Credentials,
): Promise<void> {
  const r = await call(`${base}/${endpoint}`, op, fields, who, endpoint === 'ipcd' ? undefined : ADMIN_NS);
  if (r.fault) throw new Error(`${op}: ${r.fault.code}: ${r.fault.message}`);
}

/** A page logged in as admin, at the given width, in a browser whose clock is not on UTC. */
async function adminPage(width: number): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    locale: 'en-US',
    timezoneId: 'Pacific/Auckland',
  });
  const page = await context.newPage();
  errors.push(...watchErrors(page));
  await page.goto(`${base}/ui/`);
  await page.getByLabel('User name').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/ui/`);
  return page;
}

const rowText = (p: Page, network: string) =>
  p.locator('tr', { has: p.getByRole('link', { name: network, exact: true }) }).locator('.usage-text');

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ipcd-first-use-'));
  servers = await startServerProcesses(
    1,
    {
      DATABASE_URL: '',
      IPCD_DATA_DIR: join(dir, 'data'),
      IPCD_ADMIN_USER: ADMIN.username,
      IPCD_ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
    },
    { readyTimeoutMs: 150_000 },
  );
  base = servers.urls[0].replace(/\/ipcd$/, '');
  // Some traffic on the example topology, by an orchestrator the administrator adds while the server runs.
  await soap(
    'ipcd-admin',
    'AddUser',
    {
      username: ORCH.username,
      password: ORCH.password,
      role: 'orchestrator',
      grant: [{ dataCenter: 'dc1' }, { dataCenter: 'dc2' }],
    },
    ADMIN,
  );
  for (let i = 1; i <= 40; i++)
    await soap(
      'ipcd',
      'CommissionIP',
      { dataCenter: 'dc1', vlan: 100, serverInstance: `web-${i}`, wantName: true },
      ORCH,
    );
  for (let i = 1; i <= 12; i++)
    await soap('ipcd', 'CommissionIP', { dataCenter: 'dc1', vlan: 200, serverInstance: `db-${i}` }, ORCH);
  for (let i = 1; i <= 6; i++)
    await soap('ipcd', 'CommissionIP', { dataCenter: 'dc2', vlan: 100, serverInstance: `batch-${i}` }, ORCH);
  for (let i = 1; i <= 3; i++)
    await soap(
      'ipcd',
      'CommissionIP',
      { dataCenter: 'dc1', vlan: 100, serverInstance: `web-${i}`, addressFamily: 'IPv6' },
      ORCH,
    );
  await soap(
    'ipcd-admin',
    'ReserveRange',
    { network: 'dc1-v100-a', first: '10.0.0.200', last: '10.0.0.219', note: 'load balancers' },
    ADMIN,
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await servers?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(errors).toEqual([]);
});

test('IPv6 counts read as powers of two, rendered and live; times are UTC, and the page says so', async () => {
  const page = await adminPage(1400);
  await expect(rowText(page, 'dc1-v100-v6').textContent()).resolves.toMatch(/^3 \/ 2⁶⁴ − 2 · 0\.0%$/);
  expect(await page.locator('main').innerText()).not.toMatch(/\de\d/);
  await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 10_000 });
  await soap(
    'ipcd',
    'CommissionIP',
    { dataCenter: 'dc1', vlan: 100, serverInstance: 'web-4', addressFamily: 'IPv6' },
    ORCH,
  );
  // The live script repaints with its own formatting: the same notation.
  await rowText(page, 'dc1-v100-v6').locator('.used', { hasText: /^4$/ }).waitFor({ timeout: 10_000 });
  await expect(rowText(page, 'dc1-v100-v6').textContent()).resolves.toMatch(/^4 \/ 2⁶⁴ − 2 · 0\.0%$/);
  // Auckland is 12 or 13 hours off UTC: a browser-local label could not match the UTC clock.
  const label = (await page.locator('#live-status .text').textContent()) ?? '';
  const [, hms] = /^Live · updated (\d\d:\d\d:\d\d) UTC$/.exec(label) ?? [];
  expect(hms).toBeDefined();
  const skew = Math.abs(Date.parse(`${new Date().toISOString().slice(0, 10)}T${hms}Z`) - Date.now()) % (24 * 3600_000);
  expect(Math.min(skew, 24 * 3600_000 - skew)).toBeLessThan(60_000);
  await expect(page.locator('footer').textContent()).resolves.toContain('all times are UTC');
  await page.evaluate('document.querySelectorAll(".flash-update").forEach((e) => e.classList.remove("flash-update"))');
  const shot = await screenshot(page, 'console-1400');
  if (process.env.IPCD_UPDATE_DOCS === '1') copyFileSync(shot, join(REPO_ROOT, 'docs', 'console-1400.png'));
  await page.context().close();
});

test('at 420 px nothing scrolls sideways and every utilization bar is in view', async () => {
  const page = await adminPage(420);
  for (const path of ['/ui/', '/ui/networks/dc1-v100-a']) {
    await page.goto(`${base}${path}`);
    const { scroll, client } = (await page.evaluate(
      '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
    )) as { scroll: number; client: number };
    expect({ path, scroll }).toEqual({ path, scroll: client });
  }
  await page.goto(`${base}/ui/`);
  const cells = page.locator('table.networks .usage');
  expect(await cells.count()).toBe(6);
  for (const box of await cells.evaluateAll((els) =>
    els.map((e) => e.getBoundingClientRect().toJSON() as { left: number; right: number; width: number }),
  )) {
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.right).toBeLessThanOrEqual(420);
    expect(box.width).toBeGreaterThan(200);
  }
  await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 10_000 });
  const shot = await screenshot(page, 'console-420');
  if (process.env.IPCD_UPDATE_DOCS === '1') copyFileSync(shot, join(REPO_ROOT, 'docs', 'console-420.png'));
  await page.context().close();
});

test('the address map names each address it never issues', async () => {
  const page = await adminPage(1400);
  const ranges = async (network: string) => {
    await page.goto(`${base}/ui/networks/${network}`);
    return (await page.locator('table.ranges tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
  };
  const v4 = await ranges('dc1-v100-a');
  expect(v4[0]).toBe('10.0.0.0 – 10.0.0.1 network (10.0.0.0), gateway (10.0.0.1) 2');
  expect(v4[v4.length - 1]).toBe('10.0.0.255 broadcast 1');
  expect(await page.locator('svg.map title').first().textContent()).toBe(
    '10.0.0.0 – 10.0.0.1: network (10.0.0.0), gateway (10.0.0.1) (2)',
  );
  const v6 = await ranges('dc1-v100-v6');
  expect(v6[0]).toBe(
    '2001:db8:100:: – 2001:db8:100::1 subnet-router anycast (2001:db8:100::), gateway (2001:db8:100::1) 2',
  );
  expect(v6[v6.length - 1]).toBe('2001:db8:100::6 – 2001:db8:100:0:ffff:ffff:ffff:ffff free 2⁶⁴ − 6');
  const shot = await screenshot(page, 'console-network-1400');
  if (process.env.IPCD_UPDATE_DOCS === '1') copyFileSync(shot, join(REPO_ROOT, 'docs', 'console-network.png'));
  await page.context().close();
});
