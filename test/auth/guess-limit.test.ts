/**
 * The guessing limit: failed logins per (client address, user name) are counted in the database,
 * so two servers on one database share the count; past the limit even the right password is
 * refused (unchecked) until the window passes, while other users and other addresses go on.
 */
import { authOptions, type AuthOptions } from '../../src/api/operation';
import { addUser } from '../../src/logic/access/users';
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { envelope, readReply, type Credentials } from '../support/soap';
import { loadFlowTopology } from '../support/topology';

describe('guessing limit across two servers on one database (postgres store)', () => {
  let db: TestStore;
  let a: RunningServer;
  let b: RunningServer;
  let authA: AuthOptions;
  let authB: AuthOptions;
  const limit = { max: 3, windowMs: 60_000 };
  const right: Credentials = { username: 'orch', password: 'orchestrator-password-1' };
  const wrong: Credentials = { username: 'orch', password: 'a-wrong-password-1' };

  beforeAll(async () => {
    db = await openTestStore('postgres');
    await loadFlowTopology(db.store);
    await addUser(db.store, {
      username: 'orch',
      password: right.password,
      role: 'orchestrator',
      grants: [{ dataCenter: 'dc1' }],
    });
    await addUser(db.store, {
      username: 'orch2',
      password: 'orchestrator-password-2',
      role: 'orchestrator',
      grants: [{ dataCenter: 'dc1' }],
    });
    authA = authOptions(true, undefined, undefined, limit);
    authB = authOptions(true, undefined, undefined, limit);
    a = await startServer(db.store, { auth: authA, trustProxy: 'loopback' });
    b = await startServer(db.store, { auth: authB, trustProxy: 'loopback' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.dispose();
  });

  /** ListAllocations as the given user, from the given (forwarded) client address. */
  const list = async (server: RunningServer, creds: Credentials, from = '192.0.2.10') => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: '"http://ipcd.example.org/ns/commissioning/v1/ListAllocations"',
        'X-Forwarded-For': from,
      },
      body: envelope('ListAllocations', { dataCenter: 'dc1' }, creds),
    });
    return readReply(res.status, await res.text());
  };
  const failures = async () => Number((await db.store.dataSource.query(`SELECT count(*) AS n FROM auth_failure`))[0].n);

  test('failures on either server count together; then even the right password waits', async () => {
    expect((await list(a, right)).fault).toBeUndefined();
    expect((await list(a, wrong)).fault?.message).toMatch(/not accepted/);
    expect((await list(b, wrong)).fault?.message).toMatch(/not accepted/);
    expect((await list(a, wrong)).fault?.message).toMatch(/not accepted/);
    expect(await failures()).toBe(3);
    for (const server of [a, b]) {
      const r = await list(server, right);
      expect(r.fault?.code).toBe('AUTHENTICATION_FAILED');
      expect(r.fault?.message).toMatch(/too many failed attempts/);
    }
    // Refused unchecked: the blocked attempts are not counted again.
    expect(await failures()).toBe(3);
  });

  test('the limit binds one address and one user name only', async () => {
    expect((await list(a, right, '192.0.2.99')).fault).toBeUndefined();
    expect((await list(b, { username: 'orch2', password: 'orchestrator-password-2' })).fault).toBeUndefined();
  });

  test('after the window the right password works again; old failures are pruned by the next one', async () => {
    const later = () => new Date(Date.now() + limit.windowMs + 1000);
    authA.settings.now = later;
    try {
      // A fresh Created for the shifted clock.
      expect((await list(a, { ...right, created: later().toISOString() })).fault).toBeUndefined();
      expect((await list(a, { ...wrong, created: later().toISOString() })).fault?.message).toMatch(/not accepted/);
      expect(await failures()).toBe(1);
    } finally {
      delete authA.settings.now;
    }
  });
});
