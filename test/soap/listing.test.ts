/** ListAllocations: what is issued, filtered and paged, for reconciliation against live instances. */
import { all, call, type SoapReply, type XmlNode } from '../support/soap';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { loadExampleTopology } from '../../src/example/topology';

const field = (n: XmlNode, name: string) => n.children.find((c) => c.name === name)?.text;
const ok = (r: SoapReply) => {
  if (r.fault) throw new Error(`unexpected fault ${r.fault.code}: ${r.fault.message}`);
  return r;
};

describe.each(BACKENDS)('ListAllocations (%s store)', (backend) => {
  let db: TestStore;
  let server: RunningServer;
  const list = (f: Record<string, string | number | undefined>) => call(server.url, 'ListAllocations', f);

  beforeAll(async () => {
    db = await openTestStore(backend);
    await loadExampleTopology(db.store);
    server = await startServer(db.store);
    for (let i = 0; i < 23; i++)
      ok(
        await call(server.url, 'CommissionIP', {
          dataCenter: 'dc1',
          vlan: 100,
          serverInstance: `vm-${i}`,
          wantName: i % 2 === 0,
        }),
      );
    ok(await call(server.url, 'NameOnly', { vlan: 200, serverInstance: 'vm-0' }));
    ok(await call(server.url, 'CommissionIP', { dataCenter: 'dc2', vlan: 100, serverInstance: 'vm-0' }));
    ok(await call(server.url, 'DecommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-22' }));
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  test('pages through every active allocation exactly once', async () => {
    const seen: XmlNode[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const r = ok(await list({ pageSize: 10, after }));
      seen.push(...all(r.body, 'allocation'));
      after = r.values.nextPage;
      pages++;
    } while (after && pages < 10);
    expect(pages).toBe(3); // 24 active: 10 + 10 + 4
    expect(seen).toHaveLength(24);
    expect(new Set(seen.map((a) => field(a, 'allocationId'))).size).toBe(24);
    expect(seen.map((a) => field(a, 'serverInstance'))).not.toContain('vm-22');
  });

  test('filters by data center, VLAN and server instance, and shows what each holds', async () => {
    const r = ok(await list({ dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-0' }));
    const [a] = all(r.body, 'allocation');
    expect(all(r.body, 'allocation')).toHaveLength(1);
    expect(field(a, 'address')).toBe('10.0.0.2');
    expect(field(a, 'fqdn')).toMatch(/^vm-\d+\.dc1\.example\.com$/);
    expect(field(a, 'intent')).toBe('IPv4');
    expect(field(a, 'network')).toBe('dc1-v100-a');
    expect(new Date(field(a, 'createdAt')!).getTime()).toBeGreaterThan(Date.now() - 600_000);
    expect(r.values.nextPage).toBeUndefined();
    const everywhere = all(ok(await list({ serverInstance: 'vm-0' })).body, 'allocation');
    expect(everywhere.map((x) => `${field(x, 'dataCenter')}/${field(x, 'vlan')}/${field(x, 'intent')}`).sort()).toEqual(
      ['dc1/100/IPv4', 'dc1/200/NAME', 'dc2/100/IPv4'],
    );
  });

  test('one order for every client: data center, VLAN, then address numerically (IPv4, IPv6, name only)', async () => {
    ok(
      await call(server.url, 'CommissionIP', {
        dataCenter: 'dc1',
        vlan: 100,
        serverInstance: 'vm-6a',
        addressFamily: 'IPv6',
      }),
    );
    ok(
      await call(server.url, 'CommissionIP', {
        dataCenter: 'dc1',
        vlan: 100,
        serverInstance: 'vm-6b',
        addressFamily: 'IPv6',
      }),
    );
    ok(await call(server.url, 'NameOnly', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-name' }));
    ok(await call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 200, serverInstance: 'vm-200' }));
    // vm-22's address is free again: the next commission takes it, out of creation order.
    ok(await call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: 'vm-late' }));
    const keys: string[] = [];
    let after: string | undefined;
    do {
      const r = ok(await list({ pageSize: 4, after }));
      keys.push(
        ...all(r.body, 'allocation').map(
          (a) =>
            `${field(a, 'dataCenter')} ${field(a, 'vlan')} ${field(a, 'address') ?? '-'} ${field(a, 'serverInstance')}`,
        ),
      );
      after = r.values.nextPage;
    } while (after);
    // 10.0.0.10 after 10.0.0.9, not after 10.0.0.1 as text would have it.
    const v4 = Array.from({ length: 22 }, (_, i) => `dc1 100 10.0.0.${i + 2} vm-${i}`);
    expect(keys).toEqual([
      ...v4,
      'dc1 100 10.0.0.24 vm-late', // vm-22's released address, issued again
      'dc1 100 2001:db8:100::2 vm-6a',
      'dc1 100 2001:db8:100::3 vm-6b',
      'dc1 100 - vm-name',
      'dc1 200 10.20.0.2 vm-200',
      'dc1 200 - vm-0',
      'dc2 100 10.0.0.2 vm-0',
    ]);
  });

  test('bad paging and unknown data centers are refused', async () => {
    expect((await list({ pageSize: 0 })).fault?.code).toBe('INVALID_REQUEST');
    expect((await list({ pageSize: 1001 })).fault?.code).toBe('INVALID_REQUEST');
    expect((await list({ after: 'not-a-cursor' })).fault?.code).toBe('INVALID_REQUEST');
    expect((await list({ dataCenter: 'dc9' })).fault?.code).toBe('UNKNOWN_DATA_CENTER');
  });
});
