/**
 * Names: the network's pattern with the zone's sequence (shared by every network of the zone), a
 * hostname hint first and then hint-N, names never issued twice while held, name-only requests.
 */
import { commission, nameOnly } from '../../src/logic/allocation/commission';
import { decommission } from '../../src/logic/allocation/decommission';
import { renderName } from '../../src/logic/allocation/names';
import { addDataCenter, addNetwork, addZone } from '../../src/logic/topology/topology';
import { world, type RuleWorld } from './support';

describe('naming', () => {
  let w: RuleWorld;
  const named = async (vlan: number, hostnameHint?: string, serverInstance = `vm-${Math.random()}`) =>
    (
      await commission(w.store, {
        dataCenter: 'dc1',
        vlan,
        serverInstance,
        wantAddress: true,
        wantName: true,
        hostnameHint,
        family: 4,
      })
    ).fqdn;

  beforeAll(async () => {
    w = world();
    await addDataCenter(w.store, 'dc1');
    await addZone(w.store, 'a.test');
    await addZone(w.store, 'b.test');
    await addNetwork(w.store, { name: 'a1', cidr: '10.1.0.0/24', dataCenter: 'dc1', vlan: 1, zone: 'a.test' });
    await addNetwork(w.store, {
      name: 'a2',
      cidr: '10.2.0.0/24',
      dataCenter: 'dc1',
      vlan: 2,
      zone: 'a.test',
      namePattern: 'web{seq:3}-prod',
    });
    await addNetwork(w.store, { name: 'b1', cidr: '10.3.0.0/24', dataCenter: 'dc1', vlan: 3, zone: 'B.test' });
    await addNetwork(w.store, { name: 'nozone', cidr: '10.4.0.0/24', dataCenter: 'dc1', vlan: 4 });
  });
  afterAll(() => w.memory.close());

  test('patterns render the sequence, padded as asked', () => {
    expect(renderName('vm-{seq:6}', 42n)).toBe('vm-000042');
    expect(renderName('db{seq}', 7n)).toBe('db7');
  });

  test('one sequence per zone, shared by its networks whatever their pattern; another zone counts on its own', async () => {
    expect(await named(1)).toBe('vm-000001.a.test');
    expect(await named(2)).toBe('web002-prod.a.test');
    expect(await named(1)).toBe('vm-000003.a.test');
    expect(await named(3)).toBe('vm-000001.b.test');
  });

  test('a hint is used as given first, then hint-N with the next number', async () => {
    expect(await named(1, 'db')).toBe('db.a.test');
    expect(await named(1, 'db')).toBe('db-4.a.test');
    expect(await named(3, 'db')).toBe('db.b.test');
  });

  test('a name held is not issued again; released, it may be', async () => {
    expect(await named(1, 'solo', 'solo-vm')).toBe('solo.a.test');
    expect(await named(1, 'solo')).toBe('solo-5.a.test');
    await decommission(w.store, {
      dataCenter: 'dc1',
      vlan: 1,
      name: 'solo.a.test',
      releaseAddress: true,
      releaseName: true,
    });
    expect(await named(1, 'solo')).toBe('solo.a.test');
  });

  test("name-only: a name in the VLAN's zone and no address; no zone on the VLAN is NO_ZONE", async () => {
    const r = await nameOnly(w.store, { dataCenter: 'dc1', vlan: 3, serverInstance: 'n1', hostnameHint: 'only' });
    expect([r.fqdn, r.address, r.gateway]).toEqual(['only.b.test', null, null]);
    await expect(nameOnly(w.store, { dataCenter: 'dc1', vlan: 4, serverInstance: 'n2' })).rejects.toMatchObject({
      code: 'NO_ZONE',
    });
    await expect(named(4)).rejects.toMatchObject({ code: 'NO_ZONE' });
    // The refused request took nothing: the next address of the zoneless network is its first.
    const plain = await commission(w.store, {
      dataCenter: 'dc1',
      vlan: 4,
      serverInstance: 'n3',
      wantAddress: true,
      wantName: false,
      family: 4,
    });
    expect(plain.address).toBe('10.4.0.2');
  });
});
