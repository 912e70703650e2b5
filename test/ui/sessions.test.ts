/**
 * Console sessions over plain HTTP against two apps on one PostgreSQL database (as two ipcd
 * processes behind a load balancer would be): the cookie's attributes, login CSRF, a session
 * known to both, logout and idle expiry holding on both, a disabled user out at once, no open
 * redirect, and the live stream's first event.
 */
import { Client } from 'pg';
import { authOptions } from '../../src/api/operation';
import { addDataCenter, addNetwork, addTenant } from '../../src/logic/topology/topology';
import { addUser, disableUser } from '../../src/logic/access/users';
import { openStore, type OpenedStore } from '../../src/store/open';
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { call } from '../support/soap';

const USER = { username: 'sess-admin', password: 'session-test-pass-1' };
const IDLE_MS = 1500;

let db: TestStore;
let second: OpenedStore;
let a: RunningServer; // short idle timeout
let b: RunningServer; // another app on its own connection pool to the same database
let pg: Client;

beforeAll(async () => {
  db = await openTestStore('postgres');
  second = await openStore({ databaseUrl: db.url, poolSize: 2 });
  await addDataCenter(db.store, 'dc1');
  await addTenant(db.store, 'acme');
  await addNetwork(db.store, { name: 'n1', cidr: '10.9.0.0/24', dataCenter: 'dc1', vlan: 9, tenant: 'acme' });
  await addUser(db.store, { ...USER, role: 'admin' });
  a = await startServer(db.store, { auth: authOptions(true), console: { idleTimeoutMs: IDLE_MS } });
  b = await startServer(second.store, { auth: authOptions(true) });
  pg = new Client({ connectionString: db.url });
  await pg.connect();
}, 30_000);

afterAll(async () => {
  await pg?.end();
  await a?.close();
  await b?.close();
  await second?.store.close();
  await db?.dispose();
});

const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
const valueOf = (setCookie: string | undefined) => setCookie?.split(';')[0].split('=')[1] ?? '';

/** The login form's one-off token and its cookie, as a browser gets them. */
async function loginForm(base: string): Promise<{ token: string; cookie: string }> {
  const res = await fetch(`${base}/ui/login`, { redirect: 'manual' });
  const html = await res.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)![1];
  return { token, cookie: `ipcd_login=${valueOf(cookieOf(res, 'ipcd_login'))}` };
}

async function logIn(base: string, user = USER, next = '/ui/'): Promise<{ res: Response; session: string }> {
  const form = await loginForm(base);
  const res = await fetch(`${base}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
    body: new URLSearchParams({ _csrf: form.token, username: user.username, password: user.password, next }),
  });
  return { res, session: `ipcd_session=${valueOf(cookieOf(res, 'ipcd_session'))}` };
}

const get = (base: string, path: string, cookie?: string) =>
  fetch(`${base}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });

test('pages need a session: the dashboard redirects to the login form and comes back after', async () => {
  const res = await get(a.base, '/ui/networks/n1');
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/ui/login?next=%2Fui%2Fnetworks%2Fn1');
  expect((await get(a.base, '/ui/events')).status).toBe(401);
  const { res: login } = await logIn(a.base, USER, '/ui/networks/n1');
  expect(login.headers.get('location')).toBe('/ui/networks/n1');
});

test('the session cookie is HttpOnly, SameSite=Strict, limited to /ui; pages carry a strict CSP', async () => {
  const { res, session } = await logIn(a.base);
  expect(res.status).toBe(303);
  const set = cookieOf(res, 'ipcd_session')!;
  expect(set).toMatch(/; Path=\/ui; HttpOnly; SameSite=Strict/);
  expect(valueOf(set)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const page = await get(a.base, '/ui/', session);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(page.headers.get('cache-control')).toBe('no-store');
  // Only a hash of the token is stored.
  const rows = (await pg.query(`SELECT token_hash FROM ui_session`)).rows.map((r) => r.token_hash);
  expect(rows).not.toContain(valueOf(set));
  const audit = await pg.query(`SELECT operation, outcome FROM audit_log WHERE actor = $1 AND operation = 'Login'`, [
    USER.username,
  ]);
  expect(audit.rows.length).toBeGreaterThan(0);
});

test('the login form has its own CSRF token; a wrong password is refused without a session', async () => {
  const form = await loginForm(a.base);
  const forged = await fetch(`${a.base}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: USER.username, password: USER.password }),
  });
  expect(forged.status).toBe(403);
  expect(cookieOf(forged, 'ipcd_session')).toBeUndefined();
  const wrong = await fetch(`${a.base}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
    body: new URLSearchParams({ _csrf: form.token, username: USER.username, password: 'not-the-password-1' }),
  });
  expect(wrong.status).toBe(401);
  expect(await wrong.text()).toContain('The user name or password is not accepted.');
  expect(cookieOf(wrong, 'ipcd_session')).toBeUndefined();
});

test('no open redirect after login', async () => {
  for (const next of ['//evil.example/', 'https://evil.example/', '/ipcd', '/ui\\@evil']) {
    const { res } = await logIn(a.base, USER, next);
    expect(res.headers.get('location')).toBe('/ui/');
  }
});

test('a session is known to every process on the database, and a logout ends it on all of them', async () => {
  const { session } = await logIn(a.base);
  expect((await get(b.base, '/ui/', session)).status).toBe(200);
  const page = await (await get(b.base, '/ui/', session)).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
  const out = await fetch(`${b.base}/ui/logout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session },
    body: new URLSearchParams({ _csrf: csrf }),
  });
  expect(out.status).toBe(303);
  expect(cookieOf(out, 'ipcd_session')).toMatch(/Max-Age=0/);
  expect((await get(a.base, '/ui/', session)).status).toBe(303);
  expect((await get(b.base, '/ui/', session)).status).toBe(303);
});

test('a session idle longer than the timeout is gone; activity keeps it alive', async () => {
  const { session } = await logIn(a.base);
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, IDLE_MS / 2));
    expect((await get(a.base, '/ui/', session)).status).toBe(200);
  }
  await new Promise((r) => setTimeout(r, IDLE_MS + 300));
  const res = await get(a.base, '/ui/', session);
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/ui/login?next=%2Fui%2F&expired=1');
  expect(await (await get(a.base, '/ui/login?expired=1')).text()).toContain(
    'Your session ended after a period of inactivity',
  );
});

test('disabling a user ends its sessions at once', async () => {
  const other = { username: 'sess-victim', password: 'session-test-pass-2' };
  await addUser(db.store, { ...other, role: 'admin' });
  const { session } = await logIn(b.base, other);
  expect((await get(b.base, '/ui/', session)).status).toBe(200);
  await disableUser(db.store, other.username, true);
  expect((await get(b.base, '/ui/', session)).status).toBe(303);
});

test('the live stream starts with the usage of the networks the user may see', async () => {
  const { session } = await logIn(b.base);
  const res = await get(b.base, '/ui/events', session);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('event: usage')) text += new TextDecoder().decode((await reader.read()).value);
  while (!/event: usage\ndata: .*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
  const data = JSON.parse(/event: usage\ndata: (.*)\n\n/.exec(text)![1]);
  expect(data.networks).toEqual([
    { id: expect.any(Number), used: '0', assignable: '253', reserved: '0', held: '0', free: '253', percent: 0 },
  ]);
  expect(data.tenants).toEqual([{ tenant: 'acme', networks: 1, used: '0', assignable: '253', percent: 0 }]);
  await reader.cancel();
});

test('the guessing limit is the SOAP one: failed console logins lock that user out of both, from this address', async () => {
  const guessed = { username: 'sess-guessed', password: 'session-test-pass-3' };
  await addUser(db.store, { ...guessed, role: 'admin' });
  const c = await startServer(db.store, {
    auth: authOptions(true, undefined, undefined, { max: 2, windowMs: 60_000 }),
  });
  try {
    for (let i = 0; i < 2; i++)
      expect((await logIn(c.base, { ...guessed, password: 'not-the-password-1' })).res.status).toBe(401);
    const blocked = await logIn(c.base, guessed);
    expect(blocked.res.status).toBe(429);
    expect(await blocked.res.text()).toContain('Too many failed attempts');
    const soap = await call(c.url, 'ListAllocations', {}, guessed);
    expect(soap.fault?.code).toBe('AUTHENTICATION_FAILED');
    expect(soap.fault?.message).toMatch(/too many failed attempts/);
    // Another user from the same address is not affected.
    expect((await logIn(c.base, USER)).res.status).toBe(303);
  } finally {
    await c.close();
  }
});
