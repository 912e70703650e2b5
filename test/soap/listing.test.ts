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
    for (let i = 0; i < 23; i++) ok(await call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: `vm-${i}`, wantName: i % 2 === 0 }));
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
    expect(everywhere.map((x) => `${field(x, 'dataCenter')}/${field(x, 'vlan')}/${field(x, 'intent')}`).sort()).toEqual(['dc1/100/IPv4', 'dc1/200/NAME', 'dc2/100/IPv4']);
  });

  test('bad paging and unknown data centers are refused', async () => {
    expect((await list({ pageSize: 0 })).fault?.code).toBe('INVALID_REQUEST');
    expect((await list({ pageSize: 1001 })).fault?.code).toBe('INVALID_REQUEST');
    expect((await list({ after: 'not-a-cursor' })).fault?.code).toBe('INVALID_REQUEST');
    expect((await list({ dataCenter: 'dc9' })).fault?.code).toBe('UNKNOWN_DATA_CENTER');
  });
});
