/**
 * Split and merge arithmetic: children tile the parent, every allocation and reservation lands in
 * the child that holds it, free space is rebuilt around them, and the refusals say why.
 */
import { commission } from '../../src/logic/allocation/commission';
import { mergeNetworks, splitNetwork } from '../../src/logic/topology/networks';
import { listReservations, reserveRange, unreserveRange } from '../../src/logic/topology/reservations';
import { addDataCenter, addNetwork, addZone } from '../../src/logic/topology/topology';
import { setAlertThreshold } from '../../src/logic/alerts/alerts';
import { world, type RuleWorld } from './support';

describe('split and merge', () => {
  let w: RuleWorld;
  const take = async (vlan: number, serverInstance: string, family: 4 | 6 = 4) =>
    (
      await commission(w.store, {
        dataCenter: 'dc1',
        vlan,
        serverInstance,
        wantAddress: true,
        wantName: family === 4,
        family,
      })
    ).address;
  const ranges = (name: string) =>
    w.memory.transaction(async (tx) => {
      const n = (await tx.topology.networkByName(name))!;
      return {
        allocated: await tx.topology.allocatedRanges(n.id),
        reserved: (await tx.topology.reservations(n.id)).map((r) => `${r.first}-${r.last}`),
      };
    });

  beforeAll(async () => {
    w = world();
    await addDataCenter(w.store, 'dc1');
    await addZone(w.store, 's.test');
    await addNetwork(w.store, {
      name: 'big',
      cidr: '10.50.0.0/24',
      dataCenter: 'dc1',
      vlan: 50,
      zone: 's.test',
      tags: { env: 'prod' },
    });
    await addNetwork(w.store, { name: 'v6', cidr: '2001:db8::/64', dataCenter: 'dc1', vlan: 60 });
  });
  afterAll(() => w.memory.close());

  test('a split tiles the parent; allocations, reservations and the threshold follow; free space is rebuilt', async () => {
    for (let i = 0; i < 3; i++) await take(50, `low-${i}`);
    await reserveRange(w.store, 'big', { first: '10.50.0.5', last: '10.50.0.200' });
    expect(await take(50, 'high')).toBe('10.50.0.201');
    await setAlertThreshold(w.store, 'big', 80);
    // The reservation straddles the halves: refused, nothing changed.
    await expect(splitNetwork(w.store, 'big', { prefixLength: 25 })).rejects.toMatchObject({
      code: 'SPLIT_REFUSED',
      message: expect.stringContaining('straddle'),
    });
    expect((await ranges('big')).allocated).toEqual([
      { first: '10.50.0.2', last: '10.50.0.4' },
      { first: '10.50.0.201', last: '10.50.0.201' },
    ]);
  });

  test('with the reservation inside one half the split goes through', async () => {
    await unreserveRange(w.store, 'big', (await listReservations(w.store, 'big'))[0].id);
    await reserveRange(w.store, 'big', { first: '10.50.0.130', last: '10.50.0.140', note: 'lb' });
    const kids = await splitNetwork(w.store, 'big', { prefixLength: 26 });
    expect(kids.map((k) => [k.name, k.cidr, k.gateway, k.tags])).toEqual([
      ['big-1', '10.50.0.0/26', '10.50.0.1', { env: 'prod' }],
      ['big-2', '10.50.0.64/26', null, { env: 'prod' }],
      ['big-3', '10.50.0.128/26', null, { env: 'prod' }],
      ['big-4', '10.50.0.192/26', null, { env: 'prod' }],
    ]);
    expect(await ranges('big-1')).toEqual({ allocated: [{ first: '10.50.0.2', last: '10.50.0.4' }], reserved: [] });
    expect(await ranges('big-3')).toEqual({ allocated: [], reserved: ['10.50.0.130-10.50.0.140'] });
    expect(await ranges('big-4')).toEqual({ allocated: [{ first: '10.50.0.201', last: '10.50.0.201' }], reserved: [] });
    const thresholds = await w.memory.transaction(async (tx) =>
      Promise.all(kids.map((k) => tx.alerts.alertThreshold(k.id))),
    );
    expect(thresholds).toEqual([80, 80, 80, 80]);
    // Free space rebuilt: a child without a gateway issues its first address after the network address.
    expect(await take(50, 'next')).toBe('10.50.0.5');
  });

  test('an allocated address that would become a network or broadcast address refuses the split', async () => {
    await expect(splitNetwork(w.store, 'big-1', { prefixLength: 30 })).rejects.toMatchObject({
      code: 'SPLIT_REFUSED',
      message: expect.stringContaining('10.50.0.3 is allocated and would become the network or broadcast address'),
    });
    await expect(splitNetwork(w.store, 'big-1', { prefixLength: 26 })).rejects.toMatchObject({ code: 'SPLIT_REFUSED' });
    await expect(splitNetwork(w.store, 'big-1', { prefixLength: 31 })).rejects.toMatchObject({ code: 'SPLIT_REFUSED' });
    await expect(splitNetwork(w.store, 'v6', { prefixLength: 73 })).rejects.toMatchObject({
      code: 'SPLIT_REFUSED',
      message: expect.stringContaining('at most 256'),
    });
  });

  test('merge puts siblings back together, keeping every allocation; non-siblings are refused', async () => {
    await expect(mergeNetworks(w.store, ['big-2', 'big-3'], {})).rejects.toMatchObject({
      code: 'MERGE_REFUSED',
      message: expect.stringContaining('adjacent siblings'),
    });
    const half = await mergeNetworks(w.store, ['big-3', 'big-4'], { name: 'upper' });
    expect([half.name, half.cidr]).toEqual(['upper', '10.50.0.128/25']);
    const whole = await mergeNetworks(w.store, ['big-1', 'big-2', 'upper'], {});
    expect([whole.name, whole.cidr, whole.gateway]).toEqual(['big-1', '10.50.0.0/24', '10.50.0.1']);
    expect(await ranges('big-1')).toEqual({
      allocated: [
        { first: '10.50.0.2', last: '10.50.0.5' },
        { first: '10.50.0.201', last: '10.50.0.201' },
      ],
      reserved: ['10.50.0.130-10.50.0.140'],
    });
    expect(await take(50, 'after-merge')).toBe('10.50.0.6');
  });

  test('an IPv6 /64 splits into /66s without walking its addresses', async () => {
    expect(await take(60, 'six', 6)).toBe('2001:db8::2');
    const kids = await splitNetwork(w.store, 'v6', { prefixLength: 66 });
    expect(kids.map((k) => k.cidr)).toEqual([
      '2001:db8::/66',
      '2001:db8:0:0:4000::/66',
      '2001:db8:0:0:8000::/66',
      '2001:db8:0:0:c000::/66',
    ]);
    expect(await take(60, 'six-2', 6)).toBe('2001:db8::3');
  });
});
