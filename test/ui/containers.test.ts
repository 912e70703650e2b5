/**
 * Containers in the web console over plain HTTP (a browser's forms, cookies and CSRF tokens): the
 * containers page draws each container's address map with its carved and hand-added networks and
 * its utilization; Allocate network goes form → confirmation (naming the prefix it will take) →
 * carve, and the confirmation posted twice carves once (the key is made with the form); Remove
 * container is refused while networks remain, with RemoveContainer's own sentence, and removes an
 * empty one; a tenant is refused the pages and forged posts.
 */
import { authOptions } from '../../src/api/operation';
import { addUser } from '../../src/logic/access/users';
import { addContainer, removeContainer } from '../../src/logic/topology/containers';
import { addDataCenter, addNetwork, addTenant } from '../../src/logic/topology/topology';
import { openTestStore, type TestStore } from '../support/backends';
import { launchBrowser, logIn as browserLogIn, newContext, watchErrors } from '../support/browser';
import { startServer, type RunningServer } from '../support/server';

const ADMIN = { username: 'ui-admin', password: 'console-carve-pass-1' };
const TENANT = { username: 'ui-tenant', password: 'console-carve-pass-2' };

let db: TestStore;
let s: RunningServer;

beforeAll(async () => {
  db = await openTestStore('postgres');
  await addDataCenter(db.store, 'dc1');
  await addTenant(db.store, 'acme');
  await addContainer(db.store, {
    name: 'web-plan',
    cidr: '10.80.0.0/22',
    dataCenter: 'dc1',
    tenant: 'acme',
    description: 'web tier',
  });
  await addNetwork(db.store, { name: 'hand-80', cidr: '10.80.0.0/24', dataCenter: 'dc1', vlan: 8 });
  await addUser(db.store, { ...ADMIN, role: 'admin' });
  await addUser(db.store, { ...TENANT, role: 'tenant', tenant: 'acme' });
  s = await startServer(db.store, { auth: authOptions(true) });
}, 30_000);
afterAll(async () => {
  await s?.close();
  await db?.dispose();
});

const cookieValue = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0] ?? '';
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

async function logIn(user: { username: string; password: string }): Promise<string> {
  const form = await fetch(`${s.base}/ui/login`, { redirect: 'manual' });
  const res = await fetch(`${s.base}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieValue(form, 'ipcd_login') },
    body: new URLSearchParams({
      _csrf: csrfOf(await form.text()),
      username: user.username,
      password: user.password,
      next: '/ui/',
    }),
  });
  return cookieValue(res, 'ipcd_session');
}

const get = (path: string, cookie: string) => fetch(`${s.base}${path}`, { redirect: 'manual', headers: { cookie } });
const post = (path: string, cookie: string, fields: Record<string, string>) =>
  fetch(`${s.base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
/** The hidden inputs of a page's form, as the browser would post them back. */
const hiddenOf = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
  );

test('the containers page draws the address map and utilization; Allocate network carves once however often it is confirmed', async () => {
  const cookie = await logIn(ADMIN);
  expect(await (await get('/ui/', cookie)).text()).toContain('href="/ui/containers"');
  let page = await (await get('/ui/containers', cookie)).text();
  expect(page).toContain('web-plan <span class="mono">10.80.0.0/22</span>');
  expect(page).toContain('aria-valuenow="25"'); // the /24 by hand in a /22
  expect(page).toMatch(
    /<rect class="seg hand" x="0.000" y="0" width="250.000" height="40"><title>hand-80 10.80.0.0\/24 \(VLAN 8\): added by hand<\/title><\/rect>/,
  );

  const form = await (await get('/ui/containers/web-plan/allocate', cookie)).text();
  const hidden = hiddenOf(form);
  expect(hidden.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  const fields = {
    ...hidden,
    name: 'web-1',
    prefixLength: '23',
    vlan: '81',
    vxlan: '',
    tenant: '',
    zone: '',
    tags: 'tier=web',
  };
  const review = await post('/ui/containers/web-plan/allocate', cookie, fields);
  expect(review.status).toBe(200);
  const confirm = await review.text();
  expect(confirm).toContain('right now that is 10.80.2.0/23');
  const again = hiddenOf(confirm);
  expect(again.idempotencyKey).toBe(hidden.idempotencyKey);

  const done = await post('/ui/containers/web-plan/allocate', cookie, { ...again, confirm: 'yes' });
  expect(done.status).toBe(303);
  expect(done.headers.get('location')).toBe('/ui/networks/web-1');
  // A second click on Confirm (the same form posted again): the same network, not a second one.
  const twice = await post('/ui/containers/web-plan/allocate', cookie, { ...again, confirm: 'yes' });
  expect(twice.headers.get('location')).toBe('/ui/networks/web-1');
  expect(decodeURIComponent(cookieValue(twice, 'ipcd_flash'))).toContain(
    'Already allocated web-1 (10.80.2.0/23) from container web-plan.',
  );
  expect(decodeURIComponent(cookieValue(done, 'ipcd_flash'))).toContain(
    'Allocated web-1 (10.80.2.0/23) from container web-plan.',
  );
  const net = await (await get('/ui/networks/web-1', cookie)).text();
  expect(net).toContain('10.80.2.0/23');
  const rows = await db.store.dataSource.query(`SELECT count(*)::int AS n FROM network WHERE cidr <<= '10.80.0.0/22'`);
  expect(rows[0].n).toBe(2);

  page = await (await get('/ui/containers', cookie)).text();
  expect(page).toContain('aria-valuenow="75"');
  expect(page).toMatch(
    /<rect class="seg carved" x="500.000" y="0" width="500.000" height="40"><title>web-1 10.80.2.0\/23 \(VLAN 81\): carved<\/title><\/rect>/,
  );

  // Full now: the confirmation says so, and confirming brings the form back with the fault.
  const full = await (
    await post('/ui/containers/web-plan/allocate', cookie, { ...fields, idempotencyKey: 'console-2', name: 'web-2' })
  ).text();
  expect(full).toContain('there is none left, so this will be refused (NO_FREE_PREFIX)');
  const refused = await post('/ui/containers/web-plan/allocate', cookie, { ...hiddenOf(full), confirm: 'yes' });
  expect(refused.status).toBe(409);
  expect(await refused.text()).toContain('NO_FREE_PREFIX');
});

test('Add container through the console; a tenant gets neither the page nor a forged post', async () => {
  const cookie = await logIn(ADMIN);
  const form = await (await get('/ui/new-container', cookie)).text();
  const fields = {
    _csrf: csrfOf(form),
    name: 'db-plan',
    cidr: '10.81.0.0/24',
    dataCenter: 'dc1',
    tenant: '',
    description: '',
  };
  expect(await (await post('/ui/new-container', cookie, fields)).text()).toContain(
    'Add container <strong>db-plan</strong>',
  );
  const done = await post('/ui/new-container', cookie, { ...fields, confirm: 'yes' });
  expect(done.headers.get('location')).toBe('/ui/containers');
  expect(await (await get('/ui/containers', cookie)).text()).toContain(
    'db-plan <span class="mono">10.81.0.0/24</span>',
  );

  const tenant = await logIn(TENANT);
  expect((await get('/ui/containers', tenant)).status).toBe(403);
  expect(await (await get('/ui/', tenant)).text()).not.toContain('href="/ui/containers"');
  const token = csrfOf(await (await get('/ui/', tenant)).text());
  const forged = await post('/ui/containers/db-plan/allocate', tenant, {
    _csrf: token,
    name: 'x',
    prefixLength: '26',
    idempotencyKey: 'forged',
    confirm: 'yes',
  });
  expect(forged.status).toBe(403);
  const audit = await db.store.dataSource.query(
    `SELECT actor, outcome FROM audit_log WHERE operation = 'AllocateNetwork' ORDER BY id DESC LIMIT 1`,
  );
  expect(audit).toEqual([{ actor: 'ui-tenant', outcome: 'ACCESS_DENIED' }]);
});

test("Remove container: refused with the SOAP operation's sentence while networks remain; an empty one goes", async () => {
  const cookie = await logIn(ADMIN);
  const page = await (await get('/ui/containers', cookie)).text();
  expect(page).toContain('href="/ui/containers/web-plan/remove"');
  expect(page).toContain('href="/ui/containers/db-plan/remove"');

  // web-plan still holds hand-80 and web-1.
  const form = await (await get('/ui/containers/web-plan/remove', cookie)).text();
  expect(form).toMatch(
    /still holds 2 networks: <a href="\/ui\/networks\/hand-80">hand-80<\/a>, <a href="\/ui\/networks\/web-1">web-1<\/a>/,
  );
  const csrf = { _csrf: csrfOf(form) };
  const review = await (await post('/ui/containers/web-plan/remove', cookie, csrf)).text();
  expect(review).toContain('It still holds 2 network(s), so this will be refused.');
  const refused = await post('/ui/containers/web-plan/remove', cookie, { ...csrf, confirm: 'yes' });
  expect(refused.status).toBe(409);
  // The very sentence RemoveContainer gives (the logic's; SOAP answers it too).
  const sentence = await removeContainer(db.store, 'web-plan').then(
    () => 'removed',
    (e: Error) => e.message,
  );
  expect(sentence).toMatch(/^container 'web-plan' still holds 2 network\(s\): hand-80 \(10.80.0.0\/24\), web-1/);
  const text = await refused.text();
  expect(text).toContain('CONFLICT');
  expect(text).toContain(sentence.replace(/'/g, '&#39;'));
  const left = async () =>
    (await db.store.dataSource.query(`SELECT name FROM container ORDER BY name`)).map((r: { name: string }) => r.name);
  expect(await left()).toEqual(['db-plan', 'web-plan']);

  // A tenant's forged post is refused by the logic, and audited.
  const tenant = await logIn(TENANT);
  expect((await get('/ui/containers/db-plan/remove', tenant)).status).toBe(403);
  const forged = await post('/ui/containers/db-plan/remove', tenant, {
    _csrf: csrfOf(await (await get('/ui/', tenant)).text()),
    confirm: 'yes',
  });
  expect(forged.status).toBe(403);
  expect(await left()).toEqual(['db-plan', 'web-plan']);

  // db-plan is empty: it goes.
  const empty = await (await get('/ui/containers/db-plan/remove', cookie)).text();
  expect(empty).toContain('holds no network.');
  expect(await (await post('/ui/containers/db-plan/remove', cookie, csrf)).text()).toContain(
    'Remove container <strong>db-plan</strong> <span class="mono">10.81.0.0/24</span> for good',
  );
  const done = await post('/ui/containers/db-plan/remove', cookie, { ...csrf, confirm: 'yes' });
  expect(done.status).toBe(303);
  expect(done.headers.get('location')).toBe('/ui/containers');
  expect(decodeURIComponent(cookieValue(done, 'ipcd_flash'))).toContain('Removed container db-plan (10.81.0.0/24).');
  expect(await (await get('/ui/containers', cookie)).text()).not.toContain('db-plan');
  expect(await left()).toEqual(['web-plan']);
  const audit = await db.store.dataSource.query(
    `SELECT actor, outcome FROM audit_log WHERE operation = 'RemoveContainer' AND object_id = 'db-plan' ORDER BY id`,
  );
  expect(audit).toEqual([
    { actor: 'ui-tenant', outcome: 'ACCESS_DENIED' },
    { actor: 'ui-admin', outcome: 'ok' },
  ]);
});

test('in Chromium: Remove on a container with networks shows the refusal; on an empty one it goes', async () => {
  await addContainer(db.store, { name: 'tmp-plan', cidr: '10.82.0.0/24', dataCenter: 'dc1' });
  const browser = await launchBrowser();
  try {
    const page = await (await newContext(browser)).newPage();
    const errors = watchErrors(page);
    await browserLogIn(page, s.base, ADMIN.username, ADMIN.password);
    const remove = async (name: string) => {
      await page.goto(`${s.base}/ui/containers`);
      await page
        .getByRole('navigation', { name: `Actions on container ${name}` })
        .getByRole('link', { name: 'Remove' })
        .click();
      await page.getByRole('button', { name: 'Review removal' }).click();
      await page.getByRole('button', { name: 'Confirm' }).click();
    };
    await remove('web-plan');
    const alert = await page.getByRole('alert').textContent();
    expect(alert).toContain(
      "Refused (CONFLICT). container 'web-plan' still holds 2 network(s): hand-80 (10.80.0.0/24), web-1",
    );
    await remove('tmp-plan');
    await page.waitForURL(`${s.base}/ui/containers`);
    expect(await page.content()).toContain('Removed container tmp-plan (10.82.0.0/24).');
    expect(await page.getByRole('heading', { name: /tmp-plan/ }).count()).toBe(0);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
  const rows = await db.store.dataSource.query(`SELECT name FROM container ORDER BY name`);
  expect(rows).toEqual([{ name: 'web-plan' }]);
}, 60_000);
