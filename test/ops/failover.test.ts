/**
 * PostgreSQL failover under load: a primary and a synchronous streaming standby (initdb +
 * pg_basebackup, throwaway clusters on free ports), two ipcd replicas whose DATABASE_URL lists
 * both hosts with target_session_attrs=read-write, six clients commissioning. The primary crashes
 * (pg_ctl stop -m immediate), the standby is promoted a second later, as a failover manager
 * would. Clients see only the retryable UNAVAILABLE during the gap; both replicas then write to
 * the new primary without a restart; every acknowledged commission is on the new primary (lost =
 * 0) and no address was issued twice. The figures go to test-results/failover.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logLines, longestGap, OUTAGE_WARNINGS, seedCommissioning, startLoad } from '../support/commission-load';
import { PgCluster } from '../support/pg-cluster';
import { ensureBuilt, REPO_ROOT, startServerProcesses, type ServerProcesses } from '../support/processes';

const ORCHESTRATOR = { username: 'orchestrator-failover', password: 'failover-test-password-1' };
const DC = 'dc-failover';
const VLAN = 400;
/** How long the "failover manager" takes to decide before it promotes the standby. */
const DETECTION_MS = 1000;

let primary: PgCluster | undefined;
let standby: PgCluster | undefined;
let procs: ServerProcesses | undefined;

beforeAll(async () => {
  ensureBuilt();
  primary = await PgCluster.primary('primary');
  await primary.query('CREATE DATABASE ipcd');
  await seedCommissioning(primary.url('ipcd'), {
    dataCenter: DC,
    vlan: VLAN,
    cidr: '10.40.0.0/20',
    orchestrator: ORCHESTRATOR,
  });
  standby = await PgCluster.standbyOf(primary, 'standby');
  await primary.requireSyncStandby();
  // The standby first in the list: ipcd must pass it over while it is read-only.
  const url = `postgres://postgres@${standby.address},${primary.address}/ipcd?target_session_attrs=read-write&connect_timeout=2`;
  procs = await startServerProcesses(
    2,
    { DATABASE_URL: url, LOG_LEVEL: 'info', IPCD_DB_POOL: '4' },
    { outputLimit: 4 << 20 },
  );
}, 60_000);

afterAll(async () => {
  await procs?.stop();
  await standby?.destroy();
  await primary?.destroy();
}, 30_000);

test('the primary crashes, the standby is promoted: UNAVAILABLE in the gap, then writes resume, nothing acknowledged lost', async () => {
  const load = startLoad({
    urls: procs!.urls,
    clients: 6,
    credentials: ORCHESTRATOR,
    prefix: 'fo',
    request: (serverInstance) => ({ dataCenter: DC, vlan: VLAN, serverInstance }),
  });
  let crashedAt = 0;
  let promotedAt = 0;
  try {
    await load.acksAfterNow(60, 20_000);
    crashedAt = Date.now();
    await primary!.stop('immediate');
    await new Promise((r) => setTimeout(r, DETECTION_MS));
    await standby!.promote();
    promotedAt = Date.now();
    await load.acksAfterNow(60, 20_000);
  } finally {
    await load.stop();
  }
  const { acked, faults, errors } = load.result;

  // What the new primary holds against what the clients were told.
  const rows = await standby!.query<{ server_instance: string; address: string; id: string }>(
    `SELECT server_instance, host(address) AS address, id FROM allocation WHERE released_at IS NULL`,
    [],
    'ipcd',
  );
  const stored = new Map(rows.map((r) => [r.server_instance, r]));
  const lost = acked.filter(
    (a) => stored.get(a.serverInstance)?.address !== a.address || stored.get(a.serverInstance)?.id !== a.allocationId,
  );
  const gap = longestGap(acked);
  const after = acked.filter((a) => a.at > promotedAt);
  const figures = {
    acknowledged: acked.length,
    acknowledgedBeforeCrash: acked.filter((a) => a.at <= crashedAt).length,
    acknowledgedAfterPromotion: after.length,
    repeatsAnsweredExisting: acked.filter((a) => a.existing).length,
    unavailableFaults: faults.filter((f) => f.code === 'UNAVAILABLE').length,
    otherFaults: faults.filter((f) => f.code !== 'UNAVAILABLE').length,
    callsWithoutAnswer: errors.length,
    lost: lost.length,
    writeGapMs: gap.ms,
    crashToPromotedMs: promotedAt - crashedAt,
    promotedToFirstWriteMs: after.length ? Math.min(...after.map((a) => a.at)) - promotedAt : null,
  };
  console.log(`failover: ${JSON.stringify(figures)}`);
  mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'test-results', 'failover.json'), JSON.stringify(figures, null, 2) + '\n');

  expect(errors).toEqual([]);
  expect(faults.length).toBeGreaterThan(0);
  for (const f of faults) expect(f).toMatchObject({ code: 'UNAVAILABLE', faultcode: 'soap:Server', status: 500 });
  expect(lost).toEqual([]);
  // No address issued twice: to the clients, and in the new primary's rows.
  expect(new Set(acked.map((a) => a.address)).size).toBe(acked.length);
  expect(new Set(rows.map((r) => r.address)).size).toBe(rows.length);
  // Both replicas found the new primary by themselves.
  for (const url of procs!.urls) expect(after.some((a) => a.via === url)).toBe(true);
  expect(gap.ms).toBeLessThan(15_000);

  for (const s of procs!.servers) {
    const lines = logLines(s);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual(OUTAGE_WARNINGS);
  }
}, 60_000);
