/** IPCD_METRICS_TOKEN: /metrics answers only the configured bearer token; the probes stay open. */
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';

describe('metrics behind a bearer token (embedded store)', () => {
  let db: TestStore;
  let server: RunningServer;
  const token = 'scrape-token-7f3a9c';
  beforeAll(async () => {
    db = await openTestStore('embedded');
    server = await startServer(db.store, { metricsToken: token });
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  test('no token or a wrong one: 401 with a Bearer challenge, and no metric in the body', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { Authorization: 'Bearer wrong' },
      { Authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` },
    ]) {
      const r = await fetch(`${server.base}/metrics`, { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(await r.text()).not.toContain('ipcd_');
    }
  });

  test('the token: the Prometheus text', async () => {
    const r = await fetch(`${server.base}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('# TYPE ipcd_');
  });

  test('liveness and readiness need no token', async () => {
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
  });
});
