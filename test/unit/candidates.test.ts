import { addressCandidates, nameNetwork, tenantsOf } from '../../src/logic/allocation/candidates';
import type { Network } from '../../src/logic/core/model';

let nextId = 1;
const net = (p: Partial<Network>): Network => ({
  id: nextId++,
  name: `n${nextId}`,
  cidr: '10.0.0.0/24',
  family: 4,
  dataCenterId: 1,
  vlan: 10,
  vxlan: null,
  tenantId: null,
  priority: 100,
  zoneId: null,
  gateway: null,
  reservePool: false,
  namePattern: 'vm-{seq}',
  tags: {},
  holdDownSeconds: 0,
  ...p,
});

describe('the order networks are asked for an address', () => {
  const a = net({ name: 'a', priority: 20, tenantId: 1 });
  const b = net({ name: 'b', priority: 10, tenantId: 1 });
  const c = net({ name: 'c', priority: 20 });
  const v6 = net({ name: 'v6', family: 6, cidr: '2001:db8::/64' });
  const poolOnVlan = net({ name: 'pool-on-vlan', reservePool: true });
  const alt = net({ name: 'alt', vlan: 20, tenantId: 1 });
  const pool = net({ name: 'pool', vlan: null, reservePool: true, priority: 5 });

  test('VLAN networks by priority then name, then tenant alternates, then reserve pools', () => {
    const order = addressCandidates(4, [a, b, c, v6, poolOnVlan], [a, b, alt], [poolOnVlan, pool]);
    expect(order.map((x) => [x.network.name, x.source])).toEqual([
      ['b', 'VLAN'],
      ['a', 'VLAN'],
      ['c', 'VLAN'],
      ['alt', 'TENANT_ALTERNATE'],
      ['pool', 'RESERVE_POOL'],
      ['pool-on-vlan', 'RESERVE_POOL'],
    ]);
  });

  test('only networks of the requested family', () => {
    expect(addressCandidates(6, [a, v6], [], []).map((x) => x.network.name)).toEqual(['v6']);
  });

  test('tenants of the VLAN are those owning any of its networks', () => {
    expect(tenantsOf([a, b, c])).toEqual([1]);
  });

  test('a name-only request takes the first non-reserve VLAN network that has a zone', () => {
    const z1 = net({ name: 'z1', priority: 50, zoneId: 7 });
    const z0 = net({ name: 'z0', priority: 1, zoneId: 8, reservePool: true });
    expect(nameNetwork([a, z0, z1])?.name).toBe('z1');
    expect(nameNetwork([a, b])).toBeNull();
  });
});
