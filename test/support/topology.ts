/**
 * A small topology that makes every branch of the commissioning flow reachable in a few calls:
 * /30 networks hold exactly one assignable address (network, gateway and broadcast excluded).
 *
 *  dc1 VLAN 10: v10-a 10.1.0.0/30 (prio 10), v10-b 10.1.1.0/30 (prio 20), v10-v6 2001:db8:10::/64 — tenant t1, zone dc1.test
 *  dc1 VLAN 20: t1-alt 10.2.0.0/30 — tenant t1 (the alternate), zone dc1.test
 *  dc1 VLAN 30: v30 10.3.0.0/29 — no zone
 *  dc1 no VLAN: reserve 10.9.0.0/30 — reserve pool, zone dc1.test
 *  dc2 VLAN 10: dc2-v10 10.1.0.0/30 — zone dc2.test (same VLAN number and prefix as dc1)
 */
import type { Store } from '../../src/store/store';
import { addDataCenter, addNetwork, addTenant, addZone } from '../../src/logic/topology/topology';

export async function loadFlowTopology(store: Store): Promise<void> {
  await addDataCenter(store, 'dc1');
  await addDataCenter(store, 'dc2');
  await addZone(store, 'dc1.test');
  await addZone(store, 'dc2.test');
  await addTenant(store, 't1');
  await addTenant(store, 't2');
  const dc1 = { dataCenter: 'dc1', zone: 'dc1.test' };
  await addNetwork(store, { ...dc1, name: 'v10-a', cidr: '10.1.0.0/30', vlan: 10, tenant: 't1', priority: 10 });
  await addNetwork(store, { ...dc1, name: 'v10-b', cidr: '10.1.1.0/30', vlan: 10, tenant: 't1', priority: 20 });
  await addNetwork(store, { ...dc1, name: 'v10-v6', cidr: '2001:db8:10::/64', vlan: 10, tenant: 't1' });
  await addNetwork(store, { ...dc1, name: 't1-alt', cidr: '10.2.0.0/30', vlan: 20, tenant: 't1' });
  await addNetwork(store, { ...dc1, name: 't2-net', cidr: '10.4.0.0/30', vlan: 40, tenant: 't2' });
  await addNetwork(store, { dataCenter: 'dc1', name: 'v30', cidr: '10.3.0.0/29', vlan: 30 });
  await addNetwork(store, { ...dc1, name: 'reserve', cidr: '10.9.0.0/30', reservePool: true });
  await addNetwork(store, { dataCenter: 'dc2', zone: 'dc2.test', name: 'dc2-v10', cidr: '10.1.0.0/30', vlan: 10 });
}
