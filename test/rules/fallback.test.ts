/**
 * The order networks are asked for an address (the seed's flow chart): the VLAN's networks by
 * priority then name, then the tenant's alternates in the data center, then the reserve pools.
 */
import { commission } from '../../src/logic/allocation/commission';
import { decommission } from '../../src/logic/allocation/decommission';
import { addDataCenter, addNetwork, addTenant, addZone } from '../../src/logic/topology/topology';
import { world, type RuleWorld } from './support';

describe('fallback order', () => {
  let w: RuleWorld;
  const take = async (vlan: number, family: 4 | 6 = 4, serverInstance = `vm-${Math.random()}`) => {
    const r = await commission(w.store, {
      dataCenter: 'dc1',
      vlan,
      serverInstance,
      wantAddress: true,
      wantName: false,
      family,
    });
    return `${r.network.name} ${r.address} ${r.source}`;
  };

  beforeAll(async () => {
    w = world();
    await addDataCenter(w.store, 'dc1');
    await addDataCenter(w.store, 'dc2');
    await addZone(w.store, 'f.test');
    await addTenant(w.store, 'ta');
    await addTenant(w.store, 'tb');
    // VLAN 10: two /30s (one address each), the higher priority number asked second.
    await addNetwork(w.store, {
      name: 'v10-b',
      cidr: '10.10.1.0/30',
      dataCenter: 'dc1',
      vlan: 10,
      tenant: 'ta',
      priority: 20,
    });
    await addNetwork(w.store, {
      name: 'v10-a',
      cidr: '10.10.0.0/30',
      dataCenter: 'dc1',
      vlan: 10,
      tenant: 'ta',
      priority: 10,
    });
    await addNetwork(w.store, { name: 'v10-v6', cidr: '2001:db8:10::/126', dataCenter: 'dc1', vlan: 10, tenant: 'ta' });
    // Tenant ta's alternates elsewhere in dc1; same priority: by name.
    await addNetwork(w.store, { name: 'alt-y', cidr: '10.20.1.0/30', dataCenter: 'dc1', vlan: 20, tenant: 'ta' });
    await addNetwork(w.store, { name: 'alt-x', cidr: '10.20.0.0/30', dataCenter: 'dc1', vlan: 21, tenant: 'ta' });
    // Not alternates: another tenant's, and ta's in another data center.
    await addNetwork(w.store, { name: 'tb-net', cidr: '10.30.0.0/24', dataCenter: 'dc1', vlan: 30, tenant: 'tb' });
    await addNetwork(w.store, { name: 'ta-dc2', cidr: '10.40.0.0/24', dataCenter: 'dc2', vlan: 40, tenant: 'ta' });
    await addNetwork(w.store, { name: 'pool', cidr: '10.50.0.0/29', dataCenter: 'dc1', reservePool: true });
    await addNetwork(w.store, { name: 'pool-dc2', cidr: '10.50.0.0/29', dataCenter: 'dc2', reservePool: true });
  });
  afterAll(() => w.memory.close());

  test('VLAN first (priority, then name), then tenant alternates (by name), then the reserve pool, then NO_FREE_ADDRESS', async () => {
    const got: string[] = [];
    for (let i = 0; i < 9; i++) got.push(await take(10));
    expect(got).toEqual([
      'v10-a 10.10.0.2 VLAN',
      'v10-b 10.10.1.2 VLAN',
      'alt-x 10.20.0.2 TENANT_ALTERNATE',
      'alt-y 10.20.1.2 TENANT_ALTERNATE',
      'pool 10.50.0.2 RESERVE_POOL',
      'pool 10.50.0.3 RESERVE_POOL',
      'pool 10.50.0.4 RESERVE_POOL',
      'pool 10.50.0.5 RESERVE_POOL',
      'pool 10.50.0.6 RESERVE_POOL',
    ]);
    await expect(take(10)).rejects.toMatchObject({
      code: 'NO_FREE_ADDRESS',
      message: expect.stringContaining('5 candidate network(s)'),
    });
  });

  test("the family asked picks the networks: IPv6 stays on the VLAN's IPv6 network", async () => {
    expect(await take(10, 6)).toBe('v10-v6 2001:db8:10::2 VLAN');
    expect(await take(10, 6)).toBe('v10-v6 2001:db8:10::3 VLAN');
    // No IPv6 alternates or pools: full means full.
    await expect(take(10, 6)).rejects.toMatchObject({ code: 'NO_FREE_ADDRESS' });
  });

  test('a released VLAN address is asked before any fallback again', async () => {
    await decommission(w.store, {
      dataCenter: 'dc1',
      vlan: 10,
      address: '10.10.1.2',
      releaseAddress: true,
      releaseName: true,
    });
    expect(await take(10)).toBe('v10-b 10.10.1.2 VLAN');
  });

  test('an unknown VLAN or data center is refused before anything is taken', async () => {
    await expect(take(99)).rejects.toMatchObject({ code: 'UNKNOWN_VLAN' });
    await expect(
      commission(w.store, {
        dataCenter: 'nowhere',
        vlan: 10,
        serverInstance: 'x',
        wantAddress: true,
        wantName: false,
        family: 4,
      }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_DATA_CENTER' });
    await addNetwork(w.store, { name: 'dc2-v10', cidr: '10.60.0.0/29', dataCenter: 'dc2', vlan: 10 });
    await expect(
      commission(w.store, { vlan: 10, serverInstance: 'x', wantAddress: true, wantName: false, family: 4 }),
    ).rejects.toMatchObject({ code: 'AMBIGUOUS_VLAN' });
  });
});
