/**
 * Every branch of the seed's commissioning flow, through the real HTTP server with real SOAP
 * envelopes, on both storage backends. The steps share one store and run in order.
 */
import { all, call, type SoapReply } from '../support/soap';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { loadFlowTopology } from '../support/topology';

const ok = (r: SoapReply) => {
  if (r.fault) throw new Error(`unexpected fault ${r.fault.code}: ${r.fault.message}`);
  expect(r.status).toBe(200);
  return r.values;
};
const faultCode = (r: SoapReply) => {
  expect(r.status).toBe(500);
  expect(r.fault?.message).toBeTruthy();
  return r.fault?.code;
};

describe.each(BACKENDS)('commissioning flow over SOAP (%s store)', (backend) => {
  let db: TestStore;
  let server: RunningServer;
  const commission = (f: Record<string, string | number | boolean | undefined>) =>
    call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 10, ...f });
  const decommission = (f: Record<string, string | number | boolean | undefined>) =>
    call(server.url, 'DecommissionIP', { dataCenter: 'dc1', vlan: 10, ...f });
  const activeCount = async () =>
    Number((await db.store.dataSource.query(`SELECT count(*) AS n FROM allocation WHERE released_at IS NULL`))[0].n);

  beforeAll(async () => {
    db = await openTestStore(backend);
    await loadFlowTopology(db.store);
    server = await startServer(db.store);
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  test('a VLAN not tagged to any network is refused with UNKNOWN_VLAN', async () => {
    const r = await commission({ vlan: 99, serverInstance: 'vm-x' });
    expect(faultCode(r)).toBe('UNKNOWN_VLAN');
    expect(r.fault?.message).toMatch(/VLAN 99/);
    expect(r.fault?.faultcode).toMatch(/Client$/);
  });

  test('a VLAN number used in two data centers needs the data center', async () => {
    expect(faultCode(await commission({ dataCenter: undefined, serverInstance: 'vm-x' }))).toBe('AMBIGUOUS_VLAN');
  });

  test('address only: the first network on the VLAN, gateway and network address skipped', async () => {
    const v = ok(await commission({ serverInstance: 'vm-1' }));
    expect(v).toMatchObject({
      network: 'v10-a',
      dataCenter: 'dc1',
      vlan: '10',
      source: 'VLAN',
      address: '10.1.0.2',
      prefixLength: '30',
      gateway: '10.1.0.1',
    });
    expect(v.allocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(v.name).toBeUndefined();
    expect(v.fqdn).toBeUndefined();
  });

  test('when the first network is full, the next network on the same VLAN', async () => {
    expect(ok(await commission({ serverInstance: 'vm-2' }))).toMatchObject({
      network: 'v10-b',
      address: '10.1.1.2',
      source: 'VLAN',
    });
  });

  test('when the VLAN is full, an alternate network of the same tenant', async () => {
    expect(ok(await commission({ serverInstance: 'vm-3' }))).toMatchObject({
      network: 't1-alt',
      address: '10.2.0.2',
      source: 'TENANT_ALTERNATE',
      vlan: '20',
    });
  });

  test('when the tenant is full too, the reserve pool', async () => {
    expect(ok(await commission({ serverInstance: 'vm-4' }))).toMatchObject({
      network: 'reserve',
      address: '10.9.0.2',
      source: 'RESERVE_POOL',
    });
  });

  test('when everything is full: NO_FREE_ADDRESS, and nothing is written', async () => {
    const before = await activeCount();
    const r = await commission({ serverInstance: 'vm-5', wantName: true });
    expect(faultCode(r)).toBe('NO_FREE_ADDRESS');
    expect(r.fault?.message).toMatch(/VLAN 10.*dc1/);
    expect(await activeCount()).toBe(before);
  });

  test('the same prefix on the same VLAN number in another data center is a separate network', async () => {
    expect(ok(await commission({ dataCenter: 'dc2', serverInstance: 'vm-dc2' }))).toMatchObject({
      network: 'dc2-v10',
      address: '10.1.0.2',
      dataCenter: 'dc2',
    });
  });

  test('release of an address is immediate: the same address is issued again at once', async () => {
    const r = await decommission({ address: '10.1.0.2' });
    const v = ok(r);
    expect(v.releasedCount).toBe('1');
    const released = all(r.body, 'released');
    expect(released).toHaveLength(1);
    expect(released[0].children.find((c) => c.name === 'address')?.text).toBe('10.1.0.2');
    expect(released[0].children.find((c) => c.name === 'network')?.text).toBe('v10-a');
    // dc2's 10.1.0.2 is untouched
    expect(
      ok(
        await call(server.url, 'DecommissionIP', {
          dataCenter: 'dc2',
          vlan: 10,
          address: '10.1.0.2',
          releaseAddress: false,
          releaseName: true,
        }),
      ).releasedCount,
    ).toBe('0');
    expect(ok(await commission({ serverInstance: 'vm-6', wantName: true }))).toMatchObject({
      address: '10.1.0.2',
      network: 'v10-a',
    });
  });

  test('address and name: a generated unique name in the network’s default zone', async () => {
    await decommission({ serverInstance: 'vm-6' });
    const v = ok(await commission({ serverInstance: 'vm-7', wantName: true }));
    expect(v).toMatchObject({ address: '10.1.0.2', zone: 'dc1.test' });
    expect(v.name).toMatch(/^vm-\d{6}$/);
    expect(v.fqdn).toBe(`${v.name}.dc1.test`);
  });

  test('name only: NameOnly issues a name and no address; names are unique in the zone', async () => {
    const a = ok(await call(server.url, 'NameOnly', { dataCenter: 'dc1', vlan: 10, serverInstance: 'vm-8' }));
    const b = ok(await commission({ serverInstance: 'vm-9', wantAddress: false, wantName: true }));
    expect(a).toMatchObject({ network: 'v10-a', zone: 'dc1.test' });
    expect(a.fqdn).toBe(`${a.name}.dc1.test`);
    expect(b.address).toBeUndefined();
    expect(b.name).not.toBe(a.name);
    const names = await db.store.dataSource.query(
      `SELECT name FROM allocation WHERE name IS NOT NULL AND name_released_at IS NULL`,
    );
    expect(new Set(names.map((n: { name: string }) => n.name)).size).toBe(names.length);
  });

  test('a hostname hint is used when free, and made unique when taken', async () => {
    const a = ok(
      await call(server.url, 'NameOnly', {
        dataCenter: 'dc1',
        vlan: 10,
        serverInstance: 'web-a',
        hostnameHint: 'Web01',
      }),
    );
    const b = ok(
      await call(server.url, 'NameOnly', {
        dataCenter: 'dc1',
        vlan: 10,
        serverInstance: 'web-b',
        hostnameHint: 'web01',
      }),
    );
    expect(a.fqdn).toBe('web01.dc1.test');
    expect(b.name).toMatch(/^web01-\d+$/);
  });

  test('release of a name only, by FQDN: the address stays issued', async () => {
    const both = await db.store.dataSource.query(
      `SELECT host(address) AS address, name FROM allocation WHERE server_instance = 'vm-7' AND released_at IS NULL`,
    );
    const r = ok(await decommission({ name: `${both[0].name}.dc1.test`, releaseAddress: false }));
    expect(r.releasedCount).toBe('1');
    const still = await db.store.dataSource.query(
      `SELECT host(address) AS address, name_released_at, address_released_at FROM allocation WHERE server_instance = 'vm-7'`,
    );
    expect(still[0].address).toBe('10.1.0.2');
    expect(still[0].address_released_at).toBeNull();
    expect(still[0].name_released_at).not.toBeNull();
    // the name is free again: the hint takes it
    expect(
      ok(
        await call(server.url, 'NameOnly', {
          dataCenter: 'dc1',
          vlan: 10,
          serverInstance: 'vm-10',
          hostnameHint: both[0].name,
        }),
      ).name,
    ).toBe(both[0].name);
  });

  test('release of address and name together, by server instance', async () => {
    const v = ok(await commission({ vlan: 30, serverInstance: 'vm-11' }));
    const n = ok(await call(server.url, 'NameOnly', { dataCenter: 'dc1', vlan: 10, serverInstance: 'vm-11' }));
    expect(v.address).toBe('10.3.0.2');
    const rel = await decommission({ vlan: 10, serverInstance: 'vm-11' });
    expect(ok(rel).releasedCount).toBe('1'); // the VLAN 10 name; the VLAN 30 address belongs to VLAN 30
    expect(all(rel.body, 'released')[0].children.find((c) => c.name === 'fqdn')?.text).toBe(n.fqdn);
    expect(ok(await decommission({ vlan: 30, serverInstance: 'vm-11' })).releasedCount).toBe('1');
    expect(ok(await decommission({ vlan: 30, serverInstance: 'vm-11' })).releasedCount).toBe('0');
  });

  test('release by address of something never issued: NOT_FOUND', async () => {
    expect(faultCode(await decommission({ address: '10.1.1.3' }))).toBe('NOT_FOUND');
    expect(faultCode(await decommission({ name: 'nope.dc1.test' }))).toBe('NOT_FOUND');
  });

  test('a VLAN unique to one data center needs no data center', async () => {
    expect(ok(await call(server.url, 'CommissionIP', { vlan: 30, serverInstance: 'vm-12' }))).toMatchObject({
      dataCenter: 'dc1',
      network: 'v30',
    });
  });

  test('a name from a network with no default zone: NO_ZONE, and the address is not consumed', async () => {
    const before = await activeCount();
    expect(faultCode(await commission({ vlan: 30, serverInstance: 'vm-13', wantName: true }))).toBe('NO_ZONE');
    expect(await activeCount()).toBe(before);
    expect(ok(await commission({ vlan: 30, serverInstance: 'vm-13' })).address).toBe('10.3.0.3');
  });

  test('IPv6: an address from the VLAN’s /64, name in the same zone; released and reissued', async () => {
    const v = ok(await commission({ serverInstance: 'vm-v6', addressFamily: 'IPv6', wantName: true }));
    expect(v).toMatchObject({
      network: 'v10-v6',
      address: '2001:db8:10::2',
      prefixLength: '64',
      gateway: '2001:db8:10::1',
      zone: 'dc1.test',
    });
    const w = ok(await commission({ serverInstance: 'vm-v6b', addressFamily: 'IPv6' }));
    expect(w.address).toBe('2001:db8:10::3');
    expect(ok(await decommission({ address: '2001:DB8:10:0::2' })).releasedCount).toBe('1');
    expect(ok(await commission({ serverInstance: 'vm-v6c', addressFamily: 'IPv6' })).address).toBe('2001:db8:10::2');
  });

  test('a request that asks for nothing, or releases nothing, is refused', async () => {
    expect(faultCode(await commission({ serverInstance: 'vm-z', wantAddress: false, wantName: false }))).toBe(
      'INVALID_REQUEST',
    );
    expect(faultCode(await decommission({ serverInstance: 'vm-z', releaseAddress: false, releaseName: false }))).toBe(
      'INVALID_REQUEST',
    );
    expect(faultCode(await decommission({}))).toBe('INVALID_REQUEST');
  });

  test('an operation ipcd does not offer: UNSUPPORTED_OPERATION', async () => {
    expect(faultCode(await call(server.url, 'ResizeDisk', { vlan: 10 }))).toBe('UNSUPPORTED_OPERATION');
  });

  test('the WSDL is served with the endpoint address it was fetched from', async () => {
    const res = await fetch(`${server.url}?wsdl`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`<soap:address location="${server.url}"/>`);
    expect(text).toContain('name="CommissionIP"');
  });
});
