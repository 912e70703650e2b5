/**
 * The container port's contract, through the logic that uses it (AddContainer, ListContainers,
 * RemoveContainer, AllocateNetwork, AddNetwork's container rule) and at the port where the schema
 * itself decides: names and idempotency keys unique, no two containers of a data center
 * overlapping (StoreConflict, as a lost race), a carve outliving its network, a container's carves
 * going with it, and a failed transaction leaving nothing behind.
 */
import { IpcdError, StoreConflict } from '../../../src/logic/core/errors';
import type { UnitOfWork } from '../../../src/logic/core/unit-of-work';
import type { ReportsPort } from '../../../src/logic/reporting/port';
import {
  addContainer,
  allocateNetwork,
  listContainers,
  removeContainer,
  type CarveSpec,
} from '../../../src/logic/topology/containers';
import {
  addDataCenter,
  addNetwork,
  addTenant,
  removeDataCenter,
  removeTenant,
  type NetworkSpec,
} from '../../../src/logic/topology/topology';
import type { ContractBackend, OpenBackend, Ports } from './backend';

/** AddNetwork declares the reports port too but does not use it. */
const noReports = new Proxy(
  {},
  {
    get: (_t, key) => {
      throw new Error(`the container contract has no reports.${String(key)}`);
    },
  },
) as ReportsPort;

/** What a logic call answered: 'OK' or its fault code (anything else is thrown on). */
const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'OK',
    (e: unknown) => {
      if (e instanceof IpcdError) return e.code;
      throw e;
    },
  );

export function containersContract(backend: string, open: OpenBackend): void {
  describe(`container port contract (${backend})`, () => {
    let b: ContractBackend;
    let logic: UnitOfWork<Ports & { reports: ReportsPort }>;
    const ids: Record<string, number> = {};
    const tx = <T>(fn: (t: Ports) => Promise<T>) => b.transaction(fn);
    const names = (xs: { name: string }[]) => xs.map((x) => x.name);
    const net = (name: string, cidr: string, vlan: number | null, dataCenter = 'dc1'): NetworkSpec => ({
      name,
      cidr,
      vlan,
      dataCenter,
    });
    const carve = (spec: Omit<CarveSpec, 'container'> & { container?: string }) =>
      allocateNetwork(logic, { container: 'plan', ...spec });

    beforeAll(async () => {
      b = await open();
      logic = { transaction: (fn) => b.transaction((t) => fn({ ...t, reports: noReports })) };
      for (const dc of ['dc1', 'dc2', 'dc3']) ids[dc] = (await addDataCenter(logic, dc)).id;
      for (const t of ['acme', 'other', 'lonely']) ids[t] = (await addTenant(logic, t)).id;
    });
    afterAll(() => b?.dispose());

    test('AddContainer: stored with its names; names unique; no overlap within a data center, any across', async () => {
      const plan = await addContainer(logic, {
        name: 'plan',
        cidr: '10.64.0.0/22',
        dataCenter: 'dc1',
        tenant: 'acme',
        description: 'web tier',
      });
      ids.plan = plan.id;
      expect(plan).toEqual({
        id: expect.any(Number),
        name: 'plan',
        cidr: '10.64.0.0/22',
        family: 4,
        dataCenterId: ids.dc1,
        dataCenter: 'dc1',
        tenantId: ids.acme,
        tenant: 'acme',
        description: 'web tier',
      });
      expect(await outcome(addContainer(logic, { name: 'plan', cidr: '10.70.0.0/24', dataCenter: 'dc1' }))).toBe(
        'CONFLICT',
      );
      expect(await outcome(addContainer(logic, { name: 'over', cidr: '10.64.2.0/24', dataCenter: 'dc1' }))).toBe(
        'CONFLICT',
      );
      expect(await outcome(addContainer(logic, { name: 'under', cidr: '10.0.0.0/8', dataCenter: 'dc1' }))).toBe(
        'CONFLICT',
      );
      expect(await outcome(addContainer(logic, { name: 'x', cidr: '10.1.0.0/24', dataCenter: 'nope' }))).toBe(
        'UNKNOWN_DATA_CENTER',
      );
      await addContainer(logic, { name: 'v6', cidr: '2001:db8:40::/48', dataCenter: 'dc1' });
      await addContainer(logic, { name: 'mid', cidr: '10.65.0.0/24', dataCenter: 'dc1' });
      await addContainer(logic, { name: 'plan-dc2', cidr: '10.64.0.0/22', dataCenter: 'dc2' });
      await addContainer(logic, { name: 'ten', cidr: '10.90.0.0/24', dataCenter: 'dc2', tenant: 'lonely' });
      expect(await tx((t) => t.containers.containerByName('plan'))).toEqual(plan);
      expect(await tx((t) => t.containers.containerByName('nope'))).toBeNull();
      expect(await tx((t) => t.containers.lockContainer(plan.id))).toEqual(plan);
      const rows = await tx((t) => t.audit.listAudit({ objectType: 'container', limit: 100 }));
      expect(rows.map((r) => `${r.operation} ${r.objectId} ${r.outcome}`)).toEqual(
        expect.arrayContaining(['AddContainer plan ok', 'AddContainer over CONFLICT', 'AddContainer v6 ok']),
      );
    });

    test('the schema refuses a taken name or an overlap in the data center; a failed transaction leaves nothing', async () => {
      const row = (name: string, cidr: string, dc = 'dc1') => ({
        name,
        cidr,
        dataCenterId: ids[dc],
        tenantId: null,
        description: null,
      });
      await expect(tx((t) => t.containers.insertContainer(row('plan', '10.71.0.0/24')))).rejects.toBeInstanceOf(
        StoreConflict,
      );
      await expect(tx((t) => t.containers.insertContainer(row('inner', '10.64.1.0/24')))).rejects.toBeInstanceOf(
        StoreConflict,
      );
      await expect(tx((t) => t.containers.insertContainer(row('outer', '10.64.0.0/16')))).rejects.toBeInstanceOf(
        StoreConflict,
      );
      await expect(
        tx(async (t) => {
          await t.containers.insertContainer(row('rolled', '10.72.0.0/24'));
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(await tx((t) => t.containers.containerByName('rolled'))).toBeNull();
      // The space the rolled-back container would have taken is free.
      const again = await tx((t) => t.containers.insertContainer(row('rolled', '10.72.0.0/25', 'dc3')));
      expect(again).toMatchObject({ name: 'rolled', cidr: '10.72.0.0/25', dataCenter: 'dc3', tenant: null });
      await tx((t) => t.containers.deleteContainer(again.id));
      expect(await tx((t) => t.containers.containerByName('rolled'))).toBeNull();
    });

    test('containers listed by data center name, then prefix; overlapping ones in prefix order', async () => {
      expect(names(await listContainers(logic))).toEqual(['plan', 'mid', 'v6', 'plan-dc2', 'ten']);
      expect(names(await listContainers(logic, { dataCenter: 'dc2' }))).toEqual(['plan-dc2', 'ten']);
      expect(await outcome(listContainers(logic, { dataCenter: 'nope' }))).toBe('UNKNOWN_DATA_CENTER');
      await tx(async (t) => {
        expect(names(await t.containers.listContainers({ dataCenterId: ids.dc1 }))).toEqual(['plan', 'mid', 'v6']);
        expect(names(await t.containers.overlappingContainers(ids.dc1, '10.0.0.0/8'))).toEqual(['plan', 'mid']);
        expect(names(await t.containers.overlappingContainers(ids.dc1, '10.64.3.0/24'))).toEqual(['plan']);
        expect(names(await t.containers.overlappingContainers(ids.dc1, '2001:db8::/32'))).toEqual(['v6']);
        expect(names(await t.containers.overlappingContainers(ids.dc2, '10.65.0.0/16'))).toEqual([]);
      });
    });

    test('AddNetwork inside a container: any VLAN (and none) clashes, CONFLICT; outside containers only the same VLAN', async () => {
      expect(await outcome(addNetwork(logic, net('m1', '10.65.0.0/25', 30)))).toBe('OK');
      expect(await outcome(addNetwork(logic, net('m2', '10.65.0.0/26', 31)))).toBe('CONFLICT');
      expect(await outcome(addNetwork(logic, net('m3', '10.65.0.64/26', null)))).toBe('CONFLICT');
      // Spanning the container: the container's whole prefix is the shared space.
      expect(await outcome(addNetwork(logic, net('span', '10.65.0.0/16', 32)))).toBe('CONFLICT');
      expect(await outcome(addNetwork(logic, net('m4', '10.65.0.128/25', null)))).toBe('OK');
      // Outside containers: another VLAN may reuse the prefix, the same VLAN may not.
      expect(await outcome(addNetwork(logic, net('o1', '10.80.0.0/24', 40)))).toBe('OK');
      expect(await outcome(addNetwork(logic, net('o2', '10.80.0.0/24', 41)))).toBe('OK');
      expect(await outcome(addNetwork(logic, net('o3', '10.80.0.0/25', 40)))).toBe('CONFLICT');
      expect(await outcome(addNetwork(logic, net('o5', '10.80.0.128/26', 42)))).toBe('OK');
      expect(await outcome(addNetwork(logic, net('o4', '10.80.0.0/25', 43)))).toBe('OK');
      // Another data center's containers and networks are no concern.
      expect(await outcome(addNetwork(logic, net('d2', '10.65.0.0/26', 31, 'dc2')))).toBe('OK');
      await tx(async (t) => {
        expect(names(await t.containers.networksInPrefix(ids.dc1, '10.65.0.0/24'))).toEqual(['m1', 'm4']);
        expect(names(await t.containers.networksInPrefix(ids.dc1, '10.65.0.64/26'))).toEqual(['m1']);
        // In PostgreSQL's cidr order: nested prefixes the shorter first (equal ones in either order).
        const outside = names(await t.containers.networksInPrefix(ids.dc1, '10.80.0.0/16'));
        expect([...outside.slice(0, 2).sort(), ...outside.slice(2)]).toEqual(['o1', 'o2', 'o4', 'o5']);
        expect(names(await t.containers.networksInPrefix(ids.dc2, '10.65.0.0/24'))).toEqual(['d2']);
        expect(await t.containers.networksInPrefix(ids.dc1, '2001:db8:40::/48')).toEqual([]);
      });
      const rows = await tx((t) => t.audit.listAudit({ operation: 'AddNetwork', objectId: 'm2', limit: 10 }));
      expect(rows.map((r) => r.outcome)).toEqual(['CONFLICT']);
    });

    test('AllocateNetwork: the lowest free child around networks on any VLAN; a retry is served, not carved again', async () => {
      expect(await outcome(addNetwork(logic, net('hand', '10.64.0.0/24', 10)))).toBe('OK');
      const c1 = await carve({ name: 'c1', prefixLength: 24, vlan: 20, idempotencyKey: 'k1' });
      expect(c1.existing).toBe(false);
      expect(c1.container).toMatchObject({ name: 'plan', tenant: 'acme' });
      expect(c1.network).toMatchObject({ name: 'c1', cidr: '10.64.1.0/24', vlan: 20, tenantId: ids.acme });
      const retry = await carve({ name: 'c1', prefixLength: '24', vlan: 20, idempotencyKey: 'k1' });
      expect(retry).toEqual({ ...c1, existing: true });
      expect(await outcome(carve({ name: 'c1', prefixLength: 25, vlan: 20, idempotencyKey: 'k1' }))).toBe('CONFLICT');
      expect(await outcome(carve({ name: 'cx', prefixLength: 24, tenant: 'other', idempotencyKey: 'kx' }))).toBe(
        'INVALID_REQUEST',
      );
      const c2 = await carve({ name: 'c2', prefixLength: 23, idempotencyKey: 'k2' });
      expect(c2.network).toMatchObject({ cidr: '10.64.2.0/23', vlan: null });
      expect(await outcome(carve({ name: 'c3', prefixLength: 24, idempotencyKey: 'k3' }))).toBe('NO_FREE_PREFIX');
      expect(await outcome(carve({ container: 'nope', name: 'c4', prefixLength: 24, idempotencyKey: 'k4' }))).toBe(
        'NOT_FOUND',
      );
      const v6 = await carve({ container: 'v6', name: 'c6', prefixLength: 64, vlan: 60, idempotencyKey: 'k6' });
      expect(v6.network).toMatchObject({ cidr: '2001:db8:40::/64', family: 6 });
      await tx(async (t) => {
        expect(await t.containers.carveByKey('k1')).toEqual({
          key: 'k1',
          containerId: ids.plan,
          request: expect.any(String),
          networkId: c1.network.id,
          networkName: 'c1',
          cidr: '10.64.1.0/24',
        });
        expect(await t.containers.carveByKey('k3')).toBeNull();
        expect((await t.containers.carvedNetworkIds(ids.plan)).sort((x, y) => x - y)).toEqual(
          [c1.network.id, c2.network.id].sort((x, y) => x - y),
        );
        expect(names(await t.containers.networksInPrefix(ids.dc1, '10.64.0.0/22'))).toEqual(['hand', 'c1', 'c2']);
      });
      const [plan] = await listContainers(logic, { dataCenter: 'dc1' });
      expect(plan).toMatchObject({ name: 'plan', size: 1024n, used: 1024n, percent: 100 });
      expect(plan.networks.map((n) => `${n.network.name}:${n.carved}`)).toEqual(['hand:false', 'c1:true', 'c2:true']);
      const carve1 = (await tx((t) => t.containers.carveByKey('k1')))!;
      await expect(tx((t) => t.containers.insertCarve({ ...carve1, networkName: 'again' }))).rejects.toBeInstanceOf(
        StoreConflict,
      );
    });

    test('a carve outlives its network; RemoveContainer only when empty, its carves with it; its data center and tenant stay', async () => {
      const c1 = (await tx((t) => t.topology.networkByName('c1')))!;
      await tx((t) => t.topology.deleteNetwork(c1.id));
      await tx(async (t) => {
        expect(await t.containers.carveByKey('k1')).toMatchObject({ networkId: null, networkName: 'c1' });
        expect(await t.containers.carvedNetworkIds(ids.plan)).toEqual([(await t.topology.networkByName('c2'))!.id]);
      });
      expect(await outcome(carve({ name: 'c1', prefixLength: 24, vlan: 20, idempotencyKey: 'k1' }))).toBe('CONFLICT');
      expect(await outcome(removeContainer(logic, 'plan'))).toBe('CONFLICT');

      // A removal rolled back keeps the container and its carves.
      await expect(
        tx(async (t) => {
          await t.containers.deleteContainer(ids.plan);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      await tx(async (t) => {
        expect(await t.containers.containerByName('plan')).not.toBeNull();
        expect(await t.containers.carveByKey('k2')).not.toBeNull();
      });

      for (const name of ['hand', 'c2']) {
        const n = (await tx((t) => t.topology.networkByName(name)))!;
        await tx((t) => t.topology.deleteNetwork(n.id));
      }
      expect(await removeContainer(logic, 'plan')).toMatchObject({ id: ids.plan, name: 'plan' });
      expect(await outcome(removeContainer(logic, 'plan'))).toBe('NOT_FOUND');
      await tx(async (t) => {
        expect(await t.containers.containerByName('plan')).toBeNull();
        expect(await t.containers.carveByKey('k1')).toBeNull();
        expect(await t.containers.carveByKey('k2')).toBeNull();
      });
      // The name and the space are free again; ids are not reused.
      const again = await addContainer(logic, { name: 'plan', cidr: '10.64.0.0/22', dataCenter: 'dc1' });
      expect(again.id).not.toBe(ids.plan);

      // A data center or tenant a container refers to stays.
      await addContainer(logic, { name: 'only', cidr: '10.1.0.0/24', dataCenter: 'dc3' });
      expect(await outcome(removeDataCenter(logic, 'dc3'))).toBe('CONFLICT');
      expect(await outcome(removeTenant(logic, 'lonely'))).toBe('CONFLICT');
      await expect(tx((t) => t.topology.deleteTopologyObject('data_center', ids.dc3))).rejects.toThrow();
      await expect(tx((t) => t.topology.deleteTopologyObject('tenant', ids.lonely))).rejects.toThrow();
      await removeContainer(logic, 'only');
      await removeContainer(logic, 'ten');
      expect(await outcome(removeDataCenter(logic, 'dc3'))).toBe('OK');
      expect(await outcome(removeTenant(logic, 'lonely'))).toBe('OK');
    });
  });
}
