/**
 * Management logic on both stores: split and merge keep every allocation at its address and
 * name, reservations are never handed out, removal needs force, searches and metering answer
 * only within the caller's scope, and each change leaves its audit row.
 */
import { commission } from '../../src/logic/allocation/commission';
import { decommission } from '../../src/logic/allocation/decommission';
import { queryAudit } from '../../src/logic/audit/audit-query';
import { tenantUsage, usageCsv } from '../../src/logic/reporting/metering';
import { setAlertThreshold } from '../../src/logic/alerts/alerts';
import { editNetwork, mergeNetworks, removeNetwork, splitNetwork, tagNetwork } from '../../src/logic/topology/networks';
import type { Actor } from '../../src/logic/access/policy';
import { listReservations, reserveRange, unreserveRange } from '../../src/logic/topology/reservations';
import { searchAllocations, searchNetworks, tenantUtilization } from '../../src/logic/reporting/search';
import {
  addDataCenter,
  addNetwork,
  addTenant,
  addZone,
  removeDataCenter,
  removeTenant,
  removeZone,
} from '../../src/logic/topology/topology';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';

const tenantActor = (tenantId: number, username = 'tenant-user'): Actor => ({
  principal: { username, role: 'tenant', tenantId, grants: [] },
});
const orchestrator: Actor = {
  principal: {
    username: 'orch',
    role: 'orchestrator',
    tenantId: null,
    grants: [{ dataCenterId: null, tenantId: null }],
  },
};

describe.each(BACKENDS)('network management (%s store)', (backend) => {
  let db: TestStore;
  const q = async (sql: string, params: unknown[] = []) => db.store.dataSource.query(sql, params);
  const lastAudit = async () => (await q(`SELECT * FROM audit_log ORDER BY id DESC LIMIT 1`))[0];
  const take = (vlan: number, serverInstance: string, wantName = true) =>
    commission(db.store, { dataCenter: 'dc1', vlan, serverInstance, wantAddress: true, wantName, family: 4 });

  beforeAll(async () => {
    db = await openTestStore(backend);
    await addDataCenter(db.store, 'dc1');
    await addZone(db.store, 'm.test');
    await addTenant(db.store, 'ta');
    await addTenant(db.store, 'tb');
    await addNetwork(db.store, {
      name: 'big',
      cidr: '10.50.0.0/24',
      dataCenter: 'dc1',
      vlan: 50,
      tenant: 'ta',
      zone: 'm.test',
      tags: { env: 'prod' },
    });
    await addNetwork(db.store, {
      name: 'other',
      cidr: '10.60.0.0/28',
      dataCenter: 'dc1',
      vlan: 60,
      tenant: 'tb',
      zone: 'm.test',
    });
  });
  afterAll(() => db?.dispose());

  test('split moves every allocation to the child that contains it, names kept; merge puts them back', async () => {
    const issued = [];
    for (let i = 0; i < 5; i++) issued.push(await take(50, `vm-${i}`));
    // Reserving the middle makes the next ones land above .128, in the second half.
    await reserveRange(db.store, 'big', { first: '10.50.0.7', last: '10.50.0.200', note: 'appliances' });
    for (let i = 5; i < 9; i++) issued.push(await take(50, `vm-${i}`));
    expect(issued.map((r) => r.address)).toEqual([
      '10.50.0.2',
      '10.50.0.3',
      '10.50.0.4',
      '10.50.0.5',
      '10.50.0.6',
      '10.50.0.201',
      '10.50.0.202',
      '10.50.0.203',
      '10.50.0.204',
    ]);
    await unreserveRange(db.store, 'big', (await listReservations(db.store, 'big'))[0].id);
    await reserveRange(db.store, 'big', { first: '10.50.0.100', last: '10.50.0.110' });

    await setAlertThreshold(db.store, 'big', 75);
    const children = await splitNetwork(db.store, 'big', { prefixLength: 25 });
    expect(
      await q(`SELECT name, alert_threshold_percent::float AS t FROM network WHERE name LIKE 'big-%' ORDER BY name`),
    ).toEqual([
      { name: 'big-1', t: 75 },
      { name: 'big-2', t: 75 },
    ]);
    expect(children.map((c) => [c.name, c.cidr, c.gateway, c.vlan, c.tags])).toEqual([
      ['big-1', '10.50.0.0/25', '10.50.0.1', 50, { env: 'prod' }],
      ['big-2', '10.50.0.128/25', null, 50, { env: 'prod' }],
    ]);
    const audit = await lastAudit();
    expect([audit.operation, audit.outcome, audit.actor]).toEqual(['SplitNetwork', 'ok', 'system']);

    const rows = (await searchAllocations(db.store, { dataCenter: 'dc1', vlan: 50, pageSize: 100 })).allocations;
    // No DNS server for m.test: named allocations say so.
    expect(new Set(rows.map((x) => x.dns.state))).toEqual(new Set(['NOT_CONFIGURED']));
    for (const r of issued) {
      const found = rows.find((x) => x.allocationId === r.allocationId)!;
      expect([found.address, found.fqdn]).toEqual([r.address, r.fqdn]);
      expect(found.network).toBe(Number(r.address!.split('.')[3]) < 128 ? 'big-1' : 'big-2');
    }
    expect((await listReservations(db.store, 'big-1')).map((x) => [x.first, x.last])).toEqual([
      ['10.50.0.100', '10.50.0.110'],
    ]);
    // The allocator continues in the children without reissuing anything.
    const next = await take(50, 'vm-after-split');
    expect(issued.map((r) => r.address)).not.toContain(next.address);
    await decommission(db.store, {
      dataCenter: 'dc1',
      vlan: 50,
      serverInstance: 'vm-after-split',
      releaseAddress: true,
      releaseName: true,
    });

    const merged = await mergeNetworks(db.store, ['big-2', 'big-1'], { name: 'big' });
    expect([merged.name, merged.cidr, merged.gateway]).toEqual(['big', '10.50.0.0/24', '10.50.0.1']);
    const after = (await searchAllocations(db.store, { network: 'big', pageSize: 100 })).allocations;
    expect(after.map((a) => [a.allocationId, a.address, a.fqdn]).sort()).toEqual(
      issued.map((r) => [r.allocationId, r.address, r.fqdn]).sort(),
    );
    // Released by address after the merge: the same allocation as issued before the split.
    const [released] = await decommission(db.store, {
      dataCenter: 'dc1',
      vlan: 50,
      address: issued[7].address!,
      releaseAddress: true,
      releaseName: true,
    });
    expect([released.allocationId, released.network, released.fqdn]).toEqual([
      issued[7].allocationId,
      'big',
      issued[7].fqdn,
    ]);
    // Reserved addresses are never handed out, even after the merge rebuilt the free ranges.
    const more = [];
    for (let i = 0; i < 120; i++) more.push((await take(50, `fill-${i}`, false)).address);
    expect(more.filter((a) => /^10\.50\.0\.(10\d|110)$/.test(a!))).toEqual([]);
    expect(new Set(more).size).toBe(more.length);
  });

  test('split and merge are refused when impossible, changing nothing', async () => {
    await expect(splitNetwork(db.store, 'other', { prefixLength: 28 })).rejects.toMatchObject({
      code: 'SPLIT_REFUSED',
    });
    await expect(splitNetwork(db.store, 'other', { prefixLength: 31 })).rejects.toMatchObject({
      code: 'SPLIT_REFUSED',
    });
    await take(60, 'edge-0');
    await take(60, 'edge-1');
    await take(60, 'edge-2');
    // 10.60.0.0/28 holds .2 .3 .4: .3 would be the broadcast of 10.60.0.0/30.
    await expect(splitNetwork(db.store, 'other', { prefixLength: 30 })).rejects.toMatchObject({
      code: 'SPLIT_REFUSED',
      message: expect.stringContaining('10.60.0.3'),
    });
    expect(await q(`SELECT name, cidr::text FROM network WHERE vlan = 60`)).toEqual([
      { name: 'other', cidr: '10.60.0.0/28' },
    ]);

    await addNetwork(db.store, {
      name: 'far',
      cidr: '10.60.1.0/28',
      dataCenter: 'dc1',
      vlan: 60,
      tenant: 'tb',
      zone: 'm.test',
    });
    await expect(mergeNetworks(db.store, ['other', 'far'], {})).rejects.toMatchObject({
      code: 'MERGE_REFUSED',
      message: expect.stringContaining('adjacent'),
    });
    await addNetwork(db.store, {
      name: 'next',
      cidr: '10.60.0.16/28',
      dataCenter: 'dc1',
      vlan: 60,
      tenant: 'tb',
      zone: 'm.test',
      tags: { env: 'x' },
    });
    await expect(mergeNetworks(db.store, ['other', 'next'], {})).rejects.toMatchObject({
      code: 'MERGE_REFUSED',
      message: expect.stringContaining('tags'),
    });
    const refusal = await lastAudit();
    expect([refusal.operation, refusal.outcome]).toEqual(['MergeNetworks', 'MERGE_REFUSED']);
    await tagNetwork(db.store, 'next', {}, ['env']);
    const m = await mergeNetworks(db.store, ['next', 'other'], {});
    expect([m.name, m.cidr]).toEqual(['other', '10.60.0.0/27']);
  });

  test('remove is refused while allocations are active, and with force releases them and says so', async () => {
    await expect(removeNetwork(db.store, 'other', {})).rejects.toMatchObject({
      code: 'NETWORK_IN_USE',
      message: expect.stringContaining('3 active'),
    });
    const { released } = await removeNetwork(db.store, 'other', { force: true });
    expect(released).toBe(3);
    expect(
      await q(
        `SELECT count(*)::int AS n FROM allocation WHERE release_reason = 'NETWORK_REMOVED' AND network_id IS NULL`,
      ),
    ).toEqual([{ n: 3 }]);
    const audit = await lastAudit();
    expect([audit.operation, audit.after]).toEqual(['RemoveNetwork', { removed: true, forced: true, released: 3 }]);
    // The names are free again.
    await removeNetwork(db.store, 'far', {});
  });

  test('edit changes attributes; the gateway cannot be an allocated address', async () => {
    const before = (await searchNetworks(db.store, { name: 'big' })).networks[0];
    const e = await editNetwork(db.store, 'big', { priority: 5, tags: { env: 'staging', owner: 'ops' }, tenant: null });
    expect([e.priority, e.tags, e.tenantId]).toEqual([5, { env: 'staging', owner: 'ops' }, null]);
    await expect(editNetwork(db.store, 'big', { gateway: '10.50.0.2' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await editNetwork(db.store, 'big', { tenant: 'ta' });
    expect(
      (await searchNetworks(db.store, { tagKey: 'owner', tagValue: 'ops' })).networks.map((n) => n.network.name),
    ).toEqual(['big']);
    expect((await searchNetworks(db.store, { tagKey: 'owner', tagValue: 'dev' })).networks).toEqual([]);
    expect(before.used).toBeGreaterThan(0n);
  });

  test('reservations: inside the network, not over allocated or reserved addresses', async () => {
    await expect(reserveRange(db.store, 'big', { first: '10.51.0.1' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    await expect(reserveRange(db.store, 'big', { first: '10.50.0.2' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(reserveRange(db.store, 'big', { first: '10.50.0.105', last: '10.50.0.120' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const v = (await searchNetworks(db.store, { name: 'big' })).networks[0];
    expect(v.reserved).toBe(11n);
    expect(v.free).toBe(v.assignable - v.used - 11n);
  });

  test('searches and utilization are limited to what a tenant may see; paging walks every row once', async () => {
    const [ta] = await q(`SELECT id FROM tenant WHERE name = 'ta'`);
    const [tb] = await q(`SELECT id FROM tenant WHERE name = 'tb'`);
    const seenByA = await searchNetworks(db.store, {}, tenantActor(ta.id));
    expect(seenByA.networks.map((n) => n.network.name)).toEqual(['big']);
    expect((await searchNetworks(db.store, {}, tenantActor(tb.id))).networks).toEqual([]);
    expect((await searchAllocations(db.store, {}, tenantActor(tb.id))).allocations).toEqual([]);
    expect((await searchAllocations(db.store, { tenant: 'tb' }, tenantActor(ta.id))).allocations).toEqual([]);
    const util = await tenantUtilization(db.store, tenantActor(ta.id));
    expect(util.map((u) => u.tenant)).toEqual(['ta']);

    const ids = new Set<string>();
    let after: string | undefined;
    let pages = 0;
    do {
      const p = await searchAllocations(db.store, { network: 'big', pageSize: 7, after });
      p.allocations.forEach((a) => ids.add(a.allocationId));
      after = p.nextPage ?? undefined;
      pages++;
    } while (after);
    const [{ n }] = await q(
      `SELECT count(*)::int AS n FROM allocation a JOIN network w ON w.id = a.network_id WHERE w.name = 'big' AND a.released_at IS NULL`,
    );
    expect(ids.size).toBe(n);
    expect(pages).toBe(Math.ceil(n / 7) + (n % 7 === 0 ? 1 : 0));
    await expect(searchAllocations(db.store, { after: 'bm9wZQ' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  test('the audit trail is filtered, paged and scoped; management by a non-admin is refused and recorded', async () => {
    const [ta] = await q(`SELECT id FROM tenant WHERE name = 'ta'`);
    await expect(editNetwork(db.store, 'big', { priority: 1 }, tenantActor(ta.id, 'mallory'))).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
    const refused = await lastAudit();
    expect([refused.actor, refused.operation, refused.outcome]).toEqual(['mallory', 'EditNetwork', 'ACCESS_DENIED']);
    await expect(splitNetwork(db.store, 'big', { prefixLength: 26 }, orchestrator)).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });

    const mine = await queryAudit(db.store, { pageSize: 1000 }, tenantActor(ta.id));
    expect(mine.entries.length).toBeGreaterThan(0);
    expect(mine.entries.every((e) => e.tenantId === ta.id)).toBe(true);
    const splits = await queryAudit(db.store, { operation: 'SplitNetwork' });
    expect(splits.entries.map((e) => e.outcome)).toEqual([
      'ok',
      'SPLIT_REFUSED',
      'SPLIT_REFUSED',
      'SPLIT_REFUSED',
      'ACCESS_DENIED',
    ]);
    const p1 = await queryAudit(db.store, { pageSize: 2 });
    const p2 = await queryAudit(db.store, { pageSize: 2, after: p1.nextPage! });
    expect(Number(p2.entries[0].id)).toBeGreaterThan(Number(p1.entries[1].id));
    // Newest first: the same rows in reverse, paged downwards; a cursor keeps its direction.
    const all = (await queryAudit(db.store, { pageSize: 1000 })).entries.map((e) => e.id);
    const n1 = await queryAudit(db.store, { pageSize: 3, newestFirst: true });
    const n2 = await queryAudit(db.store, { pageSize: 3, newestFirst: true, after: n1.nextPage! });
    expect([...n1.entries, ...n2.entries].map((e) => e.id)).toEqual([...all].reverse().slice(0, 6));
    await expect(queryAudit(db.store, { after: n1.nextPage! })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  test('metering: allocations and address-hours per tenant and day, as CSV', async () => {
    const from = new Date(Date.now() - 86_400_000);
    const to = new Date(Date.now() + 86_400_000);
    const rows = await tenantUsage(db.store, { from, to });
    const ta = rows.filter((r) => r.tenant === 'ta');
    expect(ta.length).toBeGreaterThan(0);
    const [{ n }] = await q(
      `SELECT count(*)::int AS n FROM allocation a JOIN tenant t ON t.id = a.tenant_id WHERE t.name = 'ta'`,
    );
    expect(Math.max(...ta.map((r) => r.allocations))).toBe(n);
    expect(ta.every((r) => r.addressHours >= 0 && r.addressHours < n * 24)).toBe(true);
    const [tb] = await q(`SELECT id FROM tenant WHERE name = 'tb'`);
    expect((await tenantUsage(db.store, { from, to }, tenantActor(tb.id))).every((r) => r.tenant === 'tb')).toBe(true);
    const csv = usageCsv(rows);
    expect(csv.split('\r\n')[0]).toBe('tenant,day,allocations,address_hours');
    expect(csv.split('\r\n')).toHaveLength(rows.length + 2);
    await expect(tenantUsage(db.store, { from: to, to: from })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  test('data centers, tenants and zones are removed only when nothing refers to them', async () => {
    await expect(removeTenant(db.store, 'ta')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(removeDataCenter(db.store, 'dc1')).rejects.toMatchObject({ code: 'CONFLICT' });
    await addZone(db.store, 'spare.test');
    await addTenant(db.store, 'spare');
    await removeZone(db.store, 'spare.test');
    await removeTenant(db.store, 'spare');
    await expect(removeZone(db.store, 'spare.test')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const refusal = await lastAudit();
    expect([refusal.operation, refusal.outcome]).toEqual(['RemoveZone', 'NOT_FOUND']);
    expect(
      (await q(`SELECT operation FROM audit_log WHERE outcome = 'ok' ORDER BY id DESC LIMIT 2`)).map(
        (r: { operation: string }) => r.operation,
      ),
    ).toEqual(['RemoveTenant', 'RemoveZone']);
  });
});
