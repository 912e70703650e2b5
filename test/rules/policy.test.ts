/**
 * Who may commission where (src/logic/access/policy.ts, applied by the flows): admins anywhere,
 * orchestrators within their grants (a data center, a tenant, or both), tenants never; management
 * is for admins; every refusal leaves its audit row.
 */
import { commission } from '../../src/logic/allocation/commission';
import { release } from '../../src/logic/allocation/decommission';
import { addDataCenter, addNetwork, addTenant } from '../../src/logic/topology/topology';
import type { Grant } from '../../src/logic/access/policy';
import { as, world, type RuleWorld } from './support';

describe('policy', () => {
  let w: RuleWorld;
  let dc1: number;
  let dc2: number;
  let ta: number;
  let tb: number;
  const orch = (grants: Grant[]) => as('orch', 'orchestrator', grants);
  const take = (vlan: number, dataCenter: string, grants: Grant[] | 'tenant' | 'admin') =>
    commission(
      w.store,
      { dataCenter, vlan, serverInstance: `vm-${Math.random()}`, wantAddress: true, wantName: false, family: 4 },
      grants === 'admin' ? as('root', 'admin') : grants === 'tenant' ? as('ten', 'tenant', [], ta) : orch(grants),
    );

  beforeAll(async () => {
    w = world();
    dc1 = (await addDataCenter(w.store, 'dc1')).id;
    dc2 = (await addDataCenter(w.store, 'dc2')).id;
    ta = (await addTenant(w.store, 'ta')).id;
    tb = (await addTenant(w.store, 'tb')).id;
    await addNetwork(w.store, { name: 'ta-1', cidr: '10.1.0.0/24', dataCenter: 'dc1', vlan: 1, tenant: 'ta' });
    await addNetwork(w.store, { name: 'tb-1', cidr: '10.2.0.0/24', dataCenter: 'dc1', vlan: 2, tenant: 'tb' });
    await addNetwork(w.store, { name: 'ta-2', cidr: '10.3.0.0/24', dataCenter: 'dc2', vlan: 1, tenant: 'ta' });
  });
  afterAll(() => w.memory.close());

  test('admins commission anywhere', async () => {
    expect((await take(1, 'dc1', 'admin')).network.name).toBe('ta-1');
    expect((await take(1, 'dc2', 'admin')).network.name).toBe('ta-2');
  });

  test('a data-center grant covers every VLAN there and nothing elsewhere', async () => {
    expect((await take(2, 'dc1', [{ dataCenterId: dc1, tenantId: null }])).network.name).toBe('tb-1');
    await expect(take(1, 'dc2', [{ dataCenterId: dc1, tenantId: null }])).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
  });

  test("a tenant grant covers that tenant's VLANs in every data center, another tenant's in none", async () => {
    expect((await take(1, 'dc2', [{ dataCenterId: null, tenantId: ta }])).network.name).toBe('ta-2');
    await expect(take(2, 'dc1', [{ dataCenterId: null, tenantId: ta }])).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
    // Both named: only that tenant in that data center.
    await expect(take(1, 'dc2', [{ dataCenterId: dc1, tenantId: ta }])).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
    expect(
      (
        await take(1, 'dc1', [
          { dataCenterId: dc1, tenantId: ta },
          { dataCenterId: dc2, tenantId: tb },
        ])
      ).network.name,
    ).toBe('ta-1');
  });

  test('tenant users and orchestrators without a grant may not commission or release', async () => {
    await expect(take(1, 'dc1', 'tenant')).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    await expect(take(1, 'dc1', [])).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    await expect(
      release(
        w.store,
        { dataCenter: 'dc1', vlan: 1, serverInstance: 'any', releaseAddress: true, releaseName: true },
        orch([{ dataCenterId: dc2, tenantId: null }]),
      ),
    ).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
  });

  test('management is for admins; the refusal is audited and nothing is added', async () => {
    await expect(
      addNetwork(
        w.store,
        { name: 'sneaky', cidr: '10.9.0.0/24', dataCenter: 'dc1', vlan: 9 },
        orch([{ dataCenterId: null, tenantId: null }]),
      ),
    ).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    const rows = await w.memory.transaction((tx) =>
      tx.audit.listAudit({ operation: 'AddNetwork', newestFirst: true, limit: 1 }),
    );
    expect(rows[0]).toMatchObject({ actor: 'orch', outcome: 'ACCESS_DENIED', objectId: 'sneaky' });
    expect(await w.memory.transaction((tx) => tx.topology.networkByName('sneaky'))).toBeNull();
    const denied = await w.memory.transaction((tx) =>
      tx.audit.listAudit({ operation: 'CommissionIP', actor: 'ten', limit: 10 }),
    );
    expect(denied.map((r) => r.outcome)).toEqual(['ACCESS_DENIED']);
  });
});
