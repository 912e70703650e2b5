/**
 * One conformance suite every storage backend must pass (after metal-stack go-ipam): the
 * allocator's behaviour and the invariants the database itself enforces.
 */
import { StoreConflict } from '../../src/logic/errors';
import type { Network } from '../../src/logic/model';
import { addDataCenter, addNetwork, addZone } from '../../src/logic/topology';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { MIGRATIONS } from '../../migrations';

describe.each(BACKENDS)('store conformance (%s)', (backend) => {
  let db: TestStore;
  let net: Network;
  let zoneId: number;
  let dcId: number;

  beforeAll(async () => {
    db = await openTestStore(backend);
    dcId = (await addDataCenter(db.store, 'dc1')).id;
    await addDataCenter(db.store, 'dc2');
    zoneId = (await addZone(db.store, 'z.test')).id;
    net = await addNetwork(db.store, { name: 'n29', cidr: '10.0.0.0/29', dataCenter: 'dc1', vlan: 5, zone: 'z.test' });
  });
  afterAll(() => db?.dispose());

  const tx = <T>(fn: Parameters<typeof db.store.transaction<T>>[0]) => db.store.transaction(fn);
  let instances = 0;
  const insert = (address: string | null, name: string | null, serverInstance = `s${++instances}`) =>
    tx((t) =>
      t.insertAllocation({
        networkId: net.id,
        address,
        zoneId: name ? zoneId : null,
        name,
        serverInstance,
        tenantId: null,
        source: 'VLAN',
        intent: address === null ? 'NAME' : 'IPv4',
        requestedDataCenterId: dcId,
        requestedVlan: 5,
      }),
    );

  test('takes addresses lowest first, skipping network, gateway and broadcast', async () => {
    const got: (string | null)[] = [];
    for (let i = 0; i < 6; i++) got.push(await tx((t) => t.takeFreeAddress(net.id)));
    expect(got).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', null]);
  });

  test('a returned address is available again at once, lowest first', async () => {
    await tx((t) => t.returnAddress(net.id, '10.0.0.4'));
    await tx((t) => t.returnAddress(net.id, '10.0.0.3'));
    expect(await tx((t) => t.takeFreeAddress(net.id))).toBe('10.0.0.3');
    expect(await tx((t) => t.takeFreeAddress(net.id))).toBe('10.0.0.4');
    expect(await tx((t) => t.takeFreeAddress(net.id))).toBeNull();
  });

  test('a rolled-back take leaves the address free', async () => {
    await tx((t) => t.returnAddress(net.id, '10.0.0.6'));
    await expect(
      tx(async (t) => {
        expect(await t.takeFreeAddress(net.id)).toBe('10.0.0.6');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await tx((t) => t.takeFreeAddress(net.id))).toBe('10.0.0.6');
  });

  test('the database refuses a second active holder of (network, address) — as a StoreConflict', async () => {
    await insert('10.0.0.2', null);
    await expect(insert('10.0.0.2', null)).rejects.toBeInstanceOf(StoreConflict);
  });

  test('a released address may be held again; history is kept', async () => {
    const [row] = await db.store.dataSource.query(`SELECT id FROM allocation WHERE address = '10.0.0.2'`);
    await tx((t) => t.releaseParts(row.id, { address: true, name: false }, 'MIGRATED'));
    const [released] = await db.store.dataSource.query(`SELECT released_at, release_reason FROM allocation WHERE id = $1`, [row.id]);
    expect(released.released_at).not.toBeNull();
    expect(released.release_reason).toBe('MIGRATED');
    await insert('10.0.0.2', null);
    const [{ n }] = await db.store.dataSource.query(`SELECT count(*)::int AS n FROM allocation WHERE address = '10.0.0.2'`);
    expect(n).toBe(2);
  });

  test('the database refuses a second active holder of (zone, name)', async () => {
    await insert(null, 'vm-1');
    await expect(insert(null, 'vm-1')).rejects.toBeInstanceOf(StoreConflict);
    expect(await tx((t) => t.nameInUse(zoneId, 'vm-1'))).toBe(true);
  });

  test('a server instance holds one active allocation per (data center, VLAN, intent)', async () => {
    await insert(null, 'one-a', 'same-vm');
    await expect(insert(null, 'one-b', 'same-vm')).rejects.toBeInstanceOf(StoreConflict);
    await insert('10.0.0.5', null, 'same-vm'); // another intent: an address
    const held = await tx((t) => t.heldBy(dcId, 5, 'same-vm', 'NAME'));
    expect(held?.name).toBe('one-a');
    expect(await tx((t) => t.heldBy(dcId, 5, 'same-vm', 'IPv6'))).toBeNull();
  });

  test('name sequence numbers are handed out once each', async () => {
    const a = await tx((t) => t.nextNameSeq(zoneId));
    const b = await tx((t) => t.nextNameSeq(zoneId));
    expect(b).toBe(a + 1n);
  });

  test('networks on the same (data center, VLAN) may not overlap — enforced by the database', async () => {
    await expect(
      tx((t) =>
        t.insertNetwork({ ...net, id: undefined, name: 'dup', cidr: '10.0.0.0/24' } as Omit<Network, 'id'>, []),
      ),
    ).rejects.toBeInstanceOf(StoreConflict);
  });

  test('the same prefix on another VLAN or another data center is fine', async () => {
    await addNetwork(db.store, { name: 'same-other-vlan', cidr: '10.0.0.0/29', dataCenter: 'dc1', vlan: 6 });
    await addNetwork(db.store, { name: 'same-other-dc', cidr: '10.0.0.0/29', dataCenter: 'dc2', vlan: 5 });
    await addNetwork(db.store, { name: 'v6-64', cidr: '2001:db8::/64', dataCenter: 'dc1', vlan: 5 });
    const names = (await tx((t) => t.networksOnVlan(dcId, 5))).map((n) => n.name).sort();
    expect(names).toEqual(['n29', 'v6-64']);
  });

  test('networks without a VLAN in one data center may not overlap each other', async () => {
    await addNetwork(db.store, { name: 'pool-a', cidr: '10.9.0.0/24', dataCenter: 'dc1', reservePool: true });
    await expect(addNetwork(db.store, { name: 'pool-b', cidr: '10.9.0.128/25', dataCenter: 'dc1', reservePool: true })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  test('an IPv6 /64 hands out addresses by index lookup', async () => {
    const v6 = (await tx((t) => t.networkByName('v6-64')))!;
    expect(await tx((t) => t.takeFreeAddress(v6.id))).toBe('2001:db8::2');
    const [{ n }] = await db.store.dataSource.query(`SELECT count(*)::int AS n FROM free_range WHERE network_id = $1`, [v6.id]);
    expect(n).toBe(1);
  });

  test('the migration history is recorded, so a restart does not migrate again', async () => {
    const rows = await db.store.dataSource.query(`SELECT name FROM ipcd_migrations`);
    expect(rows.map((r: { name: string }) => r.name)).toEqual(MIGRATIONS.map((m) => new m().name));
    expect(rows[0].name).toBe('Initial1764057600000');
  });
});
