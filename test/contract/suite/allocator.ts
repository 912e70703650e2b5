/**
 * The allocator port's contract: what ipcd_commission / ipcd_decommission promise, observed
 * through the ports only, so that every backend (memory, PGlite, PostgreSQL) is held to it.
 */
import type { CandidatePlan, CommissionOutcome, ReleasePlan } from '../../../src/logic/allocation/allocator-port';
import type { Network } from '../../../src/logic/core/model';
import { insertNetwork, plan, type ContractBackend, type OpenBackend } from './backend';

export function allocatorContract(backend: string, open: OpenBackend): void {
  describe(`allocator port contract (${backend})`, () => {
    let b: ContractBackend;
    let dc: number;
    let zone: number;
    let tenant: number;
    const nets: Record<string, Network> = {};
    let instances = 0;

    beforeAll(async () => {
      b = await open();
      await b.transaction(async (tx) => {
        dc = (await tx.topology.insertDataCenter('dc1', null)).id;
        await tx.topology.insertDataCenter('dc2', null);
        zone = (await tx.topology.insertZone('c.test')).id;
        tenant = (await tx.topology.insertTenant('ta', null)).id;
        const add = async (name: string, n: Omit<Parameters<typeof insertNetwork>[1], 'name' | 'dataCenterId'>) =>
          (nets[name] = await insertNetwork(tx, { name, dataCenterId: dc, ...n }));
        await add('n29', { cidr: '10.0.0.0/29', vlan: 5, zoneId: zone });
        await add('first', { cidr: '10.1.0.0/30', vlan: 10, tenantId: tenant });
        await add('second', { cidr: '10.1.1.0/30', vlan: 10, tenantId: tenant });
        await add('alt', { cidr: '10.2.0.0/30', vlan: 11, tenantId: tenant });
        await add('pool', { cidr: '10.3.0.0/29', reservePool: true });
        await add('v6', { cidr: '2001:db8::/64', vlan: 5 });
        await add('held', { cidr: '10.4.0.0/29', vlan: 12, holdDownSeconds: 1 });
        await add('race', { cidr: '10.5.0.0/26', vlan: 13 });
        await add('names', { cidr: '10.6.0.0/28', vlan: 14, zoneId: zone });
      });
    });
    afterAll(() => b?.dispose());

    const version = () => b.allocator.configVersion();
    const candidate = (n: Network, extra: Partial<CandidatePlan> = {}): CandidatePlan => ({
      networkId: n.id,
      source: 'VLAN',
      tenantId: n.tenantId,
      ...extra,
    });
    const take = async (
      n: Network,
      o: { instance?: string; names?: string[]; vlan?: number; extra?: Partial<CandidatePlan> } = {},
    ) =>
      b.allocator.commission(
        plan(await version(), {
          dataCenterId: dc,
          vlan: o.vlan ?? n.vlan ?? 0,
          serverInstance: o.instance ?? `s${++instances}`,
          intent: n.family === 6 ? 'IPv6' : 'IPv4',
          candidates: [
            candidate(n, { ...(o.names ? { names: o.names, zoneId: zone, zoneName: 'C.test' } : {}), ...o.extra }),
          ],
        }),
      );
    const address = (o: CommissionOutcome) =>
      o.status === 'ISSUED' || o.status === 'EXISTING' ? o.allocation.address : o.status;
    const release = async (p: Partial<ReleasePlan> & { vlan: number }) =>
      b.allocator.release({
        version: (await version()).toString(),
        dataCenterId: dc,
        releaseAddress: true,
        releaseName: true,
        reason: 'DELETED',
        holdDown: {},
        audit: {
          actor: 'contract',
          role: 'admin',
          operation: 'DecommissionIP',
          requestId: null,
          before: { address: '$address', name: '$name' },
          after: { released: '$releasedAddress', fqdn: '$releasedFqdn' },
        },
        ...p,
      });
    const give = async (n: Network, addr: string) => {
      const o = await release({ vlan: n.vlan ?? 0, address: addr });
      return o.status === 'OK' ? o.released.map((r) => r.address) : o.status;
    };

    test('takes addresses lowest first, never network, gateway or broadcast; then FULL', async () => {
      const got: (string | null)[] = [];
      for (let i = 0; i < 6; i++) got.push(address(await take(nets.n29)));
      expect(got).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', 'FULL']);
    });

    test('a released address is issued again at once, lowest first', async () => {
      expect(await give(nets.n29, '10.0.0.5')).toEqual(['10.0.0.5']);
      expect(await give(nets.n29, '10.0.0.3')).toEqual(['10.0.0.3']);
      expect(address(await take(nets.n29))).toBe('10.0.0.3');
      expect(address(await take(nets.n29))).toBe('10.0.0.5');
      expect(address(await take(nets.n29))).toBe('FULL');
    });

    test('a plan made from an outdated version writes nothing and answers the current one', async () => {
      expect(await give(nets.n29, '10.0.0.6')).toEqual(['10.0.0.6']);
      const before = await version();
      await b.transaction((tx) => tx.topology.insertTenant('bumps-the-version', null));
      const now = await version();
      expect(now).toBeGreaterThan(before);
      const stale = await b.allocator.commission(
        plan(before, { dataCenterId: dc, vlan: 5, serverInstance: 'stale', candidates: [candidate(nets.n29)] }),
      );
      expect(stale).toEqual({ status: 'STALE', version: now });
      const staleRelease = await b.allocator.release({
        version: before.toString(),
        dataCenterId: dc,
        vlan: 5,
        address: '10.0.0.2',
        releaseAddress: true,
        releaseName: true,
        reason: 'DELETED',
        holdDown: {},
        audit: { actor: 'a', role: 'admin', operation: 'x', requestId: null },
      });
      expect(staleRelease).toEqual({ status: 'STALE', version: now });
      expect(address(await take(nets.n29))).toBe('10.0.0.6');
      expect(await give(nets.n29, '10.0.0.2')).toEqual(['10.0.0.2']);
    });

    test('the snapshot is the configuration at its version', async () => {
      const s = await b.allocator.loadSnapshot();
      expect(s.version).toBe(await version());
      expect(s.dataCenters.map((d) => d.name)).toEqual(['dc1', 'dc2']);
      expect(s.networks.map((n) => n.name)).toEqual([
        'n29',
        'first',
        'second',
        'alt',
        'pool',
        'v6',
        'held',
        'race',
        'names',
      ]);
      expect(s.networks[0]).toEqual(nets.n29);
      expect(s.zones).toEqual([{ id: zone, name: 'c.test', publishes: false }]);
    });

    test('a name: the first of the names offered not in use; all in use: nothing written', async () => {
      const n = nets.names;
      const a = await take(n, { names: ['web-1', 'web-2'] });
      expect(a).toMatchObject({
        status: 'ISSUED',
        allocation: { address: '10.6.0.2', name: 'web-1', zoneId: zone },
        zone: 'C.test',
      });
      const c = await take(n, { names: ['web-1', 'web-2'] });
      expect(c).toMatchObject({ status: 'ISSUED', allocation: { address: '10.6.0.3', name: 'web-2' } });
      expect(await take(n, { names: ['web-1', 'web-2'] })).toEqual({ status: 'NAMES_TAKEN' });
      // The address the refused attempt took went back: the next commission gets it.
      expect(address(await take(n))).toBe('10.6.0.4');
      expect(await take(n, { extra: { noZone: true } })).toEqual({ status: 'NO_ZONE', networkId: n.id });
      expect(address(await take(n))).toBe('10.6.0.5');
    });

    test('one active allocation per (data center, VLAN, server instance, intent): a retry gets it back', async () => {
      const first = await take(nets.names, { instance: 'same-vm' });
      const again = await take(nets.names, { instance: 'same-vm' });
      expect(again.status).toBe('EXISTING');
      expect(again.status === 'EXISTING' && first.status === 'ISSUED' && again.allocation).toEqual(
        first.status === 'ISSUED' && first.allocation,
      );
      const name = await b.allocator.commission(
        plan(await version(), {
          dataCenterId: dc,
          vlan: 14,
          serverInstance: 'same-vm',
          intent: 'NAME',
          wantAddress: false,
          candidates: [candidate(nets.names, { names: ['only-name'], zoneId: zone, zoneName: 'c.test' })],
        }),
      );
      expect(name).toMatchObject({
        status: 'ISSUED',
        allocation: { address: null, name: 'only-name', intent: 'NAME' },
      });
    });

    test('candidates in order: the first with a free address serves, its source recorded; none: FULL', async () => {
      const order = [
        candidate(nets.first),
        candidate(nets.second),
        candidate(nets.alt, { source: 'TENANT_ALTERNATE' }),
        candidate(nets.pool, { source: 'RESERVE_POOL', tenantId: tenant }),
      ];
      const got: string[] = [];
      for (let i = 0; i < 9; i++) {
        const o = await b.allocator.commission(
          plan(await version(), { dataCenterId: dc, vlan: 10, serverInstance: `f${i}`, candidates: order }),
        );
        got.push(
          o.status === 'ISSUED'
            ? `${o.network.name} ${o.allocation.address} ${o.allocation.source} ${o.allocation.tenantId === tenant}`
            : o.status,
        );
      }
      expect(got).toEqual([
        'first 10.1.0.2 VLAN true',
        'second 10.1.1.2 VLAN true',
        'alt 10.2.0.2 TENANT_ALTERNATE true',
        'pool 10.3.0.2 RESERVE_POOL true',
        'pool 10.3.0.3 RESERVE_POOL true',
        'pool 10.3.0.4 RESERVE_POOL true',
        'pool 10.3.0.5 RESERVE_POOL true',
        'pool 10.3.0.6 RESERVE_POOL true',
        'FULL',
      ]);
    });

    test('a nonce is used once: the replay writes nothing', async () => {
      const nonce = { key: `n-${Date.now()}`, cutoff: new Date(Date.now() - 300_000).toISOString() };
      const p = plan(await version(), {
        dataCenterId: dc,
        vlan: 14,
        serverInstance: 'nonce-vm',
        nonce,
        candidates: [candidate(nets.names)],
      });
      expect((await b.allocator.commission(p)).status).toBe('ISSUED');
      expect(
        await b.allocator.commission({
          ...p,
          serverInstance: 'nonce-vm-2',
          allocationId: globalThis.crypto.randomUUID(),
        }),
      ).toEqual({ status: 'REPLAY' });
      expect(await release({ vlan: 14, serverInstance: 'nonce-vm', nonce })).toEqual({ status: 'REPLAY' });
      const fresh = { key: `${nonce.key}-2`, cutoff: nonce.cutoff };
      expect(await release({ vlan: 14, serverInstance: 'nonce-vm', nonce: fresh })).toMatchObject({
        status: 'OK',
        matched: 1,
      });
    });

    test('release by allocation id: then "already released"; an unknown id matches nothing', async () => {
      const o = await take(nets.names, { names: ['by-id'] });
      if (o.status !== 'ISSUED') throw new Error(o.status);
      const r = await release({ vlan: 14, allocationId: o.allocation.id });
      expect(r).toEqual({
        status: 'OK',
        matched: 1,
        released: [
          {
            allocationId: o.allocation.id,
            network: 'names',
            serverInstance: o.allocation.serverInstance,
            address: o.allocation.address,
            fqdn: 'by-id.c.test',
          },
        ],
      });
      expect(await release({ vlan: 14, allocationId: o.allocation.id })).toEqual({ status: 'ALREADY_RELEASED' });
      // Asked on another VLAN, it is not this request's allocation: nothing matches.
      expect(await release({ vlan: 5, allocationId: o.allocation.id })).toEqual({
        status: 'OK',
        matched: 0,
        released: [],
      });
      expect(await release({ vlan: 14, allocationId: globalThis.crypto.randomUUID() })).toEqual({
        status: 'OK',
        matched: 0,
        released: [],
      });
    });

    test('release in parts: the address first keeps the name; by name (and zone) then; by server instance', async () => {
      const o = await take(nets.names, { names: ['parts'], instance: 'parts-vm' });
      if (o.status !== 'ISSUED') throw new Error(o.status);
      const addr = await release({ vlan: 14, address: o.allocation.address!, releaseName: false });
      expect(addr).toMatchObject({
        status: 'OK',
        matched: 1,
        released: [{ address: o.allocation.address, fqdn: null }],
      });
      // The name is still held: it is not offered again.
      expect(await take(nets.names, { names: ['parts'] })).toEqual({ status: 'NAMES_TAKEN' });
      expect(await release({ vlan: 14, name: 'parts', zone: 'other.test' })).toEqual({
        status: 'OK',
        matched: 0,
        released: [],
      });
      expect(await release({ vlan: 14, name: 'parts', zone: 'c.test' })).toMatchObject({
        status: 'OK',
        matched: 1,
        released: [{ address: null, fqdn: 'parts.c.test' }],
      });
      expect(await release({ vlan: 14, serverInstance: 'parts-vm' })).toEqual({
        status: 'OK',
        matched: 0,
        released: [],
      });
      const two = [
        await take(nets.names, { instance: 'pair' }),
        await take(nets.names, { instance: 'pair', names: ['pair-name'], extra: {} }),
      ];
      expect(two.map((x) => x.status)).toEqual(['ISSUED', 'EXISTING']);
      expect(await release({ vlan: 14, serverInstance: 'pair' })).toMatchObject({ status: 'OK', matched: 1 });
    });

    test('a hold-down keeps a released address back until it ends', async () => {
      const n = nets.held;
      expect(address(await take(n))).toBe('10.4.0.2');
      const r = await release({ vlan: 12, address: '10.4.0.2', holdDown: { [n.id]: 1 } });
      expect(r).toMatchObject({ status: 'OK', released: [{ address: '10.4.0.2' }] });
      expect(await b.transaction((tx) => tx.topology.heldRanges(n.id))).toEqual([
        { first: '10.4.0.2', last: '10.4.0.2' },
      ]);
      expect(await b.transaction((tx) => tx.topology.occupiedAddresses(n.id))).toEqual(['10.4.0.2']);
      expect(address(await take(n, { extra: { holdDown: true } }))).toBe('10.4.0.3');
      await new Promise((res) => setTimeout(res, 1100));
      expect(await b.transaction((tx) => tx.topology.heldRanges(n.id))).toEqual([]);
      expect(address(await take(n, { extra: { holdDown: true } }))).toBe('10.4.0.2');
    });

    test('an IPv6 /64 hands out its lowest addresses', async () => {
      expect(address(await take(nets.v6))).toBe('2001:db8::2');
      expect(address(await take(nets.v6))).toBe('2001:db8::3');
      expect(await give(nets.v6, '2001:db8::2')).toEqual(['2001:db8::2']);
      expect(address(await take(nets.v6))).toBe('2001:db8::2');
    });

    test('name numbers come in consecutive blocks, each handed out once', async () => {
      const blocks = await Promise.all([1, 2, 3, 4].map(() => b.allocator.reserveNameNumbers(zone, 8)));
      const sorted = [...blocks].sort((x, y) => (x < y ? -1 : 1));
      expect(sorted.map((x) => x - sorted[0])).toEqual([0n, 8n, 16n, 24n]);
    });

    test('many concurrent commissions and releases never issue one address twice', async () => {
      const n = nets.race;
      const issued = await Promise.all(Array.from({ length: 40 }, (_, i) => take(n, { instance: `r${i}` })));
      const addrs = issued.map(address);
      expect(new Set(addrs).size).toBe(40);
      // All of the 40 lowest: a free address is never skipped for good.
      const expected = Array.from({ length: 40 }, (_, i) => `10.5.0.${i + 2}`);
      expect([...addrs].sort()).toEqual([...expected].sort());
      const churn = await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => release({ vlan: 13, serverInstance: `r${i}` })),
        ...Array.from({ length: 20 }, (_, i) => take(n, { instance: `r2-${i}` })),
      ]);
      const active = await b.transaction((tx) => tx.topology.allocatedRanges(n.id));
      const count = active.reduce((k, r) => k + Number(r.last.split('.')[3]) - Number(r.first.split('.')[3]) + 1, 0);
      expect(count).toBe(40);
      expect(churn.slice(20).every((o) => o.status === 'ISSUED')).toBe(true);
    });

    test('each write leaves its audit row, with the template filled in', async () => {
      const o = await take(nets.names, { names: ['audited'] });
      if (o.status !== 'ISSUED') throw new Error(o.status);
      const rows = await b.transaction((tx) => tx.audit.listAudit({ objectId: o.allocation.id, limit: 10 }));
      expect(rows).toMatchObject([
        {
          actor: 'contract',
          operation: 'CommissionIP',
          objectType: 'allocation',
          dataCenterId: dc,
          serverInstance: o.allocation.serverInstance,
          outcome: 'ok',
          after: { address: o.allocation.address, network: 'names', fqdn: 'audited.c.test', source: 'VLAN' },
        },
      ]);
      await release({ vlan: 14, allocationId: o.allocation.id });
      const after = await b.transaction((tx) => tx.audit.listAudit({ objectId: o.allocation.id, limit: 10 }));
      expect(after[1]).toMatchObject({
        operation: 'DecommissionIP',
        before: { address: o.allocation.address, name: 'audited' },
        after: { released: o.allocation.address, fqdn: 'audited.c.test' },
      });
    });
  });
}
