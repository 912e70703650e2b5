/**
 * Allocation under concurrency across several real ipcd processes sharing one PostgreSQL
 * database: 120 SOAP clients race for the 253 assignable addresses of one /24, release them
 * all concurrently, and race for them again. Every address is issued exactly once per round,
 * never the network, gateway or broadcast address, and losers only ever see NO_FREE_ADDRESS.
 *
 * Needs the compiled server (dist/src/server.js; `npm test` builds it in pretest).
 */
import { Client } from 'pg';
import { addDataCenter, addNetwork } from '../../src/logic/topology/topology';
import { openStore } from '../../src/store/open';
import { addUser } from '../../src/logic/access/users';
import { createDatabase } from '../support/backends';
import { checkBuild, startServerProcesses, type ServerProcesses } from '../support/processes';

const ORCHESTRATOR = { username: 'orchestrator-race', password: 'race-test-password-1' };
import { all, call, type Fields, type SoapReply } from '../support/soap';
import { withTimeout } from '../support/commission-load';

const PROCESSES = 3;
const CLIENTS = 120;
const RELEASERS = 60;
const DC = 'dc-race';
const VLAN = 100;
const NETWORK = 'race-net';
const CIDR = '10.0.0.0/24';
const GATEWAY = '10.0.0.1';
/** 10.0.0.2 … 10.0.0.254: the /24 without network (.0), gateway (.1) and broadcast (.255). */
const ASSIGNABLE = Array.from({ length: 253 }, (_, i) => `10.0.0.${i + 2}`);

// Bounds: the test ends even if the server misbehaves (never faults, hangs on a call).
const MAX_CALLS_PER_CLIENT = 2 * ASSIGNABLE.length;
const MAX_TOTAL_CALLS = 2 * (ASSIGNABLE.length + CLIENTS);
const CALL_TIMEOUT_MS = 20_000;

const byAddress = (a: string, b: string) => Number(a.split('.')[3]) - Number(b.split('.')[3]);

interface Issued {
  address: string;
  serverInstance: string;
  allocationId: string;
}
interface Round {
  issued: Issued[];
  faults: { code: string; faultcode: string; status: number; message: string }[];
  errors: string[];
  ms: number;
  calls: number;
}

describe(`allocation races across ${PROCESSES} ipcd processes on one PostgreSQL database`, () => {
  let db: Awaited<ReturnType<typeof createDatabase>> | undefined;
  let procs: ServerProcesses | undefined;
  let pg: Client | undefined;
  let urls: string[] = [];
  let round1: Round | undefined;

  /** One SOAP call to the next process in turn, bounded in time. */
  let turn = 0;
  const soap = async (operation: string, fields: Fields): Promise<SoapReply> => {
    const url = urls[turn++ % urls.length];
    return withTimeout(call(url, operation, fields, ORCHESTRATOR), CALL_TIMEOUT_MS, `${operation} to ${url}`);
  };

  /** CLIENTS concurrent clients, each commissioning until its first fault. */
  const exhaust = async (label: string): Promise<Round> => {
    const r: Round = { issued: [], faults: [], errors: [], ms: 0, calls: 0 };
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        for (let i = 0; i < MAX_CALLS_PER_CLIENT; i++) {
          if (r.calls >= MAX_TOTAL_CALLS)
            return void r.errors.push(`client ${c}: stopped at the bound of ${MAX_TOTAL_CALLS} calls in all`);
          r.calls++;
          const serverInstance = `${label}-client${c}-call${i}`;
          let reply: SoapReply;
          try {
            reply = await soap('CommissionIP', { dataCenter: DC, vlan: VLAN, serverInstance });
          } catch (e) {
            return void r.errors.push(`client ${c}: ${String(e)}`);
          }
          if (reply.fault) {
            const f = reply.fault;
            return void r.faults.push({
              code: f.code,
              faultcode: f.faultcode,
              status: reply.status,
              message: f.message,
            });
          }
          const v = reply.values;
          if (
            reply.status !== 200 ||
            !v.address ||
            v.network !== NETWORK ||
            v.prefixLength !== '24' ||
            v.gateway !== GATEWAY
          ) {
            return void r.errors.push(`client ${c}: unexpected reply ${reply.status}: ${reply.raw.slice(0, 400)}`);
          }
          r.issued.push({ address: v.address, serverInstance, allocationId: v.allocationId });
        }
        r.errors.push(`client ${c}: no fault after ${MAX_CALLS_PER_CLIENT} calls`);
      }),
    );
    r.ms = performance.now() - started;
    console.log(
      `${label}: ${r.issued.length} commissions + ${r.faults.length} faults in ${r.ms.toFixed(0)} ms ` +
        `(${((r.issued.length * 1000) / r.ms).toFixed(0)} commissions/s, ${((r.calls * 1000) / r.ms).toFixed(0)} calls/s)`,
    );
    return r;
  };

  const countBy = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});

  /** The round's figures against the contract and against the database. */
  const expectExhaustedCorrectly = async (r: Round) => {
    expect(r.errors).toEqual([]);
    // Every client stops at its first fault, and the only acceptable one is "the network is full".
    expect(countBy(r.faults.map((f) => f.code))).toEqual({ NO_FREE_ADDRESS: CLIENTS });
    for (const f of r.faults) {
      expect(f.status).toBe(500);
      expect(f.faultcode).toMatch(/Client$/);
    }

    const addresses = r.issued.map((i) => i.address);
    expect(addresses).toHaveLength(ASSIGNABLE.length);
    expect(new Set(addresses).size).toBe(ASSIGNABLE.length);
    for (const reserved of ['10.0.0.0', GATEWAY, '10.0.0.255']) expect(addresses).not.toContain(reserved);
    expect([...addresses].sort(byAddress)).toEqual(ASSIGNABLE);

    const counts = await pg!.query(
      `SELECT count(*)::int AS active, count(DISTINCT address)::int AS addresses FROM allocation WHERE released_at IS NULL`,
    );
    expect(counts.rows[0]).toEqual({ active: ASSIGNABLE.length, addresses: ASSIGNABLE.length });
    // What the clients were told is what the database holds, allocation by allocation.
    const rows = await pg!.query(
      `SELECT id, host(address) AS address, server_instance FROM allocation WHERE released_at IS NULL`,
    );
    const held = new Map(
      rows.rows.map((x) => [
        x.address as string,
        { allocationId: x.id as string, serverInstance: x.server_instance as string },
      ]),
    );
    for (const i of r.issued)
      expect(held.get(i.address)).toEqual({ allocationId: i.allocationId, serverInstance: i.serverInstance });
    // Nothing left to hand out.
    expect((await pg!.query(`SELECT count(*)::int AS n FROM free_range`)).rows[0].n).toBe(0);
  };

  beforeAll(async () => {
    const stale = checkBuild(); // throws when dist/src/server.js or the bundle is missing
    if (stale.length)
      console.warn(
        `dist may be stale (older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}): run npm run build`,
      );

    db = await createDatabase();
    const { store } = await openStore({ databaseUrl: db.url, poolSize: 2 });
    try {
      await addDataCenter(store, DC);
      await addNetwork(store, { name: NETWORK, cidr: CIDR, dataCenter: DC, vlan: VLAN });
      // The processes run as in production: every call authenticates (WS-Security UsernameToken).
      await addUser(store, { ...ORCHESTRATOR, role: 'orchestrator', grants: [{ dataCenter: DC }] });
    } finally {
      await store.close();
    }

    procs = await startServerProcesses(PROCESSES, { DATABASE_URL: db.url, LOG_LEVEL: 'warn', IPCD_DB_POOL: '5' });
    urls = procs.urls;
    expect(new Set(procs.servers.map((s) => s.port)).size).toBe(PROCESSES);

    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 45_000);

  afterAll(async () => {
    await procs?.stop();
    await pg?.end().catch(() => undefined);
    await db?.drop();
  }, 20_000);

  test(`${CLIENTS} concurrent clients get each of the 253 addresses exactly once, then NO_FREE_ADDRESS`, async () => {
    round1 = await exhaust('round 1');
    await expectExhaustedCorrectly(round1);
  }, 45_000);

  test('all 253 released concurrently, each exactly once', async () => {
    expect(round1?.issued).toHaveLength(ASSIGNABLE.length);
    const queue = [...round1!.issued];
    const released: { address: string; count: string; back: string[] }[] = [];
    const errors: string[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: RELEASERS }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          try {
            const reply = await soap('DecommissionIP', { dataCenter: DC, vlan: VLAN, address: next.address });
            if (reply.fault) errors.push(`${next.address}: fault ${reply.fault.code}: ${reply.fault.message}`);
            else {
              const back = all(reply.body, 'released').map(
                (e) => e.children.find((c) => c.name === 'address')?.text ?? '',
              );
              released.push({ address: next.address, count: reply.values.releasedCount, back });
            }
          } catch (e) {
            errors.push(`${next.address}: ${String(e)}`);
          }
        }
      }),
    );
    const ms = performance.now() - started;
    console.log(
      `release: ${released.length} decommissions in ${ms.toFixed(0)} ms (${((released.length * 1000) / ms).toFixed(0)}/s)`,
    );

    expect(errors).toEqual([]);
    expect(released).toHaveLength(ASSIGNABLE.length);
    for (const r of released) expect(r).toEqual({ address: r.address, count: '1', back: [r.address] });

    expect((await pg!.query(`SELECT count(*)::int AS n FROM allocation WHERE released_at IS NULL`)).rows[0].n).toBe(0);
    const free = await pg!.query(`SELECT coalesce(sum(last_addr - first_addr + 1), 0)::int AS n FROM free_range`);
    expect(free.rows[0].n).toBe(ASSIGNABLE.length);
  }, 45_000);

  test('the released addresses are issued again under the same race, each exactly once', async () => {
    const round2 = await exhaust('round 2');
    await expectExhaustedCorrectly(round2);
    const total = await pg!.query(`SELECT count(*)::int AS n FROM allocation`);
    expect(total.rows[0].n).toBe(2 * ASSIGNABLE.length);
  }, 45_000);
});
