/**
 * One conformance suite every storage backend must pass (after metal-stack go-ipam): the
 * allocator's behaviour and the invariants the database itself enforces.
 */
import { randomUUID } from 'node:crypto';
import { StoreConflict } from '../../src/logic/core/errors';
import type { Network } from '../../src/logic/core/model';
import { addDataCenter, addNetwork, addZone } from '../../src/logic/topology/topology';
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
  const version = async () => (await db.store.allocator.configVersion()).toString();
  let instances = 0;
  const audit = { actor: 't', role: 'admin', operation: 'test', requestId: null, after: { address: '$address' } };
  /** One commission through the port: the lowest free address of `networkId`, optionally a name. */
  const take = async (networkId = net.id, names?: string[], serverInstance = `s${++instances}`) => {
    const o = await db.store.allocator.commission({
      version: await version(),
      allocationId: randomUUID(),
      dataCenterId: dcId,
      vlan: 5,
      serverInstance,
      intent: names && networkId === -1 ? 'NAME' : 'IPv4',
      wantAddress: true,
      candidates: [
        { networkId, source: 'VLAN', tenantId: null, ...(names ? { names, zoneId, zoneName: 'z.test' } : {}) },
      ],
      audit,
    });
    return o;
  };
  const address = async (networkId = net.id) => {
    const o = await take(networkId);
    return o.status === 'ISSUED' ? o.allocation.address : o.status === 'FULL' ? null : o.status;
  };
  const give = async (addr: string, reason: 'DELETED' | 'MIGRATED' = 'DELETED') => {
    const o = await db.store.allocator.release({
      version: await version(),
      dataCenterId: dcId,
      vlan: 5,
      address: addr,
      releaseAddress: true,
      releaseName: true,
      reason,
      holdDown: {},
      audit,
    });
    return o.status === 'OK' ? o.released.map((r) => r.address) : o.status;
  };
  /** A raw row, for the invariants the database itself must enforce. */
  const insertRow = (address: string | null, name: string | null, serverInstance = `s${++instances}`) =>
    db.store.dataSource.query(
      `INSERT INTO allocation (network_id, address, zone_id, name, server_instance, source, intent, requested_dc_id, requested_vlan)
       VALUES ($1, $2::inet, $3, $4, $5, 'VLAN', $6, $7, 5)`,
      [net.id, address, name ? zoneId : null, name, serverInstance, address === null ? 'NAME' : 'IPv4', dcId],
    );
  const rawConflict = (p: Promise<unknown>) =>
    expect(p).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23505' }) });

  test('takes addresses lowest first, skipping network, gateway and broadcast', async () => {
    const got: (string | null)[] = [];
    for (let i = 0; i < 6; i++) got.push(await address());
    expect(got).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', null]);
  });

  test('a returned address is available again at once, lowest first', async () => {
    expect(await give('10.0.0.4')).toEqual(['10.0.0.4']);
    expect(await give('10.0.0.3')).toEqual(['10.0.0.3']);
    expect(await address()).toBe('10.0.0.3');
    expect(await address()).toBe('10.0.0.4');
    expect(await address()).toBeNull();
  });

  test('a write made from an outdated configuration writes nothing and says so', async () => {
    expect(await give('10.0.0.6')).toEqual(['10.0.0.6']);
    const stale = await db.store.allocator.commission({
      version: '0',
      allocationId: randomUUID(),
      dataCenterId: dcId,
      vlan: 5,
      serverInstance: 'stale',
      intent: 'IPv4',
      wantAddress: true,
      candidates: [{ networkId: net.id, source: 'VLAN', tenantId: null }],
      audit,
    });
    expect(stale).toMatchObject({ status: 'STALE' });
    expect(await address()).toBe('10.0.0.6');
  });

  test('every name offered in use: nothing written, the address stays free', async () => {
    expect(await give('10.0.0.6')).toEqual(['10.0.0.6']);
    expect((await take(net.id, ['taken-1'])).status).toBe('ISSUED');
    expect(await give('10.0.0.6')).toEqual(['10.0.0.6']);
    await insertRow(null, 'taken-1').catch(() => undefined); // name held by another allocation
    expect((await take(net.id, ['taken-1'])).status).toBe('NAMES_TAKEN');
    expect(await address()).toBe('10.0.0.6');
  });

  test('the database refuses a second active holder of (network, address)', async () => {
    await rawConflict(insertRow('10.0.0.2', null));
  });

  test('a released address may be held again; history is kept', async () => {
    expect(await give('10.0.0.2', 'MIGRATED')).toEqual(['10.0.0.2']);
    const [released] = await db.store.dataSource.query(
      `SELECT released_at, release_reason FROM allocation WHERE address = '10.0.0.2' AND released_at IS NOT NULL`,
    );
    expect(released.release_reason).toBe('MIGRATED');
    expect(await address()).toBe('10.0.0.2');
    const [{ n }] = await db.store.dataSource.query(
      `SELECT count(*)::int AS n FROM allocation WHERE address = '10.0.0.2'`,
    );
    expect(n).toBe(2);
  });

  test('the database refuses a second active holder of (zone, name)', async () => {
    await insertRow(null, 'vm-1');
    await rawConflict(insertRow(null, 'vm-1'));
  });

  test('a server instance holds one active allocation per (data center, VLAN, intent)', async () => {
    await insertRow(null, 'one-a', 'same-vm');
    await rawConflict(insertRow(null, 'one-b', 'same-vm'));
    expect(await give('10.0.0.5')).toEqual(['10.0.0.5']);
    const again = await take(net.id, undefined, 'same-vm'); // another intent: an address
    expect(again).toMatchObject({ status: 'ISSUED' });
    const retry = await take(net.id, undefined, 'same-vm');
    expect(retry).toMatchObject({ status: 'EXISTING' });
    expect(retry.status === 'EXISTING' && retry.allocation.address).toBe('10.0.0.5');
  });

  test('name numbers are handed out once each, in blocks', async () => {
    const a = await db.store.allocator.reserveNameNumbers(zoneId, 4);
    const b = await db.store.allocator.reserveNameNumbers(zoneId, 4);
    expect(b).toBe(a + 4n);
  });

  test('networks on the same (data center, VLAN) may not overlap — enforced by the database', async () => {
    await expect(
      tx((t) =>
        t.topology.insertNetwork(
          { ...net, id: undefined, name: 'dup', cidr: '10.0.0.0/24' } as Omit<Network, 'id'>,
          [],
        ),
      ),
    ).rejects.toBeInstanceOf(StoreConflict);
  });

  test('the same prefix on another VLAN or another data center is fine', async () => {
    await addNetwork(db.store, { name: 'same-other-vlan', cidr: '10.0.0.0/29', dataCenter: 'dc1', vlan: 6 });
    await addNetwork(db.store, { name: 'same-other-dc', cidr: '10.0.0.0/29', dataCenter: 'dc2', vlan: 5 });
    await addNetwork(db.store, { name: 'v6-64', cidr: '2001:db8::/64', dataCenter: 'dc1', vlan: 5 });
    const names = (await tx((t) => t.topology.networksOnVlan(dcId, 5))).map((n) => n.name).sort();
    expect(names).toEqual(['n29', 'v6-64']);
  });

  test('networks without a VLAN in one data center may not overlap each other', async () => {
    await addNetwork(db.store, { name: 'pool-a', cidr: '10.9.0.0/24', dataCenter: 'dc1', reservePool: true });
    await expect(
      addNetwork(db.store, { name: 'pool-b', cidr: '10.9.0.128/25', dataCenter: 'dc1', reservePool: true }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  test('an IPv6 /64 hands out addresses by index lookup', async () => {
    const v6 = (await tx((t) => t.topology.networkByName('v6-64')))!;
    expect(await address(v6.id)).toBe('2001:db8::2');
    expect(await address(v6.id)).toBe('2001:db8::3');
    // The head of the /64's one range was cut into small ranges for concurrent takers; no more.
    const [{ n }] = await db.store.dataSource.query(`SELECT count(*)::int AS n FROM free_range WHERE network_id = $1`, [
      v6.id,
    ]);
    expect(n).toBeLessThanOrEqual(17);
  });

  test('the migration history is recorded, so a restart does not migrate again', async () => {
    const rows = await db.store.dataSource.query(`SELECT name FROM ipcd_migrations`);
    expect(rows.map((r: { name: string }) => r.name)).toEqual(MIGRATIONS.map((m) => new m().name));
    expect(rows[0].name).toBe('Initial1764057600000');
  });
});
