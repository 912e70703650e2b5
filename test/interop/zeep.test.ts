/**
 * Interop: python-zeep, a SOAP client nobody here wrote, drives the real server from the served
 * WSDL alone (test/interop/zeep_lifecycle.py), on both storage backends. The script reports what
 * it saw as JSON; this suite checks that report and then the database itself: everything zeep
 * was issued is released, and the released name can be issued again.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { loadExampleTopology } from '../../src/example/topology';
import { networkUsage } from '../../src/logic/topology/topology';
import { BACKENDS, openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';
import { call } from '../support/soap';

/** Debian's interpreter, which has python3-zeep; the pyenv python3 on PATH has not. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'zeep_lifecycle.py');

interface Released {
  allocationId: string;
  network: string;
  serverInstance: string;
  address: string | null;
  fqdn: string | null;
}
interface ObservedFault {
  expected: string;
  faultcode?: string;
  faultstring?: string;
  code?: string;
  message?: string;
  typed?: { code: string; message: string };
}
interface ZeepReport {
  ok: boolean;
  mismatches: string[];
  address: string;
  commission: Record<string, string | number | null>;
  nameOnly: Record<string, string>;
  decommissionByAddress: { releasedCount: number; released: Released[] };
  decommissionByName: { releasedCount: number; released: Released[] };
  commissionIPv6: Record<string, string | number | null>;
  decommissionIPv6: { releasedCount: number; released: Released[] };
  faults: Record<string, ObservedFault>;
  oddServerInstance: string;
}

/** Runs the script without blocking the event loop (the server under test lives in this process). */
function runScript(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.PYTHONPATH; // pyenv's settings must not leak into Debian's interpreter
  delete env.PYTHONHOME;
  return new Promise((resolve) => {
    execFile(PYTHON, [SCRIPT, ...args], { env, timeout: 120_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The script's IPv6 server instance: markup characters and non-ASCII text. */
const oddInstance = (kind: string) => `zeep-${kind}-6 <\u00fc&"'\u2603>`;

const EXPECTED_FAULTS: Record<string, string> = {
  unknownVlan: 'UNKNOWN_VLAN',
  ambiguousVlan: 'AMBIGUOUS_VLAN',
  unknownDataCenter: 'UNKNOWN_DATA_CENTER',
  alreadyReleased: 'NOT_FOUND',
  vlanOutOfRange: 'INVALID_REQUEST',
};

describe.each(BACKENDS)('python-zeep against ipcd on the %s store', (kind) => {
  let ts: TestStore;
  let server: RunningServer;
  let report: ZeepReport;
  let exit: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    ts = await openTestStore(kind);
    await loadExampleTopology(ts.store);
    server = await startServer(ts.store);
    // VLAN 100 exists in dc1 and dc2 (AMBIGUOUS_VLAN without dataCenter); VLAN 999 nowhere.
    exit = await runScript([
      `${server.url}?wsdl`,
      '--data-center',
      'dc1',
      '--vlan',
      '100',
      '--unknown-vlan',
      '999',
      '--ambiguous-vlan',
      '100',
      '--instance',
      `zeep-${kind}`,
      '--ipv6',
    ]);
    try {
      report = JSON.parse(exit.stdout) as ZeepReport;
    } catch {
      throw new Error(`zeep_lifecycle.py printed no JSON (exit ${exit.code}):\n${exit.stdout}\n${exit.stderr}`);
    }
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    await ts?.dispose();
  });

  test('the script ran the whole lifecycle without a mismatch', () => {
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(exit.code).toBe(0);
    // zeep took the endpoint from the served WSDL, rewritten to where it was fetched from.
    expect(report.address).toBe(server.url);
  });

  test('zeep read typed responses that agree with the topology', () => {
    const c = report.commission;
    expect(c).toMatchObject({
      dataCenter: 'dc1',
      vlan: 100,
      network: 'dc1-v100-a',
      source: 'VLAN',
      prefixLength: 24,
      gateway: '10.0.0.1',
      zone: 'dc1.example.com',
    });
    expect(c.address).toMatch(/^10\.0\.0\.\d{1,3}$/);
    expect(c.fqdn).toBe(`${c.name}.dc1.example.com`);

    const n = report.nameOnly;
    expect(n).toMatchObject({ dataCenter: 'dc1', zone: 'dc1.example.com' });
    expect(n.name).not.toBe(c.name);
    expect(n).not.toHaveProperty('address');

    expect(report.decommissionByAddress.releasedCount).toBe(1);
    expect(report.decommissionByAddress.released).toEqual([
      {
        allocationId: c.allocationId,
        network: c.network,
        serverInstance: `zeep-${kind}-1`,
        address: c.address,
        fqdn: c.fqdn,
      },
    ]);
    expect(report.decommissionByName.releasedCount).toBe(1);
    expect(report.decommissionByName.released).toEqual([
      {
        allocationId: n.allocationId,
        network: n.network,
        serverInstance: `zeep-${kind}-2`,
        address: null,
        fqdn: n.fqdn,
      },
    ]);

    const v6 = report.commissionIPv6;
    expect(v6).toMatchObject({ network: 'dc1-v100-v6', prefixLength: 64, name: null });
    expect(v6.address).toMatch(/^2001:db8:100::[0-9a-f:]+$/);
    expect(report.decommissionIPv6.released.map((r) => [r.address, r.serverInstance])).toEqual([
      [v6.address, oddInstance(kind)],
    ]);
    expect(report.oddServerInstance).toBe(oddInstance(kind));
  });

  test('every refusal reached zeep as a Fault with a typed tns:IpcdFault detail', () => {
    expect(Object.keys(report.faults).sort()).toEqual(Object.keys(EXPECTED_FAULTS).sort());
    for (const [label, code] of Object.entries(EXPECTED_FAULTS)) {
      const f = report.faults[label];
      expect({ label, faultcode: f.faultcode, code: f.code, typed: f.typed?.code }).toEqual({
        label,
        faultcode: 'soap:Client',
        code,
        typed: code,
      });
      expect(f.message).toBe(f.faultstring);
    }
    expect(report.faults.ambiguousVlan.message).toMatch(/dc1, dc2/);
  });

  test('the database holds exactly what zeep was issued, all of it released', async () => {
    const rows: {
      id: string;
      address: string | null;
      name: string | null;
      server_instance: string;
      released: boolean;
      address_released: boolean;
      name_released: boolean;
    }[] = await ts.store.dataSource.query(
      `SELECT id, host(address) AS address, name, server_instance,
                released_at IS NOT NULL AS released,
                address_released_at IS NOT NULL AS address_released,
                name_released_at IS NOT NULL AS name_released
           FROM allocation ORDER BY created_at, id`,
    );
    const c = report.commission;
    const n = report.nameOnly;
    const v6 = report.commissionIPv6;
    // The faults issued nothing: only the three successful commissions left rows.
    expect(rows).toEqual([
      {
        id: c.allocationId,
        address: c.address,
        name: c.name,
        server_instance: `zeep-${kind}-1`,
        released: true,
        address_released: true,
        name_released: true,
      },
      {
        id: n.allocationId,
        address: null,
        name: n.name,
        server_instance: `zeep-${kind}-2`,
        released: true,
        address_released: false,
        name_released: true,
      },
      {
        id: v6.allocationId,
        address: v6.address,
        name: null,
        server_instance: oddInstance(kind),
        released: true,
        address_released: true,
        name_released: false,
      },
    ]);

    const usage = await networkUsage(ts.store);
    expect(usage.length).toBe(6);
    expect(usage.filter((u) => u.used !== 0n).map((u) => u.network.name)).toEqual([]);

    // Nothing is active on VLAN 100, and neither name is held any more.
    const active = await ts.store.dataSource.query(
      `SELECT count(*)::int AS n FROM allocation a JOIN data_center d ON d.id = a.requested_dc_id
       WHERE d.name = 'dc1' AND a.requested_vlan = 100 AND a.released_at IS NULL`,
    );
    expect(active[0].n).toBe(0);
    const names = await ts.store.dataSource.query(
      `SELECT count(*)::int AS n FROM allocation a JOIN zone z ON z.id = a.zone_id
       WHERE z.name = 'dc1.example.com' AND a.name = ANY($1) AND a.name_released_at IS NULL`,
      [[String(c.name), n.name]],
    );
    expect(names[0].n).toBe(0);
  });

  test('a second client sees the released name free again', async () => {
    const c = report.commission;
    const again = await call(server.url, 'CommissionIP', {
      dataCenter: 'dc1',
      vlan: 100,
      serverInstance: `plain-${kind}`,
      wantName: true,
      hostnameHint: String(c.name),
    });
    expect(again.fault).toBeUndefined();
    expect(again.values.name).toBe(c.name);
    const released = await call(server.url, 'DecommissionIP', {
      dataCenter: 'dc1',
      vlan: 100,
      serverInstance: `plain-${kind}`,
    });
    expect(released.values.releasedCount).toBe('1');
  });
});
