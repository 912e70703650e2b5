/**
 * Behind a TLS-terminating proxy (IPCD_TRUST_PROXY): the WSDL names the address clients reach,
 * as the proxy forwarded it; without the setting forwarded headers are ignored, and a Host that
 * is not a host name is never echoed into the contract.
 */
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';

const address = (wsdl: string) => /<soap:address location="([^"]*)"/.exec(wsdl)?.[1];

describe('WSDL addresses and forwarded headers (embedded store)', () => {
  let db: TestStore;
  let trusting: RunningServer;
  let plain: RunningServer;
  beforeAll(async () => {
    db = await openTestStore('embedded');
    trusting = await startServer(db.store, { trustProxy: 'loopback' });
    plain = await startServer(db.store);
  });
  afterAll(async () => {
    await trusting?.close();
    await plain?.close();
    await db?.dispose();
  });

  const forwarded = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'ipcd.example.net' };

  test('a trusted proxy sets scheme and host of both services', async () => {
    for (const path of ['/ipcd', '/ipcd-admin']) {
      const wsdl = await (await fetch(`${trusting.base}${path}?wsdl`, { headers: forwarded })).text();
      expect(address(wsdl)).toBe(`https://ipcd.example.net${path}`);
    }
  });

  test('without IPCD_TRUST_PROXY the forwarded headers are ignored', async () => {
    const wsdl = await (await fetch(`${plain.url}?wsdl`, { headers: forwarded })).text();
    expect(address(wsdl)).toBe(plain.url);
  });

  test('a Host that is not a host name is not echoed into the WSDL', async () => {
    const wsdl = await (
      await fetch(`${trusting.url}?wsdl`, { headers: { 'X-Forwarded-Host': 'evil"/><x y="' } })
    ).text();
    expect(address(wsdl)).toBe('http://localhost/ipcd');
    expect(wsdl).not.toContain('evil');
  });
});
