/**
 * The one-statement allocator across three real ipcd processes on one PostgreSQL database:
 * 3 × 32 SOAP clients drain a /22 (every address issued exactly once, then NO_FREE_ADDRESS),
 * release everything and drain it again; and a configuration change made through one process
 * (remove, split, merge, a grant revoked, a user disabled) holds for the very next commission
 * in another, although each process serves commissions from its cached configuration.
 */
import { addDataCenter, addNetwork, addZone } from '../../src/logic/topology/topology';
import { openStore } from '../../src/store/open';
import { addUser } from '../../src/logic/access/users';
import { formatAddress, parseCidr } from '../../src/logic/core/ip';
import { createDatabase } from '../support/backends';
import { startServerProcesses, type ServerProcesses } from '../support/processes';
import { adminCall, call, type Fields, type SoapReply } from '../support/soap';

const ADMIN = { username: 'admin', password: 'hot-path-admin-password' };
const ORCH = { username: 'orch-hot', password: 'hot-path-orchestrator-1' };
const DC = 'dc-hot';
const CLIENTS_PER_PROCESS = 32;
/** 10.40.0.0/22 without network, gateway (.0.1) and broadcast: 1,021 addresses. */
const ASSIGNABLE = (() => {
  const c = parseCidr('10.40.0.0/22');
  const out: string[] = [];
  for (let v = c.network + 2n; v < c.network + 1023n; v++) out.push(formatAddress(4, v));
  return out;
})();

describe('the one-statement allocator across 3 processes (postgres)', () => {
  let db: Awaited<ReturnType<typeof createDatabase>> | undefined;
  let procs: ServerProcesses | undefined;
  let urls: string[] = [];

  beforeAll(async () => {
    db = await createDatabase();
    const { store } = await openStore({ databaseUrl: db.url });
    try {
      await addDataCenter(store, DC);
      await addZone(store, 'hot.test');
      await addNetwork(store, { name: 'drain', cidr: '10.40.0.0/22', dataCenter: DC, vlan: 40 });
      await addNetwork(store, { name: 'moving', cidr: '10.41.0.0/24', dataCenter: DC, vlan: 41, zone: 'hot.test' });
      await addNetwork(store, { name: 'doomed', cidr: '10.42.0.0/24', dataCenter: DC, vlan: 42 });
      await addUser(store, {
        username: ORCH.username,
        password: ORCH.password,
        role: 'orchestrator',
        grants: [{ dataCenter: DC }],
      });
      await addUser(store, { username: ADMIN.username, password: ADMIN.password, role: 'admin' });
    } finally {
      await store.close();
    }
    procs = await startServerProcesses(3, { DATABASE_URL: db.url, LOG_LEVEL: 'warn', IPCD_DB_POOL: '8' });
    urls = procs.urls;
  }, 60_000);

  afterAll(async () => {
    await procs?.stop();
    await db?.drop();
  }, 20_000);

  const commission = (url: string, fields: Fields, who = ORCH) =>
    call(url, 'CommissionIP', { dataCenter: DC, ...fields }, who);
  const admin = (i: number, op: string, fields: Fields) =>
    adminCall(urls[i].replace(/\/ipcd$/, '/ipcd-admin'), op, fields, ADMIN);
  const code = (r: SoapReply) => r.fault?.code;

  /** 32 clients per process commission on VLAN 40 until each sees a fault. */
  const drain = async (round: string) => {
    const issued: string[] = [];
    const faults: string[] = [];
    await Promise.all(
      urls.flatMap((url, p) =>
        Array.from({ length: CLIENTS_PER_PROCESS }, async (_, c) => {
          for (let i = 0; i < ASSIGNABLE.length; i++) {
            const r = await commission(url, { vlan: 40, serverInstance: `${round}-${p}-${c}-${i}` });
            if (r.fault) {
              faults.push(r.fault.code);
              return;
            }
            issued.push(r.values.address);
          }
        }),
      ),
    );
    return { issued, faults };
  };

  test('3 × 32 clients drain a /22: every address exactly once, then NO_FREE_ADDRESS; all released and issued again', async () => {
    const first = await drain('a');
    expect(first.issued.length).toBe(ASSIGNABLE.length);
    expect([...new Set(first.issued)].sort()).toEqual([...ASSIGNABLE].sort());
    expect(new Set(first.faults)).toEqual(new Set(['NO_FREE_ADDRESS']));

    // Release every address, concurrently, through all three processes, by the retry-safe form.
    const owners = await Promise.all(
      first.issued.map((a, i) => call(urls[i % 3], 'DecommissionIP', { dataCenter: DC, vlan: 40, address: a }, ORCH)),
    );
    expect(owners.filter((r) => r.fault || r.values.releasedCount !== '1')).toEqual([]);

    const second = await drain('b');
    expect([...new Set(second.issued)].sort()).toEqual([...ASSIGNABLE].sort());
    expect(second.issued.length).toBe(ASSIGNABLE.length);
    expect(new Set(second.faults)).toEqual(new Set(['NO_FREE_ADDRESS']));
  }, 240_000);

  test('a change made through one process holds for the very next commission in another', async () => {
    // Each process has served VLAN 41 and 42 (so each holds a cached configuration).
    for (const [p, url] of urls.entries()) {
      expect(code(await commission(url, { vlan: 41, serverInstance: `warm-41-${p}` }))).toBeUndefined();
      expect(code(await commission(url, { vlan: 42, serverInstance: `warm-42-${p}` }))).toBeUndefined();
    }

    // Removed in process 0: process 1 no longer finds the VLAN.
    expect(code(await admin(0, 'RemoveNetwork', { network: 'doomed', force: true }))).toBeUndefined();
    expect(code(await commission(urls[1], { vlan: 42, serverInstance: 'after-remove' }))).toBe('UNKNOWN_VLAN');

    // Split in process 1: process 2 answers from a child, with the child's prefix.
    expect(code(await admin(1, 'SplitNetwork', { network: 'moving', prefixLength: 25 }))).toBeUndefined();
    const split = await commission(urls[2], { vlan: 41, serverInstance: 'after-split', wantName: true });
    expect(split.values).toMatchObject({ network: 'moving-1', prefixLength: '25' });

    // Merged back in process 2: process 0 answers from the merged /24.
    expect(
      code(await admin(2, 'MergeNetworks', { network: ['moving-1', 'moving-2'], name: 'moving' })),
    ).toBeUndefined();
    const merged = await commission(urls[0], { vlan: 41, serverInstance: 'after-merge' });
    expect(merged.values).toMatchObject({ network: 'moving', prefixLength: '24' });

    // Grant revoked (the user re-created without it) in process 0: refused in process 1.
    expect(code(await admin(0, 'RemoveUser', { username: ORCH.username }))).toBeUndefined();
    expect(code(await admin(0, 'AddDataCenter', { name: 'elsewhere-dc' }))).toBeUndefined();
    expect(
      code(
        await admin(0, 'AddUser', {
          username: ORCH.username,
          password: ORCH.password,
          role: 'orchestrator',
          grant: [{ dataCenter: 'elsewhere-dc' }],
        }),
      ),
    ).toBeUndefined();
    expect(code(await commission(urls[1], { vlan: 41, serverInstance: 'after-revoke' }))).toBe('ACCESS_DENIED');

    // Disabled in process 2: refused in process 0, for a release too.
    expect(code(await admin(2, 'DisableUser', { username: ORCH.username }))).toBeUndefined();
    expect(code(await commission(urls[0], { vlan: 41, serverInstance: 'after-disable' }))).toBe(
      'AUTHENTICATION_FAILED',
    );
    expect(
      code(await call(urls[0], 'DecommissionIP', { dataCenter: DC, vlan: 41, serverInstance: 'after-merge' }, ORCH)),
    ).toBe('AUTHENTICATION_FAILED');
    // The administrator, authenticated the usual way, still works there.
    expect(code(await commission(urls[0], { vlan: 41, serverInstance: 'admin-after-disable' }, ADMIN))).toBeUndefined();
  }, 60_000);
});
