/**
 * A database restart under load, through a real ipcd process on a PostgreSQL cluster of its own
 * (the shared server on 5432 is never restarted): while the database is down every call faults
 * with the retryable UNAVAILABLE (soap:Server), never INTERNAL; the log says once that the
 * database went away and once that it is back, with no error lines or stack traces; afterwards
 * ipcd writes again by itself, and every acknowledged commission is in the database. The client
 * library and ipcd-client retry it where a repeat is safe, and ipcd-client exits with its status.
 */
import { join } from 'node:path';
import { FAULT_EXIT } from '../../src/client/cli';
import { IpcdClient, IpcdFaultError, type RetryInfo } from '../../src/index';
import { logLines, OUTAGE_WARNINGS, seedCommissioning, startLoad } from '../support/commission-load';
import { PgCluster } from '../support/pg-cluster';
import { ensureBuilt, REPO_ROOT, runNode, startServerProcesses, type ServerProcesses } from '../support/processes';

const ORCHESTRATOR = { username: 'orchestrator-outage', password: 'outage-test-password-1' };
const DC = 'dc-outage';
const VLAN = 300;
const OUTAGE_MS = 2500;

let cluster: PgCluster | undefined;
let procs: ServerProcesses | undefined;

beforeAll(async () => {
  ensureBuilt();
  cluster = await PgCluster.primary('outage');
  await cluster.query('CREATE DATABASE ipcd');
  await seedCommissioning(cluster.url('ipcd'), {
    dataCenter: DC,
    vlan: VLAN,
    cidr: '10.30.0.0/20',
    orchestrator: ORCHESTRATOR,
  });
  procs = await startServerProcesses(
    1,
    { DATABASE_URL: cluster.url('ipcd'), LOG_LEVEL: 'info', IPCD_DB_POOL: '4' },
    { outputLimit: 4 << 20 },
  );
}, 60_000);

afterAll(async () => {
  await procs?.stop();
  await cluster?.destroy();
}, 30_000);

test('a database restart: UNAVAILABLE during the gap, one warning each way, writes resume by themselves', async () => {
  const load = startLoad({
    urls: procs!.urls,
    clients: 4,
    credentials: ORCHESTRATOR,
    prefix: 'outage',
    request: (serverInstance) => ({ dataCenter: DC, vlan: VLAN, serverInstance }),
  });
  try {
    await load.acksAfterNow(20, 15_000);
    await cluster!.stop('fast');
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await cluster!.start();
    await load.acksAfterNow(20, 20_000);
  } finally {
    await load.stop();
  }
  const { acked, faults, errors } = load.result;
  console.log(
    `db outage of ${OUTAGE_MS} ms: ${acked.length} acknowledged, ${faults.length} faults, ${errors.length} calls without answer`,
  );

  // The log: one warning when it went away, one when it came back; nothing at error level.
  const lines = logLines(procs!.servers[0]);
  expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  const warnings = lines.filter((l) => l.level === 'warn');
  expect(warnings.map((l) => l.message)).toEqual(OUTAGE_WARNINGS);
  expect(warnings[1].unavailableMs).toBeGreaterThanOrEqual(OUTAGE_MS - 500);
  expect(procs!.servers[0].output()).not.toMatch(/\n\s+at /);

  expect(errors).toEqual([]);
  expect(faults.length).toBeGreaterThan(0);
  for (const f of faults) {
    expect(f).toMatchObject({ code: 'UNAVAILABLE', faultcode: 'soap:Server', status: 500 });
    expect(f.message).toMatch(/database is unreachable; retry/);
  }

  // Everything acknowledged is stored, each address once.
  const rows = await cluster!.query<{ server_instance: string; address: string; id: string }>(
    `SELECT server_instance, host(address) AS address, id FROM allocation WHERE released_at IS NULL`,
    [],
    'ipcd',
  );
  const stored = new Map(rows.map((r) => [r.server_instance, r]));
  for (const a of acked)
    expect(stored.get(a.serverInstance)).toEqual({
      server_instance: a.serverInstance,
      address: a.address,
      id: a.allocationId,
    });
  expect(new Set(acked.map((a) => a.address)).size).toBe(acked.length);
}, 60_000);

test('IpcdClient and ipcd-client repeat UNAVAILABLE where a repeat is safe, and ride out a restart', async () => {
  const url = procs!.urls[0];
  const cli = (instance: string, retries: number) =>
    runNode(
      join(REPO_ROOT, 'dist', 'src', 'client', 'cli.js'),
      [
        'commission',
        '--dc',
        DC,
        '--vlan',
        String(VLAN),
        '--instance',
        instance,
        '--retries',
        String(retries),
        '--json',
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          IPCD_URL: url,
          IPCD_USER: ORCHESTRATOR.username,
          IPCD_PASSWORD: ORCHESTRATOR.password,
        },
      },
    );
  const retried: RetryInfo[] = [];
  const lib = new IpcdClient({ url, ...ORCHESTRATOR, retries: 12, retryDelayMs: 200, onRetry: (r) => retried.push(r) });
  const held = await lib.commission({ dataCenter: DC, vlan: VLAN, serverInstance: 'lib-held' });

  await cluster!.stop('fast');
  let restarted = false;
  try {
    const refused = await cli('cli-refused', 0);
    expect(refused.code).toBe(FAULT_EXIT.UNAVAILABLE);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      fault: { code: 'UNAVAILABLE', faultcode: 'soap:Server', exitStatus: FAULT_EXIT.UNAVAILABLE },
    });
    // A release by address is not repeated: had its COMMIT been cut short, the address could be someone else's by now.
    const release = await lib
      .decommission({ dataCenter: DC, vlan: VLAN, address: held.address })
      .catch((e: unknown) => e);
    expect(release).toBeInstanceOf(IpcdFaultError);
    expect(release).toMatchObject({ code: 'UNAVAILABLE', attempts: 1 });

    // Commissions are repeated until the database is back (started 1.5 s into their retries).
    const viaLib = lib.commission({ dataCenter: DC, vlan: VLAN, serverInstance: 'lib-through' });
    const viaCli = cli('cli-through', 12);
    await new Promise((r) => setTimeout(r, 1500));
    await cluster!.start();
    restarted = true;
    const [a, b] = await Promise.all([viaLib, viaCli]);
    expect(a).toMatchObject({ existing: false, address: expect.stringMatching(/^10\.30\./) });
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ existing: false, address: expect.stringMatching(/^10\.30\./) });
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.map((r) => (r.error as IpcdFaultError).code)).toEqual(retried.map(() => 'UNAVAILABLE'));
  } finally {
    if (!restarted) await cluster!.start();
  }
}, 60_000);
