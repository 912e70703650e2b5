import { openTestStore } from '../support/backends';
import { startServer } from '../support/server';
import { adminCall } from '../support/soap';

test('smoke', async () => {
  const s = await openTestStore('postgres');
  const server = await startServer(s.store);
  const url = `${server.base}/ipcd-admin`;
  const show = async (op: string, f: any) => { const r = await adminCall(url, op, f); console.log(op, r.raw); return r; };
  await show('ListDataCenters', {});
  await show('AddDataCenter', { name: 'dc1', description: 'x' });
  await show('AddTenant', { name: 't1' });
  await show('AddZone', { name: 'dc1.test' });
  await show('AddNetwork', { name: 'n1', cidr: '10.0.0.0/24', dataCenter: 'dc1', vlan: 100, tenant: 't1', zone: 'dc1.test', tag: [{ key: 'env', value: 'prod' }] });
  await show('AddNetwork', { name: 'n2', cidr: '10.0.1.0/24', dataCenter: 'dc1', vlan: 100, tag: [{ key: 'env', value: 'prod' }, { key: 'b', value: '' }] });
  await show('AddNetwork', { name: 'n6', cidr: '2001:db8::/64', dataCenter: 'dc1', vlan: 100 });
  await show('EditNetwork', { network: 'n2', priority: 5, clear: ['tags'] });
  await show('SplitNetwork', { network: 'n1', prefixLength: 25 });
  await show('MergeNetworks', { network: ['n1-1', 'n1-2'] });
  await show('ListDataCenters', {});
  await show('ListUsers', {});
  await show('QueryAudit', { pageSize: 2 });
  await show('TenantUsage', { from: '2026-01-01', to: '2026-01-03' });
  await server.close(); await s.dispose();
});
