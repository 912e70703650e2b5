/**
 * The example topology a brand-new embedded store starts with, so a newcomer's first SOAP call
 * works. Documented in the README; never loaded on PostgreSQL or on an existing store.
 *
 *  dc1  VLAN 100  dc1-v100-a     10.0.0.0/24      tenant acme, zone dc1.example.com, priority 10
 *       VLAN 100  dc1-v100-b     10.0.1.0/24      tenant acme, zone dc1.example.com, priority 20
 *       VLAN 100  dc1-v100-v6    2001:db8:100::/64 tenant acme, zone dc1.example.com
 *       VLAN 200  dc1-acme-alt   10.20.0.0/24     tenant acme (its alternate network)
 *       (none)    dc1-reserve    10.255.0.0/24    reserve pool
 *  dc2  VLAN 100  dc2-v100       10.0.0.0/24      zone dc2.example.com (same VLAN and prefix as dc1)
 */
import type { Store } from '../store/store';
import { addDataCenter, addNetwork, addTenant, addZone } from '../logic/topology/topology';

export async function loadExampleTopology(store: Store): Promise<void> {
  await addDataCenter(store, 'dc1', 'example data center 1');
  await addDataCenter(store, 'dc2', 'example data center 2');
  await addZone(store, 'dc1.example.com');
  await addZone(store, 'dc2.example.com');
  await addTenant(store, 'acme', 'example tenant');
  const zone1 = 'dc1.example.com';
  await addNetwork(store, {
    name: 'dc1-v100-a',
    cidr: '10.0.0.0/24',
    dataCenter: 'dc1',
    vlan: 100,
    tenant: 'acme',
    zone: zone1,
    priority: 10,
  });
  await addNetwork(store, {
    name: 'dc1-v100-b',
    cidr: '10.0.1.0/24',
    dataCenter: 'dc1',
    vlan: 100,
    tenant: 'acme',
    zone: zone1,
    priority: 20,
  });
  await addNetwork(store, {
    name: 'dc1-v100-v6',
    cidr: '2001:db8:100::/64',
    dataCenter: 'dc1',
    vlan: 100,
    tenant: 'acme',
    zone: zone1,
  });
  await addNetwork(store, {
    name: 'dc1-acme-alt',
    cidr: '10.20.0.0/24',
    dataCenter: 'dc1',
    vlan: 200,
    tenant: 'acme',
    zone: zone1,
  });
  await addNetwork(store, {
    name: 'dc1-reserve',
    cidr: '10.255.0.0/24',
    dataCenter: 'dc1',
    reservePool: true,
    zone: zone1,
  });
  await addNetwork(store, {
    name: 'dc2-v100',
    cidr: '10.0.0.0/24',
    dataCenter: 'dc2',
    vlan: 100,
    zone: 'dc2.example.com',
  });
}
