/**
 * Utilization alerts across three real server processes on one PostgreSQL database: concurrent
 * commissions and releases through all three cross a network's threshold up, back down (past the
 * hysteresis) and up again; a webhook receiver in the test gets exactly one event per crossing,
 * although every process evaluates after every change and sweeps every second, and although the
 * receiver refuses its first delivery (retried). Inside the hysteresis band nothing is sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { call } from '../support/soap';
import { openTestStore, type TestStore } from '../support/backends';
import { startServerProcesses, type ServerProcesses } from '../support/processes';
import { scrape, valueOf } from '../support/prometheus';
import { addDataCenter, addNetwork } from '../../src/logic/topology/topology';
import { evaluateAlert, setAlertThreshold } from '../../src/logic/alerts/alerts';
import { commission } from '../../src/logic/allocation/commission';
import { decommission } from '../../src/logic/allocation/decommission';
import { openStore } from '../../src/store/open';

interface Received {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: {
    id: string;
    type: string;
    direction: 'up' | 'down';
    network: string;
    dataCenter: string;
    percent: number;
    thresholdPercent: number;
    used: string;
    assignable: string;
    at: string;
  };
}

const until = async (what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('utilization alerts across server processes (postgres)', () => {
  let db: TestStore;
  let procs: ServerProcesses;
  let receiver: Server;
  const received: Received[] = [];
  const accepted = () => received.filter((r) => r.status === 200).map((r) => r.body);

  beforeAll(async () => {
    db = await openTestStore('postgres');
    await addDataCenter(db.store, 'dc1');
    // 10.50.0.0/27: 29 assignable (network, broadcast, gateway excluded). Threshold 50%: high at
    // 15 used (51.7%); with the default 5-point hysteresis, normal again at 13 (44.8%), not at 14 (48.3%).
    await addNetwork(db.store, { name: 'busy', cidr: '10.50.0.0/27', dataCenter: 'dc1', vlan: 50 });
    await addNetwork(db.store, { name: 'quiet', cidr: '10.51.0.0/24', dataCenter: 'dc1', vlan: 51 });
    await setAlertThreshold(db.store, 'busy', 50);

    let first = true;
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        // The very first delivery is refused: it must come again, once.
        const status = first ? 503 : 200;
        first = false;
        received.push({ status, headers: req.headers, body: JSON.parse(raw) });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
    procs = await startServerProcesses(3, {
      DATABASE_URL: db.url!,
      IPCD_AUTH: 'off',
      IPCD_DB_POOL: '4',
      LOG_LEVEL: 'warn',
      IPCD_ALERT_WEBHOOK_URL: hook,
      IPCD_ALERT_WEBHOOK_SECRET: 'hook-secret',
      IPCD_ALERT_WEBHOOK_RETRY_MS: '200',
      IPCD_ALERT_SWEEP_SECONDS: '1',
    });
  }, 60_000);

  afterAll(async () => {
    await procs?.stop();
    await new Promise((r) => receiver?.close(r));
    await db?.dispose();
  });

  // Spread over the three processes, all at once.
  const commissionAll = (names: string[]) =>
    Promise.all(
      names.map((n, i) => call(procs.urls[i % 3], 'CommissionIP', { dataCenter: 'dc1', vlan: 50, serverInstance: n })),
    );
  const releaseAll = (names: string[]) =>
    Promise.all(
      names.map((n, i) =>
        call(procs.urls[(i + 1) % 3], 'DecommissionIP', { dataCenter: 'dc1', vlan: 50, serverInstance: n }),
      ),
    );
  const noFaults = (rs: { fault?: { code: string } }[]) => expect(rs.filter((r) => r.fault)).toEqual([]);
  const instances = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
  // Long enough for every process to evaluate, sweep (every second) and retry (200 ms) again.
  const settle = () => sleep(2500);

  test('crossing upwards with 20 concurrent commissions: one event, delivered once after a refused first try', async () => {
    noFaults(await commissionAll(instances('up', 20)));
    await until('the up event', () => accepted().length === 1);
    await settle();
    expect(accepted().map((e) => e.direction)).toEqual(['up']);
    const [refused, delivered] = received;
    expect(refused.status).toBe(503);
    expect(delivered.body).toEqual(refused.body);
    expect(delivered.headers['x-ipcd-event-id']).toBe(delivered.body.id);
    expect(delivered.headers['x-ipcd-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(delivered.body).toMatchObject({
      type: 'ipcd.utilization',
      network: 'busy',
      dataCenter: 'dc1',
      thresholdPercent: 50,
      assignable: '29',
    });
    expect(Number(delivered.body.used)).toBeGreaterThanOrEqual(15);
    expect(delivered.body.percent).toBeGreaterThanOrEqual(50);
  });

  test('inside the hysteresis band (below the threshold, not 5 points below) nothing is sent', async () => {
    noFaults(await releaseAll(instances('up', 6))); // 14 of 29 used: 48.3%
    await settle();
    expect(accepted().map((e) => e.direction)).toEqual(['up']);
  });

  test('falling past the band: one down event', async () => {
    noFaults(await releaseAll(['up-7'])); // 13 of 29: 44.8%
    await until('the down event', () => accepted().length === 2);
    await settle();
    expect(accepted().map((e) => e.direction)).toEqual(['up', 'down']);
    expect(accepted()[1]).toMatchObject({ network: 'busy', used: '13', percent: 44.82, thresholdPercent: 50 });
  });

  test('crossing upwards again with 10 concurrent commissions: one more up event', async () => {
    noFaults(await commissionAll(instances('again', 10)));
    await until('the second up event', () => accepted().length === 3);
    await settle();
    expect(accepted().map((e) => e.direction)).toEqual(['up', 'down', 'up']);
    expect(new Set(accepted().map((e) => e.id)).size).toBe(3);
  });

  test('each crossing was logged and counted once across the processes, stored once and marked delivered', async () => {
    const logged = (text: string) =>
      procs.servers.map((s) => s.output().split(text).length - 1).reduce((a, b) => a + b, 0);
    expect(logged('reached its alert threshold')).toBe(2);
    expect(logged('fell back below its alert threshold')).toBe(1);
    let up = 0;
    let down = 0;
    for (const s of procs.servers) {
      const m = await scrape(s.base);
      up += valueOf(m, 'ipcd_alert_events_total', { direction: 'up' });
      down += valueOf(m, 'ipcd_alert_events_total', { direction: 'down' });
      expect(valueOf(m, 'ipcd_network_alerting', { network: 'busy', data_center: 'dc1' })).toBe(1);
      expect(valueOf(m, 'ipcd_network_alerting', { network: 'quiet', data_center: 'dc1' })).toBe(0);
    }
    expect({ up, down }).toEqual({ up: 2, down: 1 });
    const rows = await db.store.dataSource.query(`SELECT direction, webhook, attempts FROM alert_event ORDER BY id`);
    expect(rows).toEqual([
      { direction: 'up', webhook: 'delivered', attempts: 2 },
      { direction: 'down', webhook: 'delivered', attempts: 1 },
      { direction: 'up', webhook: 'delivered', attempts: 1 },
    ]);
  });
});

describe('alert state transitions under racing evaluators (postgres)', () => {
  let db: TestStore;
  const others: Awaited<ReturnType<typeof openStore>>[] = [];
  const policy = { defaultThresholdPercent: 90, hysteresisPercent: 5, webhook: false };

  beforeAll(async () => {
    db = await openTestStore('postgres');
    await addDataCenter(db.store, 'dc1');
    await addNetwork(db.store, { name: 'tiny', cidr: '10.60.0.0/29', dataCenter: 'dc1', vlan: 60 }); // 5 assignable
    for (let i = 0; i < 3; i++) others.push(await openStore({ databaseUrl: db.url!, poolSize: 10 }));
  });
  afterAll(async () => {
    for (const o of others) await o.store.close();
    await db?.dispose();
  });

  test('30 evaluations at once over three connection pools make exactly one transition per crossing', async () => {
    const id = (await db.store.transaction((tx) => tx.topology.networkByName('tiny')))!.id;
    const race = async () => {
      const events = await Promise.all(
        Array.from({ length: 30 }, (_, i) => evaluateAlert(others[i % 3].store, id, policy)),
      );
      return events.filter((e) => e !== null).map((e) => e!.direction);
    };
    for (let i = 1; i <= 5; i++)
      await commission(db.store, {
        dataCenter: 'dc1',
        vlan: 60,
        serverInstance: `t-${i}`,
        wantAddress: true,
        wantName: false,
        family: 4,
      });
    expect(await race()).toEqual(['up']);
    expect(await race()).toEqual([]);
    await decommission(db.store, {
      dataCenter: 'dc1',
      vlan: 60,
      serverInstance: 't-1',
      releaseAddress: true,
      releaseName: true,
    }); // 80%
    expect(await race()).toEqual(['down']);
    await commission(db.store, {
      dataCenter: 'dc1',
      vlan: 60,
      serverInstance: 't-6',
      wantAddress: true,
      wantName: false,
      family: 4,
    });
    expect(await race()).toEqual(['up']);
    expect(Number((await db.store.dataSource.query(`SELECT count(*) AS n FROM alert_event`))[0].n)).toBe(3);
  });
});
