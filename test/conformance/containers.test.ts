/**
 * Containers and carving on both stores, through the logic: the lowest free child skips networks
 * on any VLAN (carved or added by hand), a full container refuses with NO_FREE_PREFIX, an IPv6 /48
 * gives /64s, a key carves once, containers of a data center never overlap (the database's
 * constraint too), and a container or data center in use is not removed.
 */
import {
  addContainer,
  allocateNetwork,
  listContainers,
  removeContainer,
  type CarveSpec,
} from '../../src/logic/topology/containers';
import { removeNetwork } from '../../src/logic/topology/networks';
import {
  addDataCenter,
  addNetwork,
  addTenant,
  addZone,
  removeDataCenter,
  removeTenant,
} from '../../src/logic/topology/topology';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';

describe.each(BACKENDS)('containers (%s store)', (backend) => {
  let db: TestStore;
  const q = async (sql: string, params: unknown[] = []) => db.store.dataSource.query(sql, params);
  let n = 0;
  const carve = (container: string, prefixLength: number, more: Partial<CarveSpec> = {}) =>
    allocateNetwork(db.store, {
      container,
      prefixLength,
      name: `carved-${++n}`,
      vlan: 100 + n,
      idempotencyKey: `key-${n}`,
      ...more,
    });

  beforeAll(async () => {
    db = await openTestStore(backend);
    await addDataCenter(db.store, 'dc1');
    await addDataCenter(db.store, 'dc2');
    await addTenant(db.store, 'acme');
    await addTenant(db.store, 'globex');
    await addZone(db.store, 'c.test');
  });
  afterAll(() => db?.dispose());

  test('carves the lowest free child around networks on any VLAN, then refuses with NO_FREE_PREFIX', async () => {
    await addContainer(db.store, { name: 'plan4', cidr: '10.40.0.0/24', dataCenter: 'dc1', tenant: 'acme' });
    // By hand, on a VLAN no carve uses, and one in another data center that does not count.
    await addNetwork(db.store, { name: 'hand', cidr: '10.40.0.64/26', dataCenter: 'dc1', vlan: 7 });
    await addNetwork(db.store, { name: 'elsewhere', cidr: '10.40.0.0/24', dataCenter: 'dc2', vlan: 7 });
    const a = await carve('plan4', 26, { zone: 'c.test', tags: { env: 'prod' } });
    expect(a.existing).toBe(false);
    expect(a.network).toMatchObject({
      cidr: '10.40.0.0/26',
      gateway: '10.40.0.1',
      tenantId: expect.any(Number),
      tags: { env: 'prod' },
    });
    expect((await carve('plan4', 26)).network.cidr).toBe('10.40.0.128/26');
    expect((await carve('plan4', 27)).network.cidr).toBe('10.40.0.192/27');
    expect((await carve('plan4', 28)).network.cidr).toBe('10.40.0.224/28');
    await expect(carve('plan4', 27)).rejects.toMatchObject({
      code: 'NO_FREE_PREFIX',
      message: expect.stringMatching(/container 'plan4' \(10.40.0.0\/24\) has no free \/27 left/),
    });
    // The carved network is a network like any other: free ranges, gateway, audit row.
    const [free] = await q(
      `SELECT count(*)::int AS n, min(host(first_addr)) AS lo FROM free_range f JOIN network n ON n.id = f.network_id WHERE n.name = $1`,
      [a.network.name],
    );
    expect(free.n).toBeGreaterThan(0);
    expect(free.lo).toBe('10.40.0.2');
    const [row] = await q(`SELECT operation, object_type, object_id, after FROM audit_log WHERE object_id = $1`, [
      a.network.name,
    ]);
    expect(row).toMatchObject({ operation: 'AllocateNetwork', object_type: 'network' });
    const after = typeof row.after === 'string' ? JSON.parse(row.after) : row.after;
    expect(after).toMatchObject({ container: 'plan4', idempotencyKey: `key-${n - 4}`, cidr: '10.40.0.0/26' });

    const [view] = await listContainers(db.store, { dataCenter: 'dc1' });
    expect(view).toMatchObject({ name: 'plan4', tenant: 'acme', size: 256n, used: 256n - 16n, percent: 93.75 });
    expect(view.networks.map((x) => [x.network.name, x.carved])).toEqual([
      [a.network.name, true],
      ['hand', false],
      [expect.any(String), true],
      [expect.any(String), true],
      [expect.any(String), true],
    ]);
  });

  test('a container with a tenant gives its networks that tenant and no other', async () => {
    const c = await carve('plan4-b', 28).catch((e) => e);
    expect(c.code).toBe('NOT_FOUND');
    await addContainer(db.store, { name: 'acme-only', cidr: '10.41.0.0/24', dataCenter: 'dc1', tenant: 'acme' });
    await expect(carve('acme-only', 26, { tenant: 'globex' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/belongs to tenant acme/),
    });
    const r = await carve('acme-only', 26);
    const [t] = await q(`SELECT t.name FROM network n JOIN tenant t ON t.id = n.tenant_id WHERE n.name = $1`, [
      r.network.name,
    ]);
    expect(t.name).toBe('acme');
    // A container alone keeps its tenant and data center in use.
    await addTenant(db.store, 'initech');
    await addDataCenter(db.store, 'dc3');
    await addContainer(db.store, { name: 'initech-plan', cidr: '10.43.0.0/24', dataCenter: 'dc3', tenant: 'initech' });
    await expect(removeTenant(db.store, 'initech')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/container\(s\)/),
    });
    await expect(removeDataCenter(db.store, 'dc3')).rejects.toMatchObject({ code: 'CONFLICT' });
    await removeContainer(db.store, 'initech-plan');
    await removeTenant(db.store, 'initech');
    await removeDataCenter(db.store, 'dc3');
  });

  test('IPv6: a /48 gives /64s without enumerating them, and refuses a length outside it', async () => {
    await addContainer(db.store, { name: 'plan6', cidr: '2001:db8:40::/48', dataCenter: 'dc1' });
    await addNetwork(db.store, { name: 'hand6', cidr: '2001:db8:40::/64', dataCenter: 'dc1', vlan: 9 });
    await addNetwork(db.store, { name: 'hand6-high', cidr: '2001:db8:40:8000::/49', dataCenter: 'dc1', vlan: 10 });
    expect((await carve('plan6', 64)).network).toMatchObject({
      cidr: '2001:db8:40:1::/64',
      gateway: '2001:db8:40:1::1',
      family: 6,
    });
    expect((await carve('plan6', 64)).network.cidr).toBe('2001:db8:40:2::/64');
    expect((await carve('plan6', 56)).network.cidr).toBe('2001:db8:40:100::/56');
    await expect(carve('plan6', 47)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/does not fit container/),
    });
    await expect(carve('plan6', 127)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/at most \/126/),
    });
    const view = (await listContainers(db.store)).find((c) => c.name === 'plan6')!;
    expect(view.size).toBe(2n ** 80n);
    expect(view.used).toBe(2n ** 79n + 3n * 2n ** 64n + 2n ** 72n);
  });

  test('a key carves once: a retry gets the same network, another request under it is refused', async () => {
    await addContainer(db.store, { name: 'idem', cidr: '10.42.0.0/24', dataCenter: 'dc1' });
    const spec: CarveSpec = {
      container: 'idem',
      prefixLength: 26,
      name: 'idem-a',
      vlan: 42,
      tags: { b: '2', a: '1' },
      idempotencyKey: 'esb-msg-0001',
    };
    const first = await allocateNetwork(db.store, spec);
    const again = await allocateNetwork(db.store, { ...spec, vlan: '042', tags: { a: '1', b: '2' } });
    expect(again).toMatchObject({ existing: true, network: { id: first.network.id, cidr: '10.42.0.0/26' } });
    await expect(allocateNetwork(db.store, { ...spec, prefixLength: 25 })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/different request/),
    });
    const [{ n: rows }] = await q(
      `SELECT count(*)::int AS n FROM audit_log WHERE operation = 'AllocateNetwork' AND object_id = 'idem-a' AND outcome = 'ok'`,
    );
    expect(rows).toBe(1);
    await removeNetwork(db.store, 'idem-a', {});
    await expect(allocateNetwork(db.store, spec)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/since been removed/),
    });
    // The space is free again for a new key.
    expect((await allocateNetwork(db.store, { ...spec, idempotencyKey: 'esb-msg-0002' })).network.cidr).toBe(
      '10.42.0.0/26',
    );
  });

  test('containers of a data center never overlap; removal needs an empty container', async () => {
    await expect(
      addContainer(db.store, { name: 'over', cidr: '10.40.0.128/25', dataCenter: 'dc1' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/overlaps container plan4/) });
    await expect(
      addContainer(db.store, { name: 'loop', cidr: '127.0.0.0/16', dataCenter: 'dc1' }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(
      addContainer(db.store, { name: 'plan4', cidr: '10.99.0.0/16', dataCenter: 'dc1' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      addContainer(db.store, { name: 'nodc', cidr: '10.99.0.0/16', dataCenter: 'dc9' }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_DATA_CENTER' });
    // Another data center may reuse the prefix.
    await addContainer(db.store, { name: 'plan4-dc2', cidr: '10.40.0.0/16', dataCenter: 'dc2' });
    // The database refuses an overlap even when the logic's check is bypassed.
    const [dc] = await q(`SELECT id FROM data_center WHERE name = 'dc1'`);
    await expect(
      q(`INSERT INTO container (name, cidr, data_center_id) VALUES ('raw', '10.40.0.0/16', $1)`, [dc.id]),
    ).rejects.toMatchObject({ code: '23P01' });

    await expect(removeContainer(db.store, 'idem')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/still holds 1 network/),
    });
    await expect(removeDataCenter(db.store, 'dc2')).rejects.toMatchObject({ code: 'CONFLICT' });
    await removeNetwork(db.store, 'idem-a', {});
    await removeContainer(db.store, 'idem');
    expect((await listContainers(db.store)).map((c) => c.name)).not.toContain('idem');
    await expect(removeContainer(db.store, 'idem')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
