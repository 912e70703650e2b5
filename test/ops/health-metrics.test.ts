/**
 * /healthz, /readyz and /metrics through the real HTTP server on both stores: the operation
 * counters and latency histograms move as real SOAP calls run, the network gauges follow the
 * allocations, and readiness follows the database and its migrations.
 */
import { call } from '../support/soap';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { loadFlowTopology } from '../support/topology';
import { scrape, valueOf } from '../support/prometheus';
import { MIGRATIONS } from '../../migrations';
import { setZoneDns } from '../../src/logic/dns/dns-config';
import { addZone } from '../../src/logic/topology/topology';

describe.each(BACKENDS)('health and metrics (%s store)', (backend) => {
  let db: TestStore;
  let server: RunningServer;

  beforeAll(async () => {
    db = await openTestStore(backend);
    await loadFlowTopology(db.store);
    server = await startServer(db.store);
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
  });

  test('/healthz answers while the process is up', async () => {
    const res = await fetch(`${server.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('/readyz is ready when the database answers and every migration is applied', async () => {
    const res = await fetch(`${server.base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', database: 'ok' });
  });

  test('/readyz is not ready while a migration of this code is missing from the database', async () => {
    const last = new MIGRATIONS[MIGRATIONS.length - 1]().name;
    const [row] = await db.store.dataSource.query(`SELECT id, timestamp FROM ipcd_migrations WHERE name = $1`, [last]);
    await db.store.dataSource.query(`DELETE FROM ipcd_migrations WHERE name = $1`, [last]);
    try {
      const res = await fetch(`${server.base}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'not ready', database: 'ok', pendingMigrations: [last] });
    } finally {
      await db.store.dataSource.query(`INSERT INTO ipcd_migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [
        row.id,
        row.timestamp,
        last,
      ]);
    }
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
  });

  test('operation counters, fault codes and latency histograms move as SOAP operations run', async () => {
    const before = await scrape(server.base);
    const ok = { operation: 'CommissionIP', outcome: 'ok', fault_code: '' };
    const unknownVlan = { operation: 'CommissionIP', outcome: 'fault', fault_code: 'UNKNOWN_VLAN' };
    const released = { operation: 'DecommissionIP', outcome: 'ok', fault_code: '' };

    const a = await call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 10, serverInstance: 'm-1' });
    expect(a.fault).toBeUndefined();
    const b = await call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 10, serverInstance: 'm-2' });
    expect(b.fault).toBeUndefined();
    expect(
      (await call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 99, serverInstance: 'm-3' })).fault?.code,
    ).toBe('UNKNOWN_VLAN');
    const mid = await scrape(server.base);
    expect(valueOf(mid, 'ipcd_operations_total', ok) - valueOf(before, 'ipcd_operations_total', ok)).toBe(2);
    expect(
      valueOf(mid, 'ipcd_operations_total', unknownVlan) - valueOf(before, 'ipcd_operations_total', unknownVlan),
    ).toBe(1);
    expect(valueOf(mid, 'ipcd_operation_duration_seconds_count', { operation: 'CommissionIP', outcome: 'ok' })).toBe(
      valueOf(mid, 'ipcd_operations_total', ok),
    );
    expect(
      valueOf(mid, 'ipcd_operation_duration_seconds_sum', { operation: 'CommissionIP', outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(
      valueOf(mid, 'ipcd_operation_duration_seconds_bucket', { operation: 'CommissionIP', outcome: 'ok', le: '+Inf' }),
    ).toBe(valueOf(mid, 'ipcd_operations_total', ok));

    expect(
      (await call(server.url, 'DecommissionIP', { dataCenter: 'dc1', vlan: 10, serverInstance: 'm-1' })).fault,
    ).toBeUndefined();
    const after = await scrape(server.base);
    expect(valueOf(after, 'ipcd_operations_total', released) - valueOf(mid, 'ipcd_operations_total', released)).toBe(1);
    expect(valueOf(after, 'ipcd_operations_total', ok)).toBe(valueOf(mid, 'ipcd_operations_total', ok));
  });

  test('database round trips and transactions: about one statement per hot-path call, none a transaction', async () => {
    // Commission and release again, so the later tests find the networks as they were.
    const cycle = async (instance: string) => {
      const where = { dataCenter: 'dc1', vlan: 10, serverInstance: instance };
      expect((await call(server.url, 'CommissionIP', where)).fault).toBeUndefined();
      expect((await call(server.url, 'DecommissionIP', where)).fault).toBeUndefined();
    };
    await cycle('rt-0');
    // A scrape reads the store itself (network fills, DNS outbox): what one costs, to take it off.
    const RT = 'ipcd_db_round_trips_total';
    const TX = 'ipcd_db_transactions_total';
    const s0 = await scrape(server.base);
    const s1 = await scrape(server.base);
    const cost = (name: string) => valueOf(s1, name) - valueOf(s0, name);
    const moved = (a: typeof s0, b: typeof s0, name: string) => valueOf(b, name) - valueOf(a, name) - cost(name);
    for (let i = 1; i <= 5; i++) await cycle(`rt-${i}`);
    const s2 = await scrape(server.base);
    // 10 hot-path calls, one statement each (a second one only if a call has to re-plan).
    expect(moved(s1, s2, RT)).toBeGreaterThanOrEqual(10);
    expect(moved(s1, s2, RT)).toBeLessThanOrEqual(12);
    expect(moved(s1, s2, TX)).toBe(0);
    // A management change is one BEGIN … COMMIT.
    await addZone(db.store, 'metrics-rt.example.com');
    const s3 = await scrape(server.base);
    expect(moved(s2, s3, TX)).toBe(1);
    expect(moved(s2, s3, RT)).toBeGreaterThanOrEqual(3); // BEGIN, the change and its audit row, COMMIT
    // The exposed counter is the store's own count as the scrape read it.
    expect(valueOf(s3, RT)).toBeLessThanOrEqual(db.store.stats.roundTrips);
  });

  test('requests refused before reaching an operation are counted by fault code', async () => {
    const before = valueOf(await scrape(server.base), 'ipcd_rejected_requests_total', {
      fault_code: 'INVALID_REQUEST',
    });
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<not-soap' });
    expect(res.status).toBe(500);
    expect(valueOf(await scrape(server.base), 'ipcd_rejected_requests_total', { fault_code: 'INVALID_REQUEST' })).toBe(
      before + 1,
    );
  });

  test('per-network used/free gauges follow the allocations, read from the store at scrape time', async () => {
    const net = (name: string) => ({ network: name, data_center: name === 'dc2-v10' ? 'dc2' : 'dc1' });
    const gauges = async (name: string) => {
      const s = await scrape(server.base);
      return {
        used: valueOf(s, 'ipcd_network_addresses', { ...net(name), state: 'used' }),
        free: valueOf(s, 'ipcd_network_addresses', { ...net(name), state: 'free' }),
        assignable: valueOf(s, 'ipcd_network_assignable_addresses', net(name)),
        percent: valueOf(s, 'ipcd_network_utilization_percent', net(name)),
      };
    };
    // t1-alt is 10.2.0.0/30: one assignable address. A row written behind the server's back is seen too.
    expect(await gauges('t1-alt')).toEqual({ used: 0, free: 1, assignable: 1, percent: 0 });
    expect(
      (await call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 20, serverInstance: 'g-1' })).fault,
    ).toBeUndefined();
    expect(await gauges('t1-alt')).toEqual({ used: 1, free: 0, assignable: 1, percent: 100 });
    expect(
      (await call(server.url, 'DecommissionIP', { dataCenter: 'dc1', vlan: 20, serverInstance: 'g-1' })).fault,
    ).toBeUndefined();
    expect(await gauges('t1-alt')).toEqual({ used: 0, free: 1, assignable: 1, percent: 0 });

    // IPv6 /64: free is 2^64 - 2 (subnet-router anycast and gateway excluded) until one is issued.
    const v6 = async () => gauges('v10-v6');
    expect((await v6()).free).toBe(Number(2n ** 64n - 2n));
    expect(
      (
        await call(server.url, 'CommissionIP', {
          dataCenter: 'dc1',
          vlan: 10,
          serverInstance: 'g-6',
          addressFamily: 'IPv6',
        })
      ).fault,
    ).toBeUndefined();
    expect((await v6()).used).toBe(1);
  });

  test('DNS outbox depth and age: changes queued by commissions in a zone with a server configured', async () => {
    const before = await scrape(server.base);
    expect(valueOf(before, 'ipcd_dns_outbox_pending')).toBe(0);
    expect(valueOf(before, 'ipcd_dns_outbox_oldest_pending_seconds')).toBe(0);
    // No DNS worker runs beside this server: what is queued stays pending and ages.
    await setZoneDns(db.store, 'dc2.test', {
      server: '127.0.0.1:5353',
      key: 'c2VjcmV0c2VjcmV0c2VjcmV0',
      keyName: 'k',
      algorithm: 'hmac-sha256',
    });
    const r = await call(server.url, 'CommissionIP', {
      dataCenter: 'dc2',
      vlan: 10,
      serverInstance: 'd-1',
      wantName: true,
    });
    expect(r.fault).toBeUndefined();
    await new Promise((res) => setTimeout(res, 1100));
    const after = await scrape(server.base);
    expect(valueOf(after, 'ipcd_dns_outbox_pending')).toBe(1); // the A record (no reverse zone for 10.1.0.0)
    expect(valueOf(after, 'ipcd_dns_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'ipcd_dns_outbox_failed')).toBe(0);
  });

  test('/readyz reports the database unreachable once the store is gone', async () => {
    await db.store.close();
    const res = await fetch(`${server.base}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; database: string };
    expect(body.status).toBe('not ready');
    expect(body.database).toMatch(/^unreachable: /);
  });
});
