/**
 * The DNS outbox on both stores: changes are written in the issuing/releasing transaction, the
 * per-allocation state follows them, and claims keep per-name order and never hand one change
 * to two workers — also with two connection pools (two processes) racing on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { commission, nameOnly } from '../../src/logic/allocation/commission';
import { decommission } from '../../src/logic/allocation/decommission';
import { clearZoneDns, listDnsZones, setZoneDns } from '../../src/logic/dns/dns-config';
import { reverseName, reverseZoneName, retryDelayMs, type DnsChange } from '../../src/logic/dns/dns';
import { dnsOutboxStats } from '../../src/logic/dns/outbox';
import { parseCidr } from '../../src/logic/core/ip';
import { listAllocations } from '../../src/logic/reporting/listing';
import { searchAllocations } from '../../src/logic/reporting/search';
import { removeNetwork } from '../../src/logic/topology/networks';
import type { Store } from '../../src/store/store';
import { addDataCenter, addNetwork, addZone } from '../../src/logic/topology/topology';
import { openStore } from '../../src/store/open';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';

const KEY = `key "k1" {\n\talgorithm hmac-sha256;\n\tsecret "${Buffer.alloc(32, 7).toString('base64')}";\n};\n`;
// Nothing listens there: the tests below only look at the outbox, no worker runs.
const SERVER = '127.0.0.1:9';

async function rows(store: Store) {
  return (
    store as unknown as { dataSource: { query(q: string): Promise<Record<string, unknown>[]> } }
  ).dataSource.query(`SELECT id::text AS id, owner, action, rtype, rdata, state FROM dns_outbox ORDER BY id`);
}

const claim = (store: Store, token = randomUUID(), limit = 100) =>
  store.transaction((tx) => tx.dns.claimDnsChanges(limit, 60, token)).then((c) => ({ token, changes: c }));
const finish = (store: Store, token: string, c: DnsChange) =>
  store.transaction((tx) => tx.dns.finishDnsChange(c.id, token, { state: 'done' }));

describe('DNS names and backoff', () => {
  test('reverse names and reverse zones', () => {
    expect(reverseName('10.1.2.3')).toBe('3.2.1.10.in-addr.arpa');
    expect(reverseName('2001:db8::1')).toBe(`1.${'0.'.repeat(23)}8.b.d.0.1.0.0.2.ip6.arpa`);
    expect(reverseZoneName(parseCidr('10.1.0.0/16'))).toBe('1.10.in-addr.arpa');
    expect(reverseZoneName(parseCidr('2001:db8:10::/48'))).toBe('0.1.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
    expect(() => reverseZoneName(parseCidr('10.1.0.0/20'))).toThrow(/octet/);
  });

  test('backoff doubles up to the ceiling and stays within it', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 60_000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(40, 5000, () => 1)).toBe(5000);
    expect(retryDelayMs(40, 5000, () => 0)).toBe(2500);
  });
});

describe.each(BACKENDS)('DNS outbox (%s store)', (backend) => {
  let db: TestStore;

  beforeAll(async () => {
    db = await openTestStore(backend);
    await addDataCenter(db.store, 'dc1');
    await addZone(db.store, 'dns.test');
    await addZone(db.store, 'dark.test');
    await addNetwork(db.store, { name: 'n4', cidr: '10.20.0.0/24', dataCenter: 'dc1', vlan: 20, zone: 'dns.test' });
    await addNetwork(db.store, { name: 'n6', cidr: '2001:db8:20::/64', dataCenter: 'dc1', vlan: 20, zone: 'dns.test' });
    await addNetwork(db.store, { name: 'dark', cidr: '10.30.0.0/24', dataCenter: 'dc1', vlan: 30, zone: 'dark.test' });
    await setZoneDns(db.store, 'dns.test', { server: SERVER, key: KEY });
    await setZoneDns(db.store, '10.20.0.0/16', { server: SERVER, key: KEY });
  });
  afterAll(async () => {
    await db?.dispose();
  });
  beforeEach(async () => {
    await (db.store as unknown as { dataSource: { query(q: string): Promise<unknown> } }).dataSource.query(
      `DELETE FROM dns_outbox`,
    );
  });

  const state = async (instance: string) =>
    (await listAllocations(db.store, { serverInstance: instance })).allocations.map((a) => a.dns);

  test('a commission queues A and PTR in its own transaction; a release queues their removal after them', async () => {
    const c = await commission(db.store, {
      dataCenter: 'dc1',
      vlan: 20,
      serverInstance: 'vm-a',
      wantAddress: true,
      wantName: true,
      hostnameHint: 'alpha',
      family: 4,
    });
    expect(await rows(db.store)).toMatchObject([
      { owner: 'alpha.dns.test', action: 'add', rtype: 'A', rdata: c.address, state: 'pending' },
      { owner: reverseName(c.address!), action: 'add', rtype: 'PTR', rdata: 'alpha.dns.test', state: 'pending' },
    ]);
    expect(await state('vm-a')).toEqual([{ state: 'PENDING', detail: null }]);
    // The management search shows the same state.
    expect((await searchAllocations(db.store, { serverInstance: 'vm-a' })).allocations.map((a) => a.dns)).toEqual([
      { state: 'PENDING', detail: null },
    ]);
    const stats = await dnsOutboxStats(db.store);
    expect(stats.pending).toBe(2);
    expect(stats.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
    await decommission(db.store, {
      dataCenter: 'dc1',
      vlan: 20,
      serverInstance: 'vm-a',
      releaseAddress: true,
      releaseName: true,
    });
    const after = await rows(db.store);
    expect(after.map((r) => `${r.action} ${r.rtype}`)).toEqual(['add A', 'add PTR', 'delete A', 'delete PTR']);
    // A second release of the same instance queues nothing more.
    await decommission(db.store, {
      dataCenter: 'dc1',
      vlan: 20,
      serverInstance: 'vm-a',
      releaseAddress: true,
      releaseName: true,
    });
    expect(await rows(db.store)).toHaveLength(4);
    // Released, with its removals queued: PENDING until they are delivered.
    const released = (await searchAllocations(db.store, { serverInstance: 'vm-a', includeReleased: true })).allocations;
    expect(released.map((a) => a.dns.state)).toEqual(['PENDING']);
  });

  test('IPv6 gets AAAA and no PTR where no reverse zone is configured; name-only and address-only publish nothing', async () => {
    await commission(db.store, {
      dataCenter: 'dc1',
      vlan: 20,
      serverInstance: 'vm-6',
      wantAddress: true,
      wantName: true,
      family: 6,
    });
    await nameOnly(db.store, { dataCenter: 'dc1', vlan: 20, serverInstance: 'vm-n' });
    await commission(db.store, {
      dataCenter: 'dc1',
      vlan: 20,
      serverInstance: 'vm-x',
      wantAddress: true,
      wantName: false,
      family: 4,
    });
    expect((await rows(db.store)).map((r) => r.rtype)).toEqual(['AAAA']);
    expect((await state('vm-n'))[0]).toMatchObject({ state: 'NONE' });
    expect((await state('vm-x'))[0]).toMatchObject({ state: 'NONE' });
  });

  test('a zone without a server publishes nothing and says so; configuring it publishes what is issued', async () => {
    await commission(db.store, {
      dataCenter: 'dc1',
      vlan: 30,
      serverInstance: 'vm-d',
      wantAddress: true,
      wantName: true,
      hostnameHint: 'dim',
      family: 4,
    });
    expect(await rows(db.store)).toEqual([]);
    expect((await state('vm-d'))[0]).toMatchObject({ state: 'NOT_CONFIGURED' });
    expect((await listDnsZones(db.store)).find((z) => z.zone === 'dark.test')).toMatchObject({ server: null });
    await setZoneDns(db.store, 'dark.test', { server: SERVER, key: KEY });
    expect(await rows(db.store)).toMatchObject([{ owner: 'dim.dark.test', action: 'add', rtype: 'A' }]);
    await clearZoneDns(db.store, 'dark.test');
    expect(await rows(db.store)).toMatchObject([{ owner: 'dim.dark.test', state: 'skipped' }]);
    expect((await state('vm-d'))[0]).toMatchObject({ state: 'NOT_CONFIGURED' });
  });

  test('a change is claimed once, and a later change of the same name only after it', async () => {
    await commission(db.store, {
      dataCenter: 'dc1',
      vlan: 20,
      serverInstance: 'vm-o',
      wantAddress: true,
      wantName: true,
      hostnameHint: 'order',
      family: 4,
    });
    await decommission(db.store, {
      dataCenter: 'dc1',
      vlan: 20,
      serverInstance: 'vm-o',
      releaseAddress: true,
      releaseName: true,
    });
    const first = await claim(db.store);
    expect(first.changes.map((c) => `${c.action} ${c.rtype}`)).toEqual(['add A', 'add PTR']);
    expect((await claim(db.store)).changes).toEqual([]);
    await finish(db.store, first.token, first.changes[0]);
    const second = await claim(db.store);
    expect(second.changes.map((c) => `${c.action} ${c.rtype}`)).toEqual(['delete A']);
    // A finish under a lost claim changes nothing.
    await db.store.transaction((tx) => tx.dns.finishDnsChange(first.changes[1].id, randomUUID(), { state: 'done' }));
    expect((await rows(db.store)).find((r) => r.id === first.changes[1].id)?.state).toBe('pending');
  });

  test('removing a network with force queues the removal of its records', async () => {
    await addNetwork(db.store, { name: 'gone', cidr: '10.20.9.0/24', dataCenter: 'dc1', vlan: 29, zone: 'dns.test' });
    await commission(db.store, {
      dataCenter: 'dc1',
      vlan: 29,
      serverInstance: 'vm-g',
      wantAddress: true,
      wantName: true,
      hostnameHint: 'gone1',
      family: 4,
    });
    await removeNetwork(db.store, 'gone', { force: true });
    expect((await rows(db.store)).map((r) => `${r.action} ${r.rtype}`)).toEqual([
      'add A',
      'add PTR',
      'delete A',
      'delete PTR',
    ]);
  });

  if (backend === 'postgres') {
    test('two processes claiming at once: every change delivered once, per name in order', async () => {
      const other = await openStore({ databaseUrl: db.url!, poolSize: 4 });
      try {
        for (let i = 0; i < 40; i++) {
          await commission(db.store, {
            dataCenter: 'dc1',
            vlan: 20,
            serverInstance: `race-${i}`,
            wantAddress: true,
            wantName: true,
            hostnameHint: `race${i}`,
            family: 4,
          });
          await decommission(db.store, {
            dataCenter: 'dc1',
            vlan: 20,
            serverInstance: `race-${i}`,
            releaseAddress: true,
            releaseName: true,
          });
        }
        const delivered: { id: string; owner: string; action: string }[] = [];
        const inFlight = new Set<string>();
        const worker = async (store: Store) => {
          for (let idle = 0; idle < 3;) {
            const { token, changes } = await claim(store, randomUUID(), 7);
            if (changes.length === 0) {
              idle++;
              await new Promise((r) => setTimeout(r, 20));
              continue;
            }
            idle = 0;
            for (const c of changes) {
              expect(inFlight.has(c.owner)).toBe(false);
              inFlight.add(c.owner);
            }
            await new Promise((r) => setTimeout(r, 5));
            for (const c of changes) {
              delivered.push({ id: c.id, owner: c.owner, action: c.action });
              inFlight.delete(c.owner);
              await finish(store, token, c);
            }
          }
        };
        await Promise.all([worker(db.store), worker(other.store), worker(db.store), worker(other.store)]);
        expect(delivered).toHaveLength(160);
        expect(new Set(delivered.map((d) => d.id)).size).toBe(160);
        // Per owner, in the order queued: each name add then delete; the reused address's PTR add, delete, add, delete, ...
        for (const owner of new Set(delivered.map((d) => d.owner))) {
          const mine = delivered.filter((d) => d.owner === owner);
          expect(mine.map((d) => BigInt(d.id))).toEqual(mine.map((d) => BigInt(d.id)).sort((a, b) => (a < b ? -1 : 1)));
          expect(mine.map((d) => d.action)).toEqual(mine.map((_, i) => (i % 2 ? 'delete' : 'add')));
        }
        expect((await dnsOutboxStats(db.store)).pending).toBe(0);
      } finally {
        await other.store.close();
      }
    });
  }
});
