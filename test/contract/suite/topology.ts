/** The topology port's contract: lookups, constraints, moves and what a failed transaction leaves (nothing). */
import { StoreConflict } from '../../../src/logic/core/errors';
import type { Network } from '../../../src/logic/core/model';
import { insertNetwork, plan, type ContractBackend, type OpenBackend, type Ports } from './backend';

export function topologyContract(backend: string, open: OpenBackend): void {
  describe(`topology port contract (${backend})`, () => {
    let b: ContractBackend;
    let dc: number;
    let dc2: number;
    let ta: number;
    let tb: number;
    let zone: number;
    const tx = <T>(fn: (t: Ports) => Promise<T>) => b.transaction(fn);

    beforeAll(async () => {
      b = await open();
      await tx(async (t) => {
        dc2 = (await t.topology.insertDataCenter('zz-dc', 'last by name')).id;
        dc = (await t.topology.insertDataCenter('aa-dc', null)).id;
        ta = (await t.topology.insertTenant('ta', null)).id;
        tb = (await t.topology.insertTenant('tb', 'second')).id;
        zone = (await t.topology.insertZone('t.test')).id;
      });
    });
    afterAll(() => b?.dispose());

    test('data centers, tenants and zones by name and id; listed by name; names unique', async () => {
      await tx(async (t) => {
        expect(await t.topology.dataCenterByName('aa-dc')).toEqual({ id: dc, name: 'aa-dc', description: null });
        expect(await t.topology.dataCenterByName('nope')).toBeNull();
        expect(await t.topology.tenantByName('tb')).toEqual({ id: tb, name: 'tb', description: 'second' });
        expect(await t.topology.zoneByName('t.test')).toEqual({ id: zone, name: 't.test' });
        expect(await t.topology.zoneById(zone)).toEqual({ id: zone, name: 't.test' });
        expect(await t.topology.zoneById(zone + 1000)).toBeNull();
        expect((await t.topology.listDataCenters()).map((d) => d.name)).toEqual(['aa-dc', 'zz-dc']);
        expect((await t.topology.listTenants()).map((d) => d.name)).toEqual(['ta', 'tb']);
        expect((await t.topology.listZones()).map((d) => d.name)).toEqual(['t.test']);
      });
      await expect(tx((t) => t.topology.insertDataCenter('aa-dc', null))).rejects.toBeInstanceOf(StoreConflict);
      await expect(tx((t) => t.topology.insertTenant('ta', null))).rejects.toBeInstanceOf(StoreConflict);
      await expect(tx((t) => t.topology.insertZone('t.test'))).rejects.toBeInstanceOf(StoreConflict);
    });

    test('a failed transaction leaves nothing behind, and the configuration version unmoved', async () => {
      const before = await b.allocator.configVersion();
      await expect(
        tx(async (t) => {
          await t.topology.insertDataCenter('rolled-back', null);
          await insertNetwork(t, { name: 'rolled-net', cidr: '10.99.0.0/24', dataCenterId: dc, vlan: 99 });
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      await tx(async (t) => {
        expect(await t.topology.dataCenterByName('rolled-back')).toBeNull();
        expect(await t.topology.networkByName('rolled-net')).toBeNull();
      });
      expect(await b.allocator.configVersion()).toBe(before);
    });

    test('networks: by VLAN, by tenant and family, reserve pools, overlaps refused per (data center, VLAN)', async () => {
      const made = await tx(async (t) => ({
        a: await insertNetwork(t, {
          name: 'a',
          cidr: '10.10.0.0/24',
          dataCenterId: dc,
          vlan: 10,
          tenantId: ta,
          zoneId: zone,
        }),
        a6: await insertNetwork(t, { name: 'a6', cidr: '2001:db8:10::/64', dataCenterId: dc, vlan: 10, tenantId: ta }),
        b: await insertNetwork(t, { name: 'b', cidr: '10.11.0.0/24', dataCenterId: dc, vlan: 11, tenantId: tb }),
        pool: await insertNetwork(t, { name: 'pool', cidr: '10.12.0.0/24', dataCenterId: dc, reservePool: true }),
        other: await insertNetwork(t, { name: 'other-dc', cidr: '10.10.0.0/24', dataCenterId: dc2, vlan: 10 }),
        sameVlan11: await insertNetwork(t, {
          name: 'same-prefix-vlan-12',
          cidr: '10.10.0.0/24',
          dataCenterId: dc,
          vlan: 12,
        }),
      }));
      expect(made.a).toMatchObject({
        name: 'a',
        cidr: '10.10.0.0/24',
        family: 4,
        gateway: '10.10.0.1',
        vlan: 10,
        tenantId: ta,
        zoneId: zone,
        priority: 100,
        tags: {},
        holdDownSeconds: 0,
      });
      await tx(async (t) => {
        const ids = (ns: Network[]) => ns.map((n) => n.name).sort();
        expect(ids(await t.topology.networksOnVlan(dc, 10))).toEqual(['a', 'a6']);
        expect(ids(await t.topology.networksOfTenants(dc, [ta, tb], 4))).toEqual(['a', 'b']);
        expect(ids(await t.topology.networksOfTenants(dc, [ta], 6))).toEqual(['a6']);
        expect(ids(await t.topology.networksOfTenants(dc, [], 4))).toEqual([]);
        expect(ids(await t.topology.reservePools(dc, 4))).toEqual(['pool']);
        expect(ids(await t.topology.overlappingNetworks(dc, 10, '10.10.0.128/25'))).toEqual(['a']);
        expect(ids(await t.topology.overlappingNetworks(dc, null, '10.12.0.0/16'))).toEqual(['pool']);
        expect(ids(await t.topology.overlappingNetworks(dc, 11, '10.10.0.0/16'))).toEqual([]);
        expect((await t.topology.dataCentersWithVlan(10)).map((d) => d.name)).toEqual(['aa-dc', 'zz-dc']);
        expect(await t.topology.networkName(made.b.id)).toBe('b');
        expect(await t.topology.networkById(made.b.id)).toEqual(made.b);
      });
      await expect(
        tx((t) => insertNetwork(t, { name: 'clash', cidr: '10.10.0.64/26', dataCenterId: dc, vlan: 10 })),
      ).rejects.toBeInstanceOf(StoreConflict);
      await expect(
        tx((t) => insertNetwork(t, { name: 'a', cidr: '10.20.0.0/24', dataCenterId: dc, vlan: 20 })),
      ).rejects.toBeInstanceOf(StoreConflict);
    });

    test('an edit changes the named columns only; a rename onto another network is refused', async () => {
      const edited = await tx(async (t) => {
        const n = (await t.topology.networkByName('b'))!;
        return t.topology.updateNetwork(n.id, {
          priority: 5,
          tags: { env: 'prod' },
          holdDownSeconds: 30,
          gateway: null,
        });
      });
      expect(edited).toMatchObject({
        name: 'b',
        priority: 5,
        tags: { env: 'prod' },
        holdDownSeconds: 30,
        gateway: null,
        tenantId: tb,
        vlan: 11,
      });
      await expect(tx(async (t) => t.topology.updateNetwork(edited.id, { name: 'a' }))).rejects.toBeInstanceOf(
        StoreConflict,
      );
    });

    test('reservations: listed in address order, removed only from their own network', async () => {
      const { a, b: other } = await tx(async (t) => ({
        a: (await t.topology.networkByName('a'))!,
        b: (await t.topology.networkByName('b'))!,
      }));
      const [r2, r1] = await tx(async (t) => [
        await t.topology.insertReservation(a.id, '10.10.0.200', '10.10.0.210', 'later'),
        await t.topology.insertReservation(a.id, '10.10.0.20', '10.10.0.20', null),
      ]);
      expect(r2).toMatchObject({ networkId: a.id, first: '10.10.0.200', last: '10.10.0.210', note: 'later' });
      expect(await tx((t) => t.topology.reservations(a.id))).toEqual([r1, r2]);
      expect(await tx((t) => t.topology.deleteReservation(other.id, r1.id))).toBeNull();
      expect(await tx((t) => t.topology.deleteReservation(a.id, 'not-an-id'))).toBeNull();
      expect(await tx((t) => t.topology.deleteReservation(a.id, r1.id))).toEqual(r1);
      expect(await tx((t) => t.topology.reservations(a.id))).toEqual([r2]);
    });

    test('free ranges replaced: the allocator issues from the new ones; occupancy, runs and counts follow', async () => {
      const a = (await tx((t) => t.topology.networkByName('a')))!;
      await tx((t) =>
        t.topology.replaceFreeRanges(a.id, 4, [
          { first: 0x0a0a0032n, last: 0x0a0a0034n },
          { first: 0x0a0a0040n, last: 0x0a0a0040n },
        ]),
      );
      const issued: string[] = [];
      for (let i = 0; i < 5; i++) {
        const o = await b.allocator.commission(
          plan(await b.allocator.configVersion(), {
            dataCenterId: dc,
            vlan: 10,
            serverInstance: `free-${i}`,
            candidates: [{ networkId: a.id, source: 'VLAN', tenantId: ta }],
          }),
        );
        issued.push(o.status === 'ISSUED' ? o.allocation.address! : o.status);
      }
      expect(issued).toEqual(['10.10.0.50', '10.10.0.51', '10.10.0.52', '10.10.0.64', 'FULL']);
      await tx(async (t) => {
        expect(await t.topology.allocatedRanges(a.id)).toEqual([
          { first: '10.10.0.50', last: '10.10.0.52' },
          { first: '10.10.0.64', last: '10.10.0.64' },
        ]);
        expect((await t.topology.occupiedAddresses(a.id)).sort()).toEqual([
          '10.10.0.50',
          '10.10.0.51',
          '10.10.0.52',
          '10.10.0.64',
        ]);
        expect(await t.topology.activeAllocationCount(a.id)).toBe(4);
        expect((await t.topology.activeAllocationIds(a.id)).length).toBe(4);
      });
    });

    test('moving into a network takes the allocations and reservations inside the prefix along', async () => {
      const { a, a2 } = await tx(async (t) => {
        const a = (await t.topology.networkByName('a'))!;
        await t.topology.updateNetwork(a.id, { cidr: '10.10.0.0/25' });
        const a2 = await insertNetwork(t, {
          name: 'a-upper',
          cidr: '10.10.0.128/25',
          dataCenterId: dc,
          vlan: 10,
          tenantId: ta,
        });
        await t.topology.moveIntoNetwork(a.id, a2.id, '10.10.0.128/25');
        return { a, a2 };
      });
      await tx(async (t) => {
        expect(await t.topology.allocatedRanges(a.id)).toEqual([
          { first: '10.10.0.50', last: '10.10.0.52' },
          { first: '10.10.0.64', last: '10.10.0.64' },
        ]);
        expect(await t.topology.allocatedRanges(a2.id)).toEqual([]);
        expect(await t.topology.reservations(a.id)).toEqual([]);
        expect((await t.topology.reservations(a2.id)).map((r) => r.first)).toEqual(['10.10.0.200']);
        await t.topology.moveIntoNetwork(a.id, a2.id, null);
        expect(await t.topology.activeAllocationCount(a2.id)).toBe(4);
        await t.topology.moveIntoNetwork(a2.id, a.id, null);
      });
    });

    test('a network is removed after its allocations are released; references counted before removal', async () => {
      const a = (await tx((t) => t.topology.networkByName('a')))!;
      expect(await tx((t) => t.topology.referencesTo('zone', zone))).toBe(1);
      expect(await tx((t) => t.topology.releaseNetwork(a.id, 'NETWORK_REMOVED'))).toBe(4);
      expect(await tx((t) => t.topology.activeAllocationIds(a.id))).toEqual([]);
      await tx((t) => t.topology.deleteNetwork(a.id));
      expect(await tx((t) => t.topology.networkByName('a'))).toBeNull();
      expect(await tx((t) => t.topology.referencesTo('zone', zone))).toBe(0);
      expect(await tx((t) => t.topology.referencesTo('tenant', tb))).toBe(1);
      const spare = await tx((t) => t.topology.insertTenant('spare', null));
      expect(await tx((t) => t.topology.referencesTo('tenant', spare.id))).toBe(0);
      await tx((t) => t.topology.deleteTopologyObject('tenant', spare.id));
      expect(await tx((t) => t.topology.tenantByName('spare'))).toBeNull();
    });
  });
}
