/**
 * The web console end to end, in real headless Chromium against the real server on PostgreSQL:
 * live bars moved by a SOAP client in another process talking to another ipcd process, split and
 * merge from the network page, a tenant's restricted read-only view (and its forged management
 * post refused by the logic), and a post without the CSRF token refused.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Client } from 'pg';
import { authOptions } from '../../src/api/operation';
import { searchAllocations } from '../../src/logic/reporting/search';
import { addDataCenter, addNetwork, addTenant, addZone } from '../../src/logic/topology/topology';
import { addUser } from '../../src/logic/access/users';
import { openTestStore, type TestStore } from '../support/backends';
import { launchBrowser, logIn, newContext, screenshot, watchErrors } from '../support/browser';
import { REPO_ROOT, runNode, startServerProcesses, type ServerProcesses } from '../support/processes';
import { startServer, type RunningServer } from '../support/server';

const CLI = join(REPO_ROOT, 'dist', 'src', 'client', 'cli.js');
const ADMIN = { username: 'ops-admin', password: 'console-admin-pass-1' };
const TENANT = { username: 'acme-viewer', password: 'console-tenant-pass-1' };
const ORCH = { username: 'orch', password: 'console-orch-pass-01' };

let db: TestStore;
let server: RunningServer;
let other: ServerProcesses;
let browser: Browser;
let admin: BrowserContext;
let page: Page;
let errors: string[];
let pg: Client;

/** CommissionIP by the compiled ipcd-client in a child process, against the OTHER ipcd process. */
async function commission(instance: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, IPCD_USER: ORCH.username, IPCD_PASSWORD: ORCH.password };
  delete env.NODE_OPTIONS;
  const run = await runNode(
    CLI,
    ['commission', '--url', other.urls[0], '--dc', 'dc1', '--vlan', '100', '--instance', instance, '--name', '--json'],
    { env },
  );
  if (run.code !== 0) throw new Error(`ipcd-client exited ${run.code}: ${run.stderr}${run.stdout}`);
}

const barText = (p: Page, name: string) =>
  p.locator('tr', { has: p.getByRole('link', { name, exact: true }) }).locator('.usage-text');

beforeAll(async () => {
  db = await openTestStore('postgres');
  await addDataCenter(db.store, 'dc1');
  await addZone(db.store, 'dc1.test');
  await addTenant(db.store, 'acme');
  await addTenant(db.store, 'globex');
  await addNetwork(db.store, {
    name: 'acme-a',
    cidr: '10.1.0.0/24',
    dataCenter: 'dc1',
    vlan: 100,
    tenant: 'acme',
    zone: 'dc1.test',
    priority: 10,
    tags: { env: 'prod' },
  });
  await addNetwork(db.store, {
    name: 'acme-b',
    cidr: '10.1.1.0/24',
    dataCenter: 'dc1',
    vlan: 100,
    tenant: 'acme',
    zone: 'dc1.test',
    priority: 20,
  });
  await addNetwork(db.store, {
    name: 'acme-v6',
    cidr: '2001:db8:100::/64',
    dataCenter: 'dc1',
    vlan: 100,
    tenant: 'acme',
    zone: 'dc1.test',
  });
  await addNetwork(db.store, {
    name: 'globex-n',
    cidr: '10.2.0.0/24',
    dataCenter: 'dc1',
    vlan: 200,
    tenant: 'globex',
    zone: 'dc1.test',
  });
  await addUser(db.store, { ...ADMIN, role: 'admin' });
  await addUser(db.store, { ...TENANT, role: 'tenant', tenant: 'acme' });
  await addUser(db.store, { ...ORCH, role: 'orchestrator', grants: [{ dataCenter: 'dc1' }] });
  server = await startServer(db.store, { auth: authOptions(true) });
  other = await startServerProcesses(1, { DATABASE_URL: db.url!, LOG_LEVEL: 'warn', IPCD_DB_POOL: '3' });
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  browser = await launchBrowser();
  admin = await newContext(browser);
  page = await admin.newPage();
  errors = watchErrors(page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await pg?.end();
  await other?.stop();
  await server?.close();
  await db?.dispose();
});

test('admin logs in and sees every network grouped by data center and VLAN', async () => {
  await logIn(page, server.base, ADMIN.username, ADMIN.password);
  await expect(page.getByRole('heading', { name: 'Data center dc1' }).count()).resolves.toBe(1);
  for (const n of ['acme-a', 'acme-b', 'acme-v6', 'globex-n'])
    await expect(page.getByRole('link', { name: n, exact: true }).count()).resolves.toBe(1);
  await expect(page.locator('caption', { hasText: 'VLAN 100' }).count()).resolves.toBe(1);
  await expect(barText(page, 'acme-a').textContent()).resolves.toContain('0 / 253');
  await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 5000 });
});

test('a SOAP client in another process, via another ipcd process, moves the bar without a reload', async () => {
  // Marks the page (a reload would lose it) and remembers when acme-a's count changes.
  await page.evaluate(`(() => {
    window.notReloaded = true;
    const used = document.querySelector('table.networks a[href="/ui/networks/acme-a"]').closest('tr').querySelector('.used');
    new MutationObserver(() => (window.changedAt = Date.now())).observe(used, { childList: true, characterData: true, subtree: true });
  })()`);
  await commission('vm-live-1');
  await commission('vm-live-2');
  const done = Date.now();
  await commission('vm-live-3');
  const third = Date.now();
  await barText(page, 'acme-a').locator('.used', { hasText: /^3$/ }).waitFor({ timeout: 5000 });
  const changedAt = (await page.evaluate('window.changedAt')) as number;
  process.stderr.write(
    `console live update: bar showed the 3rd commission ${changedAt - third} ms after ipcd-client exited\n`,
  );
  expect(await page.evaluate('window.notReloaded')).toBe(true);
  expect(done).toBeLessThan(third);
  await expect(barText(page, 'acme-a').textContent()).resolves.toMatch(/3 \/ 253 · 1\.2%/);
  await expect(page.locator('[data-tenant="acme"] .used').textContent()).resolves.toBe('3');
  await expect(page.locator('#total-used').textContent()).resolves.toBe('3');
  await screenshot(page, 'dashboard');
});

test('the network page shows attributes, tags, the address map as ranges, and the allocations; admin reserves a range', async () => {
  await page.getByRole('link', { name: 'acme-a', exact: true }).click();
  await page.waitForURL(/\/ui\/networks\/acme-a$/);
  await expect(page.locator('h1').textContent()).resolves.toContain('10.1.0.0/24');
  await expect(page.locator('.attrs').textContent()).resolves.toMatch(/Tenant\s*acme/);
  await expect(page.locator('.tags').textContent()).resolves.toContain('prod');
  const rows = await page.locator('table.allocations tbody tr').allInnerTexts();
  expect(rows).toHaveLength(3);
  expect(rows.join('\n')).toMatch(/10\.1\.0\.3\s+vm-\d{6}\.dc1\.test\s+vm-live-2/);

  await page.getByRole('link', { name: 'Reserve addresses' }).click();
  await page.getByLabel('First address').fill('10.1.0.100');
  await page.getByLabel('Last address').fill('10.1.0.119');
  await page.getByLabel('Note').fill('load balancers');
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.locator('.confirm').textContent()).resolves.toContain('(20 addresses)');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForURL(/\/ui\/networks\/acme-a$/);
  await expect(page.locator('.flash').textContent()).resolves.toBe('Reserved 10.1.0.100 – 10.1.0.119.');
  const ranges = await page.locator('table.ranges tbody tr').allInnerTexts();
  expect(ranges.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
    '10.1.0.0 – 10.1.0.1 network (10.1.0.0), gateway (10.1.0.1) 2',
    '10.1.0.2 – 10.1.0.4 allocated 3',
    '10.1.0.5 – 10.1.0.99 free 95',
    '10.1.0.100 – 10.1.0.119 reserved 20',
    '10.1.0.120 – 10.1.0.254 free 135',
    '10.1.0.255 broadcast 1',
  ]);
  await expect(page.locator('.attrs').textContent()).resolves.toMatch(/Reserved\s*20/);
  await screenshot(page, 'network');
});

test('a refusal comes back as the logic said it: removing a network in use without force', async () => {
  await page.getByRole('link', { name: 'Remove' }).click();
  await page.getByRole('button', { name: 'Review removal' }).click();
  await expect(page.locator('.confirm').textContent()).resolves.toContain('3 active allocation(s)');
  await page.getByRole('button', { name: 'Confirm' }).click();
  const alert = page.getByRole('alert');
  await expect(alert.textContent()).resolves.toMatch(
    /Refused \(NETWORK_IN_USE\)\. network 'acme-a' still has 3 active allocation\(s\)/,
  );
  expect((await pg.query(`SELECT count(*)::int AS n FROM network WHERE name = 'acme-a'`)).rows[0].n).toBe(1);
});

test('admin splits a network: the children appear, each with its allocations', async () => {
  await page.goto(`${server.base}/ui/networks/acme-a/split`);
  await page.getByLabel('New prefix length').fill('25');
  await page.getByRole('button', { name: 'Review split' }).click();
  const preview = (await page.locator('.confirm tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
  expect(preview).toEqual(['acme-a-1 10.1.0.0/25 3', 'acme-a-2 10.1.0.128/25 0']);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForURL(/\/ui\/\?dc=dc1&vlan=100$/);
  await expect(page.locator('.flash').textContent()).resolves.toContain(
    'Split acme-a into acme-a-1 (10.1.0.0/25), acme-a-2 (10.1.0.128/25)',
  );
  await expect(barText(page, 'acme-a-1').textContent()).resolves.toMatch(/^3 \/ 125/);
  await expect(barText(page, 'acme-a-2').textContent()).resolves.toMatch(/^0 \/ 126/);
  await page.getByRole('link', { name: 'acme-a-1', exact: true }).click();
  const rows = await page.locator('table.allocations tbody tr').allTextContents();
  expect(rows.map((r) => r.match(/10\.1\.0\.\d+/)![0]).sort()).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4']);
  const moved = await searchAllocations(db.store, { network: 'acme-a-1' });
  expect(moved.allocations).toHaveLength(3);
});

test('admin merges them back', async () => {
  await page.getByRole('link', { name: 'Merge' }).click();
  await page.getByLabel('acme-a-2').check();
  await page.getByLabel('Name of the merged network').fill('acme-a');
  await page.getByRole('button', { name: 'Review merge' }).click();
  await expect(page.locator('.confirm').textContent()).resolves.toContain('acme-a-1, acme-a-2');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForURL(/\/ui\/networks\/acme-a$/);
  await expect(page.locator('h1').textContent()).resolves.toContain('10.1.0.0/24');
  await expect(page.locator('table.allocations tbody tr').count()).resolves.toBe(3);
  const names = (await pg.query(`SELECT name FROM network WHERE name LIKE 'acme-a%' ORDER BY name`)).rows.map(
    (r) => r.name,
  );
  expect(names).toEqual(['acme-a']);
});

test('a form post without the CSRF token is refused and changes nothing', async () => {
  const res = await page.request.post(`${server.base}/ui/networks/acme-b/remove`, {
    form: { confirm: 'yes' },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(403);
  expect(await res.text()).toMatch(/CSRF token is missing or wrong/);
  const wrong = await page.request.post(`${server.base}/ui/networks/acme-b/remove`, {
    form: { confirm: 'yes', _csrf: 'x'.repeat(43) },
    maxRedirects: 0,
  });
  expect(wrong.status()).toBe(403);
  expect((await pg.query(`SELECT count(*)::int AS n FROM network WHERE name = 'acme-b'`)).rows[0].n).toBe(1);
});

test('search finds an allocation by server instance and by address; audit and usage pages answer', async () => {
  await page.goto(`${server.base}/ui/`);
  await page.getByLabel('Search by address, name or server instance').fill('vm-live-2');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/ui\/search\?q=vm-live-2$/);
  await expect(page.locator('section[aria-labelledby="sa"] tbody tr').allInnerTexts()).resolves.toEqual([
    expect.stringMatching(/^10\.1\.0\.3\s+vm-\d{6}\.dc1\.test\s+vm-live-2\s+acme-a/),
  ]);
  await page.goto(`${server.base}/ui/search?q=10.1.0.3`);
  await expect(page.locator('section[aria-labelledby="sn"] tbody th').allInnerTexts()).resolves.toEqual(['acme-a']);
  await page.goto(`${server.base}/ui/audit?operation=SplitNetwork`);
  await expect(page.locator('table.audit tbody tr').first().innerText()).resolves.toMatch(
    /ops-admin.*SplitNetwork.*ok/s,
  );
  await page.goto(`${server.base}/ui/usage`);
  await expect(page.locator('table.usage-table tbody tr').first().innerText()).resolves.toMatch(
    /^acme\s+\d{4}-\d{2}-\d{2}\s+3\s/,
  );
  const csv = await page.request.get(`${server.base}/ui/usage.csv?tenant=acme`);
  expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
  expect(await csv.text()).toMatch(/^tenant,day,allocations,address_hours\r\nacme,\d{4}-\d{2}-\d{2},3,/);
});

describe('a tenant', () => {
  let ctx: BrowserContext;
  let tp: Page;
  beforeAll(async () => {
    ctx = await newContext(browser);
    tp = await ctx.newPage();
  });
  afterAll(() => ctx?.close());

  test('sees only its own networks and no management controls', async () => {
    await logIn(tp, server.base, TENANT.username, TENANT.password);
    const links = await tp.locator('table.networks tbody th a').allTextContents();
    expect(links.sort()).toEqual(['acme-a', 'acme-b', 'acme-v6']);
    await expect(tp.getByRole('link', { name: 'Add network' }).count()).resolves.toBe(0);
    await expect(tp.locator('select#f-tenant option').allTextContents()).resolves.toEqual(['All', 'acme']);
    await tp.getByRole('link', { name: 'acme-a', exact: true }).click();
    await tp.waitForURL(/\/ui\/networks\/acme-a$/);
    await expect(tp.locator('table.allocations tbody tr').count()).resolves.toBe(3);
    await expect(tp.locator('.toolbar').count()).resolves.toBe(0);
    await expect(tp.locator('form[method="post"]').count()).resolves.toBe(1); // logout only
    expect((await tp.goto(`${server.base}/ui/networks/globex-n`))!.status()).toBe(404);
    expect((await tp.goto(`${server.base}/ui/networks/acme-a/split`))!.status()).toBe(403);
    expect((await tp.goto(`${server.base}/ui/search?q=10.2.0.2`))!.status()).toBe(200);
    await expect(tp.locator('section[aria-labelledby="sn"] tbody tr').count()).resolves.toBe(0);
    // Four networks were added; the tenant's audit log shows the three of its own tenant.
    expect((await tp.goto(`${server.base}/ui/audit?operation=AddNetwork`))!.status()).toBe(200);
    await expect(tp.locator('table.audit tbody tr').count()).resolves.toBe(3);
    expect((await tp.goto(`${server.base}/ui/usage`))!.status()).toBe(200);
    await expect(tp.locator('select#f-tenant option').allTextContents()).resolves.toEqual(['All', 'acme']);
  });

  test('a management post with its own valid CSRF token is refused by the logic, and audited', async () => {
    await tp.goto(`${server.base}/ui/`);
    const csrf = await tp.locator('input[name="_csrf"]').first().getAttribute('value');
    const res = await tp.request.post(`${server.base}/ui/networks/acme-a/split`, {
      form: { _csrf: csrf!, prefixLength: '25', confirm: 'yes' },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain('ACCESS_DENIED');
    const row = await pg.query(`SELECT outcome FROM audit_log WHERE actor = $1 AND operation = 'SplitNetwork'`, [
      TENANT.username,
    ]);
    expect(row.rows).toEqual([{ outcome: 'ACCESS_DENIED' }]);
    expect((await pg.query(`SELECT cidr::text FROM network WHERE name = 'acme-a'`)).rows[0].cidr).toBe('10.1.0.0/24');
  });
});

test('the pages ran without script errors or CSP violations', () => {
  expect(errors).toEqual([]);
});
