/**
 * Interop: PHP's SoapClient (Debian's php-cli with php-soap), a SOAP client nobody here wrote,
 * loads both WSDLs as the real server serves them (WS-SecurityPolicy included) with
 * error_reporting(E_ALL), in SOAP 1.1 and in SOAP 1.2, and drives the server with authentication
 * on (test/interop/php_soapclient.php): CommissionIP → DecommissionIP with a WS-Security
 * UsernameToken header, an unknown VLAN caught as a SoapFault with the typed IpcdFault detail, and
 * ListDataCenters on the management service. Not one PHP warning, notice or deprecation may be
 * printed. Nothing is installed here and nothing is skipped: without php and its soap extension
 * the suite fails, naming what .ci/run installs. Then the database: what PHP was issued is released.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { COMMISSIONING, MANAGEMENT } from '../../src/api/contract';
import { authOptions } from '../../src/api/operation';
import { loadExampleTopology } from '../../src/example/topology';
import { addUser } from '../../src/logic/access/users';
import { openTestStore, type TestStore } from '../support/backends';
import { startServer, type RunningServer } from '../support/server';

const SCRIPT = join(__dirname, 'php_soapclient.php');
const ORCH = { username: 'php-orch', password: 'php-orchestrator-pass' };
const ADMIN = { username: 'php-admin', password: 'php-administrator-pass' };

interface PhpReport {
  phpVersion: string;
  mismatches: string[];
  notices: string[];
  functions: string[];
  adminFunctions: string[];
  types: number;
  commission: Record<string, string | number | boolean>;
  mediaTypes: { request: string; response: string };
  securityHeaderSent: boolean;
  decommission: { releasedCount: number; released: Record<string, string>[] };
  unknownVlan: { faultcode: string; faultstring: string; code: string; message: string; status: number };
  dataCenters: string[];
  adminMediaTypes: { request: string; response: string };
}

function php(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('php', args, { timeout: 60_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const VERSIONS = {
  '1.1': { faultcode: 'soap:Client', status: 500, media: /^text\/xml; charset=utf-8$/ },
  '1.2': { faultcode: 'env:Sender', status: 400, media: /^application\/soap\+xml; charset=utf-8/ },
};

describe('PHP SoapClient against ipcd', () => {
  let ts: TestStore;
  let server: RunningServer;

  beforeAll(async () => {
    const m = await php(['-m']);
    if (m.code !== 0 || !/^soap$/m.test(m.stdout)) {
      throw new Error(
        `php with the soap extension is missing (${m.code !== 0 ? 'no php' : 'no soap module'}). .ci/run must install php-cli and php-soap (its "need" list); this suite installs nothing and skips nothing.`,
      );
    }
    ts = await openTestStore('postgres');
    await loadExampleTopology(ts.store);
    await addUser(ts.store, { ...ORCH, role: 'orchestrator', grants: [{ dataCenter: 'dc1' }] });
    await addUser(ts.store, { ...ADMIN, role: 'admin' });
    server = await startServer(ts.store, { auth: authOptions(true) });
  });

  afterAll(async () => {
    await server?.close();
    await ts?.dispose();
  });

  describe.each(Object.keys(VERSIONS) as (keyof typeof VERSIONS)[])('SOAP %s', (version) => {
    const v = VERSIONS[version];
    const instance = `php-${version.replace('.', '')}`;
    let exit: { code: number; stdout: string; stderr: string };
    let report: PhpReport;

    beforeAll(async () => {
      exit = await php([
        SCRIPT,
        `--wsdl=${server.url}?wsdl`,
        `--admin-wsdl=${server.base}/ipcd-admin?wsdl`,
        `--soap=${version}`,
        `--user=${ORCH.username}`,
        `--password=${ORCH.password}`,
        `--admin-user=${ADMIN.username}`,
        `--admin-password=${ADMIN.password}`,
        '--data-center=dc1',
        '--vlan=100',
        '--unknown-vlan=999',
        `--instance=${instance}`,
      ]);
      try {
        report = JSON.parse(exit.stdout) as PhpReport;
      } catch {
        throw new Error(`php printed no JSON (exit ${exit.code}):\n${exit.stdout}\n${exit.stderr}`);
      }
    }, 90_000);

    test('loads both WSDLs with error_reporting(E_ALL) without a warning, notice or deprecation', () => {
      expect(report.mismatches).toEqual([]);
      expect(report.notices).toEqual([]);
      expect(exit.stderr).toBe('');
      expect(exit.code).toBe(0);
      // Every operation the server serves, in the WSDL's order.
      expect(report.functions).toEqual([...COMMISSIONING.operations]);
      expect(report.adminFunctions).toEqual([...MANAGEMENT.operations]);
      expect(report.types).toBeGreaterThan(0);
    });

    test(`CommissionIP and DecommissionIP with a WS-Security UsernameToken, in SOAP ${version}`, () => {
      expect(report.securityHeaderSent).toBe(true);
      expect(report.mediaTypes.request).toMatch(v.media);
      expect(report.mediaTypes.response).toMatch(v.media);
      const c = report.commission;
      expect(c).toMatchObject({ dataCenter: 'dc1', vlan: 100, network: 'dc1-v100-a', zone: 'dc1.example.com' });
      expect(c.address).toMatch(/^10\.0\.0\.\d{1,3}$/);
      expect(c.fqdn).toBe(`${c.name}.dc1.example.com`);
      expect(report.decommission).toEqual({
        releasedCount: 1,
        released: [
          expect.objectContaining({
            allocationId: c.allocationId,
            serverInstance: instance,
            address: c.address,
            fqdn: c.fqdn,
          }),
        ],
      });
    });

    test('an unknown VLAN is a SoapFault with the typed IpcdFault in its detail', () => {
      expect(report.unknownVlan).toMatchObject({ faultcode: v.faultcode, code: 'UNKNOWN_VLAN', status: v.status });
      expect(report.unknownVlan.message).toMatch(/VLAN 999/);
      expect(report.unknownVlan.faultstring).toBe(report.unknownVlan.message);
    });

    test('the management service answers the administrator', () => {
      expect(report.dataCenters).toEqual(expect.arrayContaining(['dc1', 'dc2']));
      expect(report.adminMediaTypes.response).toMatch(v.media);
    });
  });

  test('the database holds what PHP was issued, all of it released', async () => {
    const rows = await ts.store.dataSource.query(
      `SELECT server_instance, released_at IS NOT NULL AS released FROM allocation ORDER BY created_at`,
    );
    expect(rows).toEqual([
      { server_instance: 'php-11', released: true },
      { server_instance: 'php-12', released: true },
    ]);
  });
});
