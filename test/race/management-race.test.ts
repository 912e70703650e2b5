/**
 * Management changes racing commissions and releases on the same network (PostgreSQL, a pool of
 * real connections): splits, merges and reservations while clients take and give back addresses.
 * Afterwards nothing is lost or duplicated: every active address is unique, inside its network,
 * never reserved, and the free ranges are exactly the rest.
 */
import { commission } from '../../src/logic/allocation/commission';
import { decommission } from '../../src/logic/allocation/decommission';
import { freeRanges, reservedRanges } from '../../src/logic/topology/free-space';
import { parseAddress, rangeSize, subtractRanges } from '../../src/logic/core/ip';
import { mergeNetworks, splitNetwork } from '../../src/logic/topology/networks';
import { reserveRange, unreserveRange } from '../../src/logic/topology/reservations';
import { addDataCenter, addNetwork, addZone } from '../../src/logic/topology/topology';
import { openTestStore, type TestStore } from '../support/backends';

describe('management racing commissions (postgres store)', () => {
  let db: TestStore;
  const q = (sql: string, params: unknown[] = []) => db.store.dataSource.query(sql, params);

  beforeAll(async () => {
    db = await openTestStore('postgres', 12);
    await addDataCenter(db.store, 'dc1');
    await addZone(db.store, 'race.test');
    await addNetwork(db.store, { name: 'hot', cidr: '10.70.0.0/22', dataCenter: 'dc1', vlan: 70, zone: 'race.test' });
  });
  afterAll(() => db?.dispose());

  test('eight clients commission and release while the network is split, merged and reserved', async () => {
    let stop = false;
    const issued = new Map<string, string>(); // instance -> address, as the clients saw it
    const client = async (c: number) => {
      for (let i = 0; !stop; i++) {
        const instance = `c${c}-${i}`;
        const r = await commission(db.store, {
          dataCenter: 'dc1',
          vlan: 70,
          serverInstance: instance,
          wantAddress: true,
          wantName: true,
          family: 4,
        });
        issued.set(instance, r.address!);
        commissions++;
        if (i % 3 === 2) {
          await decommission(db.store, {
            dataCenter: 'dc1',
            vlan: 70,
            serverInstance: instance,
            releaseAddress: true,
            releaseName: true,
          });
          issued.delete(instance);
        }
      }
    };
    let splits = 0;
    let commissions = 0;
    const admin = async () => {
      for (let round = 0; round < 4; round++) {
        const kids = await splitNetwork(db.store, 'hot', { prefixLength: round % 2 ? 24 : 23 }).catch((e) => {
          // An allocation on a child's edge address makes the split impossible: a clean refusal.
          if (e.code !== 'SPLIT_REFUSED') throw e;
          return null;
        });
        const r = await reserveRange(
          db.store,
          kids ? kids.find((k) => k.cidr.startsWith('10.70.1.') || k.cidr === '10.70.0.0/23')!.name : 'hot',
          { first: '10.70.1.10', last: '10.70.1.20' },
        ).catch((e) => {
          if (e.code !== 'CONFLICT') throw e;
          return null;
        });
        if (r) await unreserveRange(db.store, r.network, r.id);
        if (kids) splits++;
        if (kids)
          await mergeNetworks(
            db.store,
            kids.map((k) => k.name),
            { name: 'hot' },
          );
      }
    };
    const clients = Array.from({ length: 8 }, (_, c) => client(c));
    try {
      await admin();
    } finally {
      stop = true;
      await Promise.allSettled(clients);
    }
    await Promise.all(clients);
    // The race really happened: changes succeeded while clients were busy.
    expect(splits).toBeGreaterThanOrEqual(2);
    expect(commissions).toBeGreaterThan(50);

    const active: { address: string; network: string; cidr: string; instance: string }[] = await q(
      `SELECT host(a.address) AS address, n.name AS network, n.cidr::text AS cidr, a.server_instance AS instance
       FROM allocation a JOIN network n ON n.id = a.network_id WHERE a.released_at IS NULL AND a.address IS NOT NULL`,
    );
    expect(active.length).toBe(issued.size);
    for (const a of active) expect(issued.get(a.instance)).toBe(a.address);
    expect(new Set(active.map((a) => a.address)).size).toBe(active.length);
    const [net] = await q(`SELECT id, cidr::text AS cidr, host(gateway) AS gateway FROM network WHERE name = 'hot'`);
    expect(net.cidr).toBe('10.70.0.0/22');
    // The free ranges are exactly what is neither allocated, reserved, nor the network/broadcast/gateway.
    const free: { f: string; l: string }[] = await q(
      `SELECT host(first_addr) AS f, host(last_addr) AS l FROM free_range WHERE network_id = $1 ORDER BY first_addr`,
      [net.id],
    );
    const reservations = await q(
      `SELECT host(first_addr) AS first, host(last_addr) AS last FROM reservation WHERE network_id = $1`,
      [net.id],
    );
    const expected = freeRanges(
      { cidr: net.cidr, gateway: net.gateway },
      active.map((a) => a.address),
      reservedRanges(reservations),
    );
    const value = (t: string) => parseAddress(t)!.value;
    const actual = free.map((r) => ({ first: value(r.f), last: value(r.l) }));
    expect(rangeSize(actual)).toBe(rangeSize(expected));
    expect(subtractRanges(actual, expected)).toEqual([]);
    for (let i = 1; i < actual.length; i++) expect(actual[i].first > actual[i - 1].last).toBe(true);
    for (const a of active)
      expect(actual.some((r) => value(a.address) >= r.first && value(a.address) <= r.last)).toBe(false);
  });
});
