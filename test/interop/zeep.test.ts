/**
 * Interop: python-zeep, a SOAP client nobody here wrote, drives the real server from the served
 * WSDL alone (test/interop/zeep_lifecycle.py): over SOAP 1.1 on both storage backends, and bound
 * to the WSDL's SOAP 1.2 port (IpcdSoap12Port), where zeep builds 1.2 envelopes, reads the 1.2
 * replies strictly against the schema and every refusal as a 1.2 Fault (env:Sender) with the
 * typed tns:IpcdFault in env:Detail. The script reports what it saw as JSON; this suite checks
 * that report, the server's metrics and then the database itself: everything zeep was issued is
 * released, and the released name can be issued again.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { loadExampleTopology } from '../../src/example/topology';
import { networkUsage } from '../../src/logic/topology/topology';
import { BACKENDS, openTestStore, type BackendKind, type TestStore } from '../support/backends';
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
  binding: string;
  soapVersion: string;
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
const oddInstance = (prefix: string) => `${prefix}-6 <\u00fc&"'\u2603>`;

const NS = '{http://ipcd.example.org/ns/commissioning/v1}';
/** Per SOAP version: the wsdl:port zeep binds to, the binding it must report, a refusal's faultcode. */
const VERSIONS = {
  '1.1': { port: [] as string[], binding: `${NS}IpcdSoapBinding`, faultcode: 'soap:Client' },
  '1.2': { port: ['--port', 'IpcdSoap12Port'], binding: `${NS}IpcdSoap12Binding`, faultcode: 'env:Sender' },
};
type Version = keyof typeof VERSIONS;
const RUNS: [BackendKind, Version][] = [
  ...BACKENDS.map((b): [BackendKind, Version] => [b, '1.1']),
  ['embedded', '1.2'],
];

const EXPECTED_FAULTS: Record<string, string> = {
  unknownVlan: 'UNKNOWN_VLAN',
  ambiguousVlan: 'AMBIGUOUS_VLAN',
  unknownDataCenter: 'UNKNOWN_DATA_CENTER',
  alreadyReleased: 'NOT_FOUND',
  vlanOutOfRange: 'INVALID_REQUEST',
};

describe.each(RUNS)('python-zeep against ipcd on the %s store, SOAP %s', (kind, version) => {
  const v = VERSIONS[version];
  /** Server instances of this run: zeep-embedded-1, zeep-embedded-12-1, ... */
  const prefix = `zeep-${kind}${version === '1.2' ? '-12' : ''}`;
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
      ...v.port,
      '--data-center',
      'dc1',
      '--vlan',
      '100',
      '--unknown-vlan',
      '999',
      '--ambiguous-vlan',
      '100',
      '--instance',
      prefix,
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
    expect({ address: report.address, binding: report.binding, soapVersion: report.soapVersion }).toEqual({
      address: server.url,
      binding: v.binding,
      soapVersion: version,
    });
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
        serverInstance: `${prefix}-1`,
        address: c.address,
        fqdn: c.fqdn,
      },
    ]);
    expect(report.decommissionByName.releasedCount).toBe(1);
    expect(report.decommissionByName.released).toEqual([
      {
        allocationId: n.allocationId,
        network: n.network,
        serverInstance: `${prefix}-2`,
        address: null,
        fqdn: n.fqdn,
      },
    ]);

    const v6 = report.commissionIPv6;
    expect(v6).toMatchObject({ network: 'dc1-v100-v6', prefixLength: 64, name: null });
    expect(v6.address).toMatch(/^2001:db8:100::[0-9a-f:]+$/);
    expect(report.decommissionIPv6.released.map((r) => [r.address, r.serverInstance])).toEqual([
      [v6.address, oddInstance(prefix)],
    ]);
    expect(report.oddServerInstance).toBe(oddInstance(prefix));
  });

  test('every refusal reached zeep as a Fault with a typed tns:IpcdFault detail', () => {
    expect(Object.keys(report.faults).sort()).toEqual(Object.keys(EXPECTED_FAULTS).sort());
    for (const [label, code] of Object.entries(EXPECTED_FAULTS)) {
      const f = report.faults[label];
      expect({ label, faultcode: f.faultcode, code: f.code, typed: f.typed?.code }).toEqual({
        label,
        faultcode: v.faultcode,
        code,
        typed: code,
      });
      expect(f.message).toBe(f.faultstring);
    }
    expect(report.faults.ambiguousVlan.message).toMatch(/dc1, dc2/);
  });

  test('the server counted the calls', async () => {
    expect(await server.metrics.text()).toMatch(
      /ipcd_operations_total\{[^}]*operation="CommissionIP"[^}]*outcome="ok"[^}]*\} [1-9]/,
    );
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
        server_instance: `${prefix}-1`,
        released: true,
        address_released: true,
        name_released: true,
      },
      {
        id: n.allocationId,
        address: null,
        name: n.name,
        server_instance: `${prefix}-2`,
        released: true,
        address_released: false,
        name_released: true,
      },
      {
        id: v6.allocationId,
        address: v6.address,
        name: null,
        server_instance: oddInstance(prefix),
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
      serverInstance: `plain-${prefix}`,
      wantName: true,
      hostnameHint: String(c.name),
    });
    expect(again.fault).toBeUndefined();
    expect(again.values.name).toBe(c.name);
    const released = await call(server.url, 'DecommissionIP', {
      dataCenter: 'dc1',
      vlan: 100,
      serverInstance: `plain-${prefix}`,
    });
    expect(released.values.releasedCount).toBe('1');
  });
});
