/**
 * The hot path through the real HTTP server, on both stores: how many statements one commission
 * and one release cost (counted on the driver, warm, authentication on), answers that stay true
 * while the network is split and merged under them, the retry-safe release by allocationId, and
 * the store's PTR owner matching the logic's.
 */
import { authOptions } from '../../src/api/operation';
import { reverseName } from '../../src/logic/dns/dns';
import { formatAddress, parseCidr, cidrContains } from '../../src/logic/core/ip';
import { mergeNetworks, splitNetwork } from '../../src/logic/topology/networks';
import { addDataCenter, addNetwork, addZone } from '../../src/logic/topology/topology';
import { addUser } from '../../src/logic/access/users';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { call, type Fields } from '../support/soap';

const ORCH = { username: 'orch-rt', password: 'round-trip-password-1' };

describe.each(BACKENDS)('hot path (%s store)', (backend) => {
  let db: TestStore;
  let server: RunningServer;
  const soap = (op: string, f: Fields) => call(server.url, op, { dataCenter: 'dc1', ...f }, ORCH);

  beforeAll(async () => {
    db = await openTestStore(backend);
    await addDataCenter(db.store, 'dc1');
    await addZone(db.store, 'rt.test');
    await addNetwork(db.store, { name: 'rt', cidr: '10.60.0.0/24', dataCenter: 'dc1', vlan: 60, zone: 'rt.test' });
    await addNetwork(db.store, {
      name: 'soak',
      cidr: '10.91.0.0/22',
      dataCenter: 'dc1',
      vlan: 91,
      zone: 'rt.test',
      gateway: '10.91.0.1',
    });
    await addUser(db.store, {
      username: ORCH.username,
      password: ORCH.password,
      role: 'orchestrator',
      grants: [{ dataCenter: 'dc1' }],
    });
    server = await startServer(db.store, { auth: authOptions(true) });
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  test('warm: one statement per commission and one per release, with authentication on', async () => {
    // Warm-up: the configuration is loaded, the password verified, a block of name numbers reserved.
    const w = await soap('CommissionIP', { vlan: 60, serverInstance: 'rt-warm', wantName: true });
    expect(w.fault).toBeUndefined();
    expect((await soap('DecommissionIP', { vlan: 60, allocationId: w.values.allocationId })).values.releasedCount).toBe(
      '1',
    );

    const n = 10;
    const ids: string[] = [];
    let before = db.store.stats.roundTrips;
    for (let i = 0; i < n; i++) {
      const r = await soap('CommissionIP', { vlan: 60, serverInstance: `rt-${i}`, wantName: true });
      expect(r.fault).toBeUndefined();
      ids.push(r.values.allocationId);
    }
    const commissions = db.store.stats.roundTrips - before;
    before = db.store.stats.roundTrips;
    for (const id of ids)
      expect((await soap('DecommissionIP', { vlan: 60, allocationId: id })).values.releasedCount).toBe('1');
    const releases = db.store.stats.roundTrips - before;
    // Exactly one each, but for the name-number block refill (one statement per 32 names).
    expect(commissions).toBeGreaterThanOrEqual(n);
    expect(commissions).toBeLessThanOrEqual(n + 1);
    expect(releases).toBe(n);
  });

  test('a nonce authenticated from memory is still accepted once: a replay is refused, nothing written', async () => {
    const nonce = 'aG90LXBhdGgtbm9uY2UtMQ==';
    const first = await call(
      server.url,
      'CommissionIP',
      { dataCenter: 'dc1', vlan: 60, serverInstance: 'nonce-1' },
      { ...ORCH, nonce },
    );
    expect(first.fault).toBeUndefined();
    const again = await call(
      server.url,
      'CommissionIP',
      { dataCenter: 'dc1', vlan: 60, serverInstance: 'nonce-2' },
      { ...ORCH, nonce },
    );
    expect(again.fault?.code).toBe('AUTHENTICATION_FAILED');
    expect(again.fault?.message).toMatch(/replay/);
    const rows = await db.store.dataSource.query(
      `SELECT count(*)::int AS n FROM allocation WHERE server_instance = 'nonce-2'`,
    );
    expect(rows[0].n).toBe(0);
    const release = await call(
      server.url,
      'DecommissionIP',
      { dataCenter: 'dc1', vlan: 60, allocationId: first.values.allocationId },
      { ...ORCH, nonce },
    );
    expect(release.fault?.message).toMatch(/replay/);
  });

  test('a release by allocationId is safe to repeat: the second answers alreadyReleased', async () => {
    const c = await soap('CommissionIP', { vlan: 60, serverInstance: 'retry-me' });
    const first = await soap('DecommissionIP', { vlan: 60, allocationId: c.values.allocationId });
    expect(first.values.releasedCount).toBe('1');
    // The address goes to the next VM at once…
    const next = await soap('CommissionIP', { vlan: 60, serverInstance: 'next-vm' });
    expect(next.values.address).toBe(c.values.address);
    // …and the ESB's retry of the first release leaves it alone.
    const retry = await soap('DecommissionIP', { vlan: 60, allocationId: c.values.allocationId });
    expect(retry.fault).toBeUndefined();
    expect(retry.values).toMatchObject({ releasedCount: '0', alreadyReleased: 'true' });
    const held = await db.store.dataSource.query(
      `SELECT server_instance FROM allocation WHERE host(address) = $1 AND released_at IS NULL`,
      [c.values.address],
    );
    expect(held).toEqual([{ server_instance: 'next-vm' }]);
    // An id never issued on the VLAN is NOT_FOUND; a malformed one INVALID_REQUEST.
    expect(
      (await soap('DecommissionIP', { vlan: 60, allocationId: '00000000-0000-4000-8000-000000000000' })).fault?.code,
    ).toBe('NOT_FOUND');
    expect((await soap('DecommissionIP', { vlan: 60, allocationId: 'not-a-uuid' })).fault?.code).toBe(
      'INVALID_REQUEST',
    );
  });

  test('answers given while the network is split and merged name the network the allocation is in', async () => {
    const expected: Record<string, string> = {
      soak: '10.91.0.0/22',
      'soak-1': '10.91.0.0/23',
      'soak-2': '10.91.2.0/23',
    };
    let stop = false;
    const answers: Record<string, string>[] = [];
    const clients = Array.from({ length: 6 }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        const r = await soap('CommissionIP', { vlan: 91, serverInstance: `soak-${c}-${i}`, wantName: true });
        if (r.fault) throw new Error(`${r.fault.code}: ${r.fault.message}`);
        answers.push(r.values);
        if (i % 2 === 1) await soap('DecommissionIP', { vlan: 91, allocationId: r.values.allocationId });
      }
    });
    // At least 6 rounds, and enough answers given meanwhile (the embedded store serves one at a time).
    for (let round = 0; round < 40 && (round < 6 || answers.length < 20); round++) {
      await splitNetwork(db.store, 'soak', { prefixLength: 23 });
      await mergeNetworks(db.store, ['soak-1', 'soak-2'], { name: 'soak' });
    }
    stop = true;
    await Promise.all(clients);
    expect(answers.length).toBeGreaterThan(10);
    for (const a of answers) {
      const cidr = parseCidr(expected[a.network]);
      expect(`${a.network} ${a.prefixLength}`).toBe(`${a.network} ${cidr.prefixLength}`);
      const addr = parseCidr(`${a.address}/32`);
      expect(cidrContains(cidr, addr)).toBe(true);
      expect(a.address).not.toBe(formatAddress(4, cidr.network));
      expect(a.address).not.toBe(formatAddress(4, cidr.network + (1n << BigInt(32 - cidr.prefixLength)) - 1n));
      if (a.gateway !== undefined) expect(cidrContains(cidr, parseCidr(`${a.gateway}/32`))).toBe(true);
    }
  }, 60_000);

  test("the store's PTR owner names are the logic's", async () => {
    const samples = [
      '10.0.0.1',
      '192.0.2.255',
      '0.0.0.0',
      '2001:db8::1',
      'fe80::abcd:1',
      '2001:db8:0:1:2:3:4:5',
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ];
    const rows: { a: string; p: string }[] = await db.store.dataSource.query(
      `SELECT a, ipcd_ptr_name(a::inet) AS p FROM unnest($1::text[]) a`,
      [samples],
    );
    for (const r of rows) expect(r.p).toBe(reverseName(r.a));
  });
});
