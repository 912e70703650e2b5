/**
 * Hold-down: a released address waits out its network's hold-down before it is issued again (the
 * clock is moved, not slept on); without one, a released address is the next issued.
 */
import { commission } from '../../src/logic/allocation/commission';
import { decommission } from '../../src/logic/allocation/decommission';
import { editNetwork } from '../../src/logic/topology/networks';
import { addDataCenter, addNetwork } from '../../src/logic/topology/topology';
import { world, type RuleWorld } from './support';

describe('hold-down', () => {
  let w: RuleWorld;
  const take = async (vlan: number, serverInstance: string) =>
    (
      await commission(w.store, {
        dataCenter: 'dc1',
        vlan,
        serverInstance,
        wantAddress: true,
        wantName: false,
        family: 4,
      })
    ).address;
  const give = (vlan: number, serverInstance: string) =>
    decommission(w.store, { dataCenter: 'dc1', vlan, serverInstance, releaseAddress: true, releaseName: true });
  const held = (name: string) =>
    w.memory.transaction(async (tx) => tx.topology.heldRanges((await tx.topology.networkByName(name))!.id));

  beforeAll(async () => {
    w = world();
    await addDataCenter(w.store, 'dc1');
    await addNetwork(w.store, {
      name: 'held29',
      cidr: '10.5.0.0/29',
      dataCenter: 'dc1',
      vlan: 50,
      holdDownSeconds: 600,
    });
    await addNetwork(w.store, {
      name: 'held30',
      cidr: '10.6.0.0/30',
      dataCenter: 'dc1',
      vlan: 60,
      holdDownSeconds: 600,
    });
    await addNetwork(w.store, { name: 'plain', cidr: '10.7.0.0/29', dataCenter: 'dc1', vlan: 70 });
  });
  afterAll(() => w.memory.close());

  test('without a hold-down the released address is the next one issued', async () => {
    expect(await take(70, 'p1')).toBe('10.7.0.2');
    await give(70, 'p1');
    expect(await take(70, 'p2')).toBe('10.7.0.2');
    expect(await held('plain')).toEqual([]);
  });

  test('a held address is skipped while held and issued again once the hold-down ends', async () => {
    expect(await take(50, 'a')).toBe('10.5.0.2');
    await give(50, 'a');
    expect(await held('held29')).toEqual([{ first: '10.5.0.2', last: '10.5.0.2' }]);
    expect(await take(50, 'b')).toBe('10.5.0.3');
    w.advance(599);
    expect(await take(50, 'c')).toBe('10.5.0.4');
    w.advance(1);
    expect(await held('held29')).toEqual([]);
    expect(await take(50, 'd')).toBe('10.5.0.2');
  });

  test('a network whose only address is held is full until the hold-down ends', async () => {
    expect(await take(60, 'x')).toBe('10.6.0.2');
    await give(60, 'x');
    await expect(take(60, 'y')).rejects.toMatchObject({ code: 'NO_FREE_ADDRESS' });
    w.advance(600);
    expect(await take(60, 'y')).toBe('10.6.0.2');
  });

  test('lowering the hold-down later does not shorten holds already running', async () => {
    await give(60, 'y');
    await editNetwork(w.store, 'held30', { holdDownSeconds: 0 });
    await expect(take(60, 'z')).rejects.toMatchObject({ code: 'NO_FREE_ADDRESS' });
    expect(await held('held30')).toEqual([{ first: '10.6.0.2', last: '10.6.0.2' }]);
  });

  test('hold-down values are checked', async () => {
    await expect(
      addNetwork(w.store, { name: 'bad', cidr: '10.9.0.0/29', dataCenter: 'dc1', vlan: 90, holdDownSeconds: -1 }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(editNetwork(w.store, 'plain', { holdDownSeconds: 'soon' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(editNetwork(w.store, 'plain', { holdDownSeconds: 365 * 24 * 3600 + 1 })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });
});
