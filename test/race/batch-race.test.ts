/**
 * Batches racing single calls and each other across three real ipcd processes on one PostgreSQL
 * database, until a /22 is full: no address is ever issued twice, the same batch sent by all
 * three processes at once gives each instance one allocation, and the database holds exactly
 * what the replies say was issued.
 */
import { addDataCenter, addNetwork } from '../../src/logic/topology/topology';
import { openStore } from '../../src/store/open';
import { addUser } from '../../src/logic/access/users';
import { createDatabase } from '../support/backends';
import { startServerProcesses, type ServerProcesses } from '../support/processes';
import { all, call, flat, type Fields, type SoapReply } from '../support/soap';

const ORCH = { username: 'orch-batch', password: 'batch-race-orchestrator-1' };
const DC = 'dc-batch';
/** 10.60.0.0/22 without network, gateway and broadcast. */
const ASSIGNABLE = 1021;

interface Issued {
  instance: string;
  allocationId: string;
  address: string;
}

describe('batches racing single calls and each other across 3 processes (postgres)', () => {
  let db: Awaited<ReturnType<typeof createDatabase>> | undefined;
  let procs: ServerProcesses | undefined;

  beforeAll(async () => {
    db = await createDatabase();
    const { store } = await openStore({ databaseUrl: db.url });
    try {
      await addDataCenter(store, DC);
      await addNetwork(store, { name: 'race', cidr: '10.60.0.0/22', dataCenter: DC, vlan: 60 });
      await addUser(store, {
        username: ORCH.username,
        password: ORCH.password,
        role: 'orchestrator',
        grants: [{ dataCenter: DC }],
      });
    } finally {
      await store.close();
    }
    procs = await startServerProcesses(3, { DATABASE_URL: db.url, LOG_LEVEL: 'warn', IPCD_DB_POOL: '8' });
  }, 60_000);

  afterAll(async () => {
    await procs?.stop();
    await db?.drop();
  }, 20_000);

  const item = (serverInstance: string): Fields => ({ dataCenter: DC, vlan: 60, serverInstance });
  /** Each item's allocation or fault code, from a real batch reply. */
  const results = (r: SoapReply, instances: string[]) => {
    if (r.fault) throw new Error(`batch fault ${r.fault.code}: ${r.fault.message}`);
    return all(r.body, 'result').map((x, k) => {
      const ok = x.children.find((c) => c.name === 'CommissionIPResponse');
      return ok
        ? { instance: instances[k], ...(flat(ok) as { allocationId: string; address: string }) }
        : { instance: instances[k], fault: flat(x.children[1]).code };
    });
  };

  test('the /22 fills with every address issued once; twins get one allocation each', async () => {
    const urls = procs!.urls;
    const issued: Issued[] = [];
    const twins = new Map<string, Set<string>>();
    const faults: string[] = [];
    let full = false;
    // BUSY is the contract's "rolled back, nothing written; retry": near the end of the /22 many
    // takers wait on the last free ranges. The callers here retry the same instances, as the
    // client library does; every other fault is a defect.
    const single = async (url: string, name: string) => {
      for (let i = 0; !full;) {
        const r = await call(url, 'CommissionIP', item(`${name}-${i}`), ORCH);
        if (r.fault) {
          faults.push(r.fault.code);
          if (r.fault.code === 'NO_FREE_ADDRESS') full = true;
          if (r.fault.code !== 'BUSY') i++;
          continue;
        }
        issued.push({ instance: `${name}-${i}`, allocationId: r.values.allocationId, address: r.values.address });
        i++;
      }
    };
    const batches = async (url: string, name: string) => {
      let again: string[] = [];
      for (let i = 0; !full; i++) {
        const instances = [...again, ...Array.from({ length: 40 - again.length }, (_, k) => `${name}-${i}-${k}`)];
        const atomic = i % 2 === 1;
        const r = await call(
          url,
          'CommissionIPBatch',
          { atomic: atomic || undefined, CommissionIP: instances.map(item) },
          ORCH,
        );
        if (r.fault?.code === 'BUSY') {
          faults.push('BUSY');
          again = instances;
          continue;
        }
        const out = results(r, instances);
        // An atomic batch refused for BUSY wrote nothing: all of it goes again.
        const busy = out.some((x) => 'fault' in x && x.fault === 'BUSY');
        again = [];
        for (const x of out) {
          if ('fault' in x) {
            faults.push(x.fault!);
            if (x.fault === 'NO_FREE_ADDRESS') full = true;
            else if (x.fault === 'BUSY' || (busy && x.fault === 'BATCH_ABORTED')) again.push(x.instance);
          } else issued.push(x as Issued);
        }
      }
    };
    // The same batch from every process at once: each instance must end with one allocation.
    const twin = async (url: string) => {
      for (let i = 0; !full; i++) {
        const instances = Array.from({ length: 10 }, (_, k) => `twin-${i}-${k}`);
        const r = await call(url, 'CommissionIPBatch', { CommissionIP: instances.map(item) }, ORCH);
        for (const x of results(r, instances)) {
          if ('fault' in x) {
            faults.push(x.fault!);
            if (x.fault === 'NO_FREE_ADDRESS') full = true;
          } else
            (twins.get(x.instance) ?? twins.set(x.instance, new Set()).get(x.instance)!).add(
              `${x.allocationId} ${x.address}`,
            );
        }
      }
    };
    await Promise.all(
      urls.flatMap((url, p) => [
        ...Array.from({ length: 6 }, (_, c) => single(url, `s-${p}-${c}`)),
        batches(url, `b-${p}-0`),
        batches(url, `b-${p}-1`),
        twin(url),
      ]),
    );

    expect(faults).toContain('NO_FREE_ADDRESS');
    expect([...new Set(faults)].filter((f) => !['NO_FREE_ADDRESS', 'BATCH_ABORTED', 'BUSY'].includes(f))).toEqual([]);
    if (faults.includes('BUSY')) console.log(`batch race: ${faults.filter((f) => f === 'BUSY').length} BUSY answers`);
    for (const [instance, seen] of twins)
      expect({ instance, allocations: seen.size }).toEqual({ instance, allocations: 1 });
    const twinAddresses = [...twins.values()].map((s) => [...s][0].split(' ')[1]);
    const addresses = [...issued.map((x) => x.address), ...twinAddresses];
    // Never twice, and the network is full: every assignable address went to someone.
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(addresses.length).toBe(ASSIGNABLE);

    // The database holds exactly what the replies said.
    const { store } = await openStore({ databaseUrl: db!.url });
    try {
      const rows: { server_instance: string; address: string }[] = await store.dataSource.query(
        `SELECT server_instance, host(address) AS address FROM allocation WHERE released_at IS NULL ORDER BY address`,
      );
      const expected = [
        ...issued.map((x) => ({ server_instance: x.instance, address: x.address })),
        ...[...twins].map(([i, s]) => ({ server_instance: i, address: [...s][0].split(' ')[1] })),
      ];
      const key = (x: { server_instance: string; address: string }) => `${x.address} ${x.server_instance}`;
      expect(rows.map(key).sort()).toEqual(expected.map(key).sort());
    } finally {
      await store.close();
    }
  }, 300_000);
});
