/**
 * IPCD_WORKERS: one primary forks that many server processes on one port (PostgreSQL). Both
 * answer, allocation stays unique across them, and SIGTERM to the primary stops them all.
 */
import { execFileSync } from 'node:child_process';
import { addDataCenter, addNetwork } from '../../src/logic/topology/topology';
import { openStore } from '../../src/store/open';
import { createDatabase } from '../support/backends';
import { ensureBuilt, startServerProcesses, type ServerProcesses } from '../support/processes';
import { call } from '../support/soap';

const children = (pid: number) =>
  execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

describe('IPCD_WORKERS=2 on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createDatabase>> | undefined;
  let procs: ServerProcesses | undefined;

  beforeAll(async () => {
    ensureBuilt();
    db = await createDatabase();
    const { store } = await openStore({ databaseUrl: db.url });
    await addDataCenter(store, 'dcw');
    await addNetwork(store, { name: 'w', cidr: '10.70.0.0/24', dataCenter: 'dcw', vlan: 70 });
    await store.close();
    procs = await startServerProcesses(1, {
      DATABASE_URL: db.url,
      IPCD_WORKERS: '2',
      IPCD_AUTH: 'off',
      LOG_LEVEL: 'warn',
    });
  }, 60_000);
  afterAll(async () => {
    await procs?.stop();
    await db?.drop();
  }, 30_000);

  test('two worker processes serve one port; every address once; SIGTERM stops them all', async () => {
    const primary = procs!.servers[0];
    expect(children(primary.pid)).toHaveLength(2);
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(primary.url, 'CommissionIP', { dataCenter: 'dcw', vlan: 70, serverInstance: `w-${i}` }),
      ),
    );
    expect(replies.filter((r) => r.fault)).toEqual([]);
    expect(new Set(replies.map((r) => r.values.address)).size).toBe(40);

    const workers = children(primary.pid);
    process.kill(primary.pid, 'SIGTERM');
    const { code } = await primary.exited;
    expect(code).toBe(0);
    for (const pid of workers) expect(() => process.kill(Number(pid), 0)).toThrow();
  }, 60_000);
});
