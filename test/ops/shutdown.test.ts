/**
 * SIGTERM to a real server process in the middle of a burst of 200 commissions, on both stores:
 * the process stops accepting, finishes what it accepted, closes the store and exits 0. Every
 * request either completed (and its allocation is in the database, with that address) or failed
 * (and nothing exists for its instance); the allocator's free ranges agree with the allocations.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call } from '../support/soap';
import { BACKENDS, openTestStore, type BackendKind } from '../support/backends';
import { startServerProcesses, type ServerProcesses } from '../support/processes';
import { openStore } from '../../src/store/open';
import { addDataCenter, addNetwork } from '../../src/logic/topology/topology';
import type { TypeormStore } from '../../src/store/typeorm-store';
import type { Store } from '../../src/store/store';

const BURST = 200;
const CLIENTS = 25;
const SIGTERM_AFTER = 50; // completed commissions

type Outcome =
  | { instance: string; ok: true; address: string; at: number }
  | { instance: string; ok: false; why: string; at: number };

async function loadTopology(store: Store) {
  await addDataCenter(store, 'dc1');
  await addNetwork(store, { name: 'burst', cidr: '10.70.0.0/22', dataCenter: 'dc1', vlan: 70 }); // 1021 assignable
}

/** One backend's server process and a way to look at its database once the process is gone. */
async function serverOn(
  kind: BackendKind,
): Promise<{ procs: ServerProcesses; inspect: () => Promise<TypeormStore>; dispose: () => Promise<void> }> {
  const env = {
    IPCD_AUTH: 'off',
    LOG_LEVEL: 'info',
    IPCD_SHUTDOWN_GRACE_SECONDS: '60',
    IPCD_EXAMPLE_TOPOLOGY: 'false',
  };
  if (kind === 'postgres') {
    const db = await openTestStore('postgres');
    await loadTopology(db.store);
    const procs = await startServerProcesses(1, { ...env, DATABASE_URL: db.url! });
    return { procs, inspect: async () => db.store, dispose: async () => (await procs.stop(), await db.dispose()) };
  }
  // The embedded store is one process's: set it up, close it, hand the directory to the server.
  const dataDir = mkdtempSync(join(tmpdir(), 'ipcd-shutdown-'));
  const setup = await openStore({ dataDir });
  await loadTopology(setup.store);
  await setup.store.close();
  const procs = await startServerProcesses(1, { ...env, IPCD_DATA_DIR: dataDir });
  let after: TypeormStore | undefined;
  return {
    procs,
    inspect: async () => (after ??= (await openStore({ dataDir })).store),
    dispose: async () => {
      await procs.stop();
      await after?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe.each(BACKENDS)('graceful shutdown during a burst of commissions (%s store)', (kind) => {
  let run: Awaited<ReturnType<typeof serverOn>>;
  afterAll(() => run?.dispose());

  test(`SIGTERM after ${SIGTERM_AFTER} of ${BURST}: completed requests are stored, failed ones left nothing, exit 0`, async () => {
    run = await serverOn(kind);
    const [server] = run.procs.servers;
    // The production composition root (src/main.ts) serves the store's statement counts.
    expect(await (await fetch(`${server.base}/metrics`)).text()).toMatch(/^ipcd_db_round_trips_total [1-9]\d*$/m);
    const outcomes: Outcome[] = [];
    let sigtermAt = 0;
    let next = 0;
    const client = async () => {
      while (next < BURST) {
        const instance = `vm-${String(next++).padStart(3, '0')}`;
        try {
          const r = await call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 70, serverInstance: instance });
          if (r.fault) outcomes.push({ instance, ok: false, why: `fault ${r.fault.code}`, at: Date.now() });
          else outcomes.push({ instance, ok: true, address: r.values.address, at: Date.now() });
        } catch (e) {
          outcomes.push({ instance, ok: false, why: String((e as { cause?: unknown }).cause ?? e), at: Date.now() });
        }
        if (!sigtermAt && outcomes.filter((o) => o.ok).length >= SIGTERM_AFTER) {
          sigtermAt = Date.now();
          process.kill(server.pid, 'SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.output()).toMatch(/"message":"stopped"/);

    expect(outcomes).toHaveLength(BURST);
    const completed = outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
    const failed = outcomes.filter((o) => !o.ok);
    // The requests in flight when the signal came were finished, not cut; later ones were refused.
    expect(completed.filter((o) => o.at > sigtermAt).length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(f.why).not.toMatch(/fault/);

    const store = await run.inspect();
    const rows: { server_instance: string; address: string }[] = await store.dataSource.query(
      `SELECT server_instance, host(address) AS address FROM allocation WHERE released_at IS NULL ORDER BY server_instance`,
    );
    expect(rows.map((r) => [r.server_instance, r.address])).toEqual(
      completed.sort((a, b) => a.instance.localeCompare(b.instance)).map((o) => [o.instance, o.address]),
    );
    // No half state in the allocator: free + used = assignable, and no issued address is free.
    const [check] = await store.dataSource.query(
      `SELECT (SELECT sum(last_addr - first_addr + 1) FROM free_range)::int AS free,
              (SELECT count(*) FROM allocation WHERE released_at IS NULL)::int AS used,
              (SELECT count(*) FROM allocation a JOIN free_range f ON a.address BETWEEN f.first_addr AND f.last_addr
                WHERE a.released_at IS NULL)::int AS overlap`,
    );
    expect(check).toEqual({ free: 1021 - completed.length, used: completed.length, overlap: 0 });
    // Every completed commission's audit row was written with it, and no other.
    const audited = await store.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE operation = 'CommissionIP' AND outcome = 'ok'`,
    );
    expect(audited[0].n).toBe(completed.length);
  }, 120_000);
});
