/**
 * Interop over SOAP 1.2: python-zeep bound to the WSDL's SOAP 1.2 port (IpcdSoap12Port) runs the
 * same lifecycle as test/interop/zeep.test.ts (zeep_lifecycle.py --port IpcdSoap12Port): zeep
 * builds SOAP 1.2 envelopes, reads the 1.2 replies strictly against the schema and every refusal
 * as a 1.2 Fault (env:Sender) with the typed tns:IpcdFault in env:Detail. Then the server's
 * metrics and the database: the calls were served, and everything zeep was issued is released.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { loadExampleTopology } from '../../src/example/topology';
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'zeep_lifecycle.py');

interface Report {
  ok: boolean;
  mismatches: string[];
  binding: string;
  soapVersion: string;
  address: string;
  commission: Record<string, string | number | null>;
  nameOnly: Record<string, string>;
  commissionIPv6: Record<string, string | number | null>;
  faults: Record<
    string,
    { faultcode?: string; faultstring?: string; code?: string; message?: string; typed?: { code: string } }
  >;
}

function runScript(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  return new Promise((resolve) => {
    execFile(PYTHON, [SCRIPT, ...args], { env, timeout: 120_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      resolve({
        code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
        stdout: String(stdout),
        stderr: String(stderr),
      });
    });
  });
}

describe('python-zeep on the SOAP 1.2 port', () => {
  let ts: TestStore;
  let server: RunningServer;
  let report: Report;
  let exit: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    ts = await openTestStore('embedded');
    await loadExampleTopology(ts.store);
    server = await startServer(ts.store);
    exit = await runScript([
      `${server.url}?wsdl`,
      '--port',
      'IpcdSoap12Port',
      '--data-center',
      'dc1',
      '--vlan',
      '100',
      '--unknown-vlan',
      '999',
      '--ambiguous-vlan',
      '100',
      '--instance',
      'zeep12',
      '--ipv6',
    ]);
    try {
      report = JSON.parse(exit.stdout) as Report;
    } catch {
      throw new Error(`zeep_lifecycle.py printed no JSON (exit ${exit.code}):\n${exit.stdout}\n${exit.stderr}`);
    }
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    await ts?.dispose();
  });

  test('zeep bound the SOAP 1.2 binding at the served address and ran the lifecycle without a mismatch', () => {
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(exit.code).toBe(0);
    expect(report).toMatchObject({
      binding: '{http://ipcd.example.org/ns/commissioning/v1}IpcdSoap12Binding',
      soapVersion: '1.2',
      address: server.url,
    });
    expect(report.commission).toMatchObject({
      dataCenter: 'dc1',
      vlan: 100,
      network: 'dc1-v100-a',
      source: 'VLAN',
      zone: 'dc1.example.com',
    });
    expect(report.commissionIPv6).toMatchObject({ network: 'dc1-v100-v6', prefixLength: 64 });
  });

  test('every refusal arrived as a SOAP 1.2 Sender fault with the typed tns:IpcdFault', () => {
    const expected = {
      unknownVlan: 'UNKNOWN_VLAN',
      ambiguousVlan: 'AMBIGUOUS_VLAN',
      unknownDataCenter: 'UNKNOWN_DATA_CENTER',
      alreadyReleased: 'NOT_FOUND',
      vlanOutOfRange: 'INVALID_REQUEST',
    };
    expect(Object.keys(report.faults).sort()).toEqual(Object.keys(expected).sort());
    for (const [label, code] of Object.entries(expected)) {
      const f = report.faults[label];
      expect({ label, faultcode: f.faultcode, code: f.code, typed: f.typed?.code }).toEqual({
        label,
        faultcode: 'env:Sender',
        code,
        typed: code,
      });
      expect(f.message).toBe(f.faultstring);
    }
  });

  test('the server counted the calls, and everything zeep was issued is released', async () => {
    const metrics = await server.metrics.text();
    expect(metrics).toMatch(/ipcd_operations_total\{[^}]*operation="CommissionIP"[^}]*outcome="ok"[^}]*\} [1-9]/);
    const rows: { server_instance: string; released: boolean }[] = await ts.store.dataSource.query(
      `SELECT server_instance, released_at IS NOT NULL AS released FROM allocation ORDER BY created_at, id`,
    );
    expect(rows.map((r) => r.server_instance)).toEqual(['zeep12-1', 'zeep12-2', expect.stringMatching(/^zeep12-6 /)]);
    expect(rows.every((r) => r.released)).toBe(true);
  });
});
