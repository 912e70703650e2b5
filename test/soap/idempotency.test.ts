/**
 * Orchestrators retry on timeouts: a retried CommissionIP for the same server instance must get
 * the same allocation back, never a second address — also when the retries race each other.
 */
import { call, type SoapReply } from '../support/soap';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { loadFlowTopology } from '../support/topology';

const ok = (r: SoapReply) => {
  if (r.fault) throw new Error(`unexpected fault ${r.fault.code}: ${r.fault.message}`);
  return r.values;
};

describe.each(BACKENDS)('idempotent commissioning (%s store)', (backend) => {
  let db: TestStore;
  let server: RunningServer;
  const commission = (f: Record<string, string | number | boolean | undefined>) =>
    call(server.url, 'CommissionIP', { dataCenter: 'dc1', ...f });
  const active = async (instance: string) =>
    (await db.store.dataSource.query(
      `SELECT host(address) AS address, name, intent FROM allocation WHERE server_instance = $1 AND released_at IS NULL ORDER BY intent`,
      [instance],
    )) as {
      address: string | null;
      name: string | null;
      intent: string;
    }[];

  beforeAll(async () => {
    db = await openTestStore(backend);
    await loadFlowTopology(db.store);
    server = await startServer(db.store);
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  test('a repeated CommissionIP returns the same address and name, flagged existing', async () => {
    const first = ok(await commission({ vlan: 30, serverInstance: 'vm-a', wantName: false }));
    const again = ok(await commission({ vlan: 30, serverInstance: 'vm-a' }));
    expect(first.existing).toBe('false');
    expect(again).toMatchObject({
      existing: 'true',
      address: first.address,
      allocationId: first.allocationId,
      network: 'v30',
    });
    expect(await active('vm-a')).toHaveLength(1);
  });

  test('racing duplicate requests for one instance produce exactly one allocation', async () => {
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => commission({ vlan: 30, serverInstance: 'vm-race' })),
    );
    const values = replies.map(ok);
    expect(new Set(values.map((v) => v.allocationId)).size).toBe(1);
    expect(new Set(values.map((v) => v.address)).size).toBe(1);
    expect(values.filter((v) => v.existing === 'false')).toHaveLength(1);
    expect(await active('vm-race')).toHaveLength(1);
  });

  test('names too: racing NameOnly retries yield one name', async () => {
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(server.url, 'NameOnly', { dataCenter: 'dc1', vlan: 10, serverInstance: 'vm-name' }),
      ),
    );
    expect(new Set(replies.map((r) => ok(r).fqdn)).size).toBe(1);
    expect(await active('vm-name')).toHaveLength(1);
  });

  test('dual stack: one IPv4 and one IPv6 allocation per instance, each idempotent', async () => {
    const v4 = ok(await commission({ vlan: 10, serverInstance: 'vm-dual', wantName: true }));
    const v6 = ok(await commission({ vlan: 10, serverInstance: 'vm-dual', addressFamily: 'IPv6' }));
    expect(v6.address).toMatch(/^2001:db8:10::/);
    expect(ok(await commission({ vlan: 10, serverInstance: 'vm-dual', addressFamily: 'IPv6' })).address).toBe(
      v6.address,
    );
    expect(ok(await commission({ vlan: 10, serverInstance: 'vm-dual', wantName: true })).fqdn).toBe(v4.fqdn);
    expect((await active('vm-dual')).map((a) => a.intent)).toEqual(['IPv4', 'IPv6']);
  });

  test('a retry asking for more than the instance holds is refused with CONFLICT, not a second address', async () => {
    const r = await commission({ vlan: 30, serverInstance: 'vm-a', wantName: true });
    expect(r.fault?.code).toBe('CONFLICT');
    expect(r.fault?.message).toMatch(/already holds/);
    expect(await active('vm-a')).toHaveLength(1);
  });

  test('decommission by instance releases everything it holds; a repeat confirms nothing is left', async () => {
    const rel = ok(
      await call(server.url, 'DecommissionIP', {
        dataCenter: 'dc1',
        vlan: 10,
        serverInstance: 'vm-dual',
        reason: 'MIGRATED',
      }),
    );
    expect(rel.releasedCount).toBe('2');
    expect(
      ok(await call(server.url, 'DecommissionIP', { dataCenter: 'dc1', vlan: 10, serverInstance: 'vm-dual' }))
        .releasedCount,
    ).toBe('0');
    expect(await active('vm-dual')).toHaveLength(0);
    const reasons = await db.store.dataSource.query(
      `SELECT DISTINCT release_reason FROM allocation WHERE server_instance = 'vm-dual'`,
    );
    expect(reasons).toEqual([{ release_reason: 'MIGRATED' }]);
    // after release the instance may commission afresh
    expect(ok(await commission({ vlan: 10, serverInstance: 'vm-dual' })).existing).toBe('false');
  });

  test('an unknown release reason is refused', async () => {
    const r = await call(server.url, 'DecommissionIP', {
      dataCenter: 'dc1',
      vlan: 10,
      serverInstance: 'vm-dual',
      reason: 'EXPLODED',
    });
    expect(r.fault?.code).toBe('INVALID_REQUEST');
  });
});
