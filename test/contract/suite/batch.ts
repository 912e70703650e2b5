/**
 * The allocator port's batch contract: commissionBatch / releaseBatch (many plans in one call)
 * and transaction (the atomic batch's enclosing unit), held to the same answers on every backend.
 */
import type { CandidatePlan, CommissionItemOutcome, ReleasePlan } from '../../../src/logic/allocation/allocator-port';
import type { Network } from '../../../src/logic/core/model';
import { insertNetwork, plan, type ContractBackend, type OpenBackend } from './backend';

export function batchContract(backend: string, open: OpenBackend): void {
  describe(`allocator port batch contract (${backend})`, () => {
    let b: ContractBackend;
    let dc: number;
    let zone: number;
    const nets: Record<string, Network> = {};
    let instances = 0;

    beforeAll(async () => {
      b = await open();
      await b.transaction(async (tx) => {
        dc = (await tx.topology.insertDataCenter('dc1', null)).id;
        zone = (await tx.topology.insertZone('b.test')).id;
        const add = async (name: string, cidr: string, vlan: number) =>
          (nets[name] = await insertNetwork(tx, { name, cidr, vlan, dataCenterId: dc, zoneId: zone }));
        await add('sep', '10.7.0.0/29', 20);
        await add('atom', '10.8.0.0/29', 21);
        await add('rel', '10.9.0.0/29', 22);
      });
    });
    afterAll(() => b?.dispose());

    const version = () => b.allocator.configVersion();
    const one = async (n: Network, o: { names?: string[]; instance?: string; stale?: bigint } = {}) => {
      const c: CandidatePlan = {
        networkId: n.id,
        source: 'VLAN',
        tenantId: null,
        ...(o.names ? { names: o.names, zoneId: zone, zoneName: 'b.test' } : {}),
      };
      return plan(o.stale ?? (await version()), {
        dataCenterId: dc,
        vlan: n.vlan!,
        serverInstance: o.instance ?? `b${++instances}`,
        candidates: [c],
      });
    };
    const show = (o: CommissionItemOutcome) =>
      o.status === 'ISSUED' || o.status === 'EXISTING'
        ? `${o.status} ${o.allocation.address} ${o.allocation.name}`
        : o.status;
    const occupied = (n: Network) => b.transaction((tx) => tx.topology.occupiedAddresses(n.id));
    const release = async (p: Partial<ReleasePlan>): Promise<ReleasePlan> => ({
      version: (await version()).toString(),
      dataCenterId: dc,
      vlan: 22,
      releaseAddress: true,
      releaseName: true,
      reason: 'DELETED',
      holdDown: {},
      audit: { actor: 'contract', role: 'admin', operation: 'DecommissionIPBatch', requestId: null },
      ...p,
    });

    test('separate: each plan on its own, in order; a refused one undoes only itself', async () => {
      const n = nets.sep;
      const first = await one(n, { names: ['x-1'] });
      const plans = [
        first,
        await one(n, { names: ['x-1'] }),
        await one(n, { names: ['x-2'] }),
        { ...first, allocationId: globalThis.crypto.randomUUID() },
      ];
      const out = await b.allocator.commissionBatch({ atomic: false, plans });
      if (out.status !== 'OK') throw new Error(out.status);
      // The second's names were taken by the first: its address went back, the third got it.
      expect(out.results.map(show)).toEqual([
        'ISSUED 10.7.0.2 x-1',
        'NAMES_TAKEN',
        'ISSUED 10.7.0.3 x-2',
        'EXISTING 10.7.0.2 x-1',
      ]);
      expect(await occupied(n)).toEqual(['10.7.0.2', '10.7.0.3']);
      const stale = await b.allocator.commissionBatch({
        atomic: false,
        plans: [await one(n, { stale: (await version()) - 1n })],
      });
      expect(stale).toEqual({ status: 'OK', results: [{ status: 'STALE', version: await version() }] });
    });

    test('a batch nonce is used once: the replay writes nothing', async () => {
      const nonce = {
        key: `batch-${Date.now()}-${Math.random()}`,
        cutoff: new Date(Date.now() - 300_000).toISOString(),
      };
      const first = await b.allocator.commissionBatch({ nonce, atomic: false, plans: [await one(nets.sep)] });
      expect(first.status === 'OK' && first.results.map(show)).toEqual(['ISSUED 10.7.0.4 null']);
      expect(await b.allocator.commissionBatch({ nonce, atomic: false, plans: [await one(nets.sep)] })).toEqual({
        status: 'REPLAY',
      });
      expect(
        await b.allocator.releaseBatch({
          nonce,
          atomic: false,
          plans: [await release({ vlan: 20, address: '10.7.0.4' })],
        }),
      ).toEqual({ status: 'REPLAY' });
      expect(await occupied(nets.sep)).toEqual(['10.7.0.2', '10.7.0.3', '10.7.0.4']);
    });

    test('atomic: the first plan that raises ends the call, named; rolled back, nothing stays', async () => {
      const n = nets.atom;
      const plans = [await one(n, { names: ['a-1'] }), await one(n, { names: ['a-1'] }), await one(n)];
      const out = await b.allocator.transaction(async (a) => ({
        commit: false,
        value: await a.commissionBatch({ atomic: true, plans }),
      }));
      expect(out).toEqual({ status: 'ABORTED', failed: 1, result: { status: 'NAMES_TAKEN' } });
      expect(await occupied(n)).toEqual([]);
    });

    test('atomic: committed only when fn says so; a throw rolls back and reaches the caller', async () => {
      const n = nets.atom;
      const plans = async () => [await one(n, { instance: 'a-vm1' }), await one(n, { instance: 'a-vm2' })];
      const kept = await plans();
      const dropped = await b.allocator.transaction(async (a) => ({
        commit: false,
        value: await a.commissionBatch({ atomic: true, plans: kept }),
      }));
      expect(dropped.status === 'OK' && dropped.results.map(show)).toEqual([
        'ISSUED 10.8.0.2 null',
        'ISSUED 10.8.0.3 null',
      ]);
      expect(await occupied(n)).toEqual([]);
      // Plans are made before the transaction: inside it only the allocator it hands out is used.
      const thrown = await plans();
      await expect(
        b.allocator.transaction(async (a) => {
          await a.commissionBatch({ atomic: true, plans: thrown });
          throw new Error('the logic gave up');
        }),
      ).rejects.toThrow('the logic gave up');
      expect(await occupied(n)).toEqual([]);
      const again = await plans();
      const done = await b.allocator.transaction(async (a) => ({
        commit: true,
        value: await a.commissionBatch({ atomic: true, plans: again }),
      }));
      expect(done.status === 'OK' && done.results.map(show)).toEqual(['ISSUED 10.8.0.2 null', 'ISSUED 10.8.0.3 null']);
      expect(await occupied(n)).toEqual(['10.8.0.2', '10.8.0.3']);
      // Inside the transaction the allocator reads the configuration as any other call.
      expect(await b.allocator.transaction(async (a) => ({ commit: false, value: await a.configVersion() }))).toBe(
        await version(),
      );
    });

    test('releases in one call, each plan answered on its own', async () => {
      const n = nets.rel;
      const taken = await b.allocator.commissionBatch({
        atomic: false,
        plans: [await one(n, { instance: 'r1' }), await one(n, { instance: 'r2' })],
      });
      expect(taken.status === 'OK' && taken.results.map(show)).toEqual([
        'ISSUED 10.9.0.2 null',
        'ISSUED 10.9.0.3 null',
      ]);
      const out = await b.allocator.releaseBatch({
        atomic: false,
        plans: [
          await release({ serverInstance: 'r1' }),
          await release({ allocationId: globalThis.crypto.randomUUID() }),
          await release({ address: '10.9.0.3' }),
        ],
      });
      expect(out).toMatchObject({
        status: 'OK',
        results: [
          { status: 'OK', matched: 1, released: [{ address: '10.9.0.2', serverInstance: 'r1' }] },
          { status: 'OK', matched: 0, released: [] },
          { status: 'OK', matched: 1, released: [{ address: '10.9.0.3', serverInstance: 'r2' }] },
        ],
      });
      expect(await occupied(n)).toEqual([]);
      const last = await release({ serverInstance: 'r1' });
      const atomic = await b.allocator.transaction(async (a) => ({
        commit: true,
        value: await a.releaseBatch({ atomic: true, plans: [last] }),
      }));
      expect(atomic).toEqual({ status: 'OK', results: [{ status: 'OK', matched: 0, released: [] }] });
    });
  });
}
