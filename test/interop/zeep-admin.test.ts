/**
 * Interop: python-zeep drives the management service from GET /ipcd-admin?wsdl alone, with
 * WS-Security PasswordText and PasswordDigest (test/interop/zeep_admin.py), on PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT_USER, openAdminFixture, type AdminFixture } from '../support/admin';

const PYTHON = '/usr/bin/python3'; // Debian's, which has python3-zeep
const SCRIPT = join(__dirname, 'zeep_admin.py');

jest.setTimeout(120_000);

let f: AdminFixture;
let report: Record<string, unknown>;

beforeAll(async () => {
  f = await openAdminFixture('postgres');
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      PYTHON,
      [SCRIPT, `${f.adminUrl}?wsdl`, ROOT_USER.username, ROOT_USER.password],
      { env, timeout: 110_000 },
      (err, stdout, stderr) =>
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    ),
  );
  if (out.code !== 0) throw new Error(`zeep_admin.py exited ${out.code}:\n${out.stderr}`);
  report = JSON.parse(out.stdout);
});
afterAll(() => f?.close());

test('networks: add with tags, big IPv6 counts, tag, reserve, split and merge as zeep reads them', () => {
  expect(report.added).toMatchObject({
    name: 'z1',
    cidr: '10.77.0.0/24',
    vlan: 77,
    tenant: 'zt',
    tag: [
      { key: 'env', value: 'prod' },
      { key: 'rack', value: 'r9' },
    ],
    assignable: '253',
  });
  expect(report.v6).toMatchObject({ name: 'z6', assignable: String(2n ** 80n - 2n) });
  expect(report.tagged).toMatchObject({
    tag: [
      { key: 'env', value: 'prod' },
      { key: 'owner', value: 'ops' },
    ],
  });
  expect(report.reservation).toMatchObject({ network: 'z1', first: '10.77.0.10', last: '10.77.0.19', note: 'lb' });
  expect((report.split as { name: string }[]).map((n) => n.name)).toEqual(['z1-1', 'z1-2']);
  expect(report.merged).toMatchObject({ name: 'z1', cidr: '10.77.0.0/24', reserved: '10' });
  expect(report.mergeRefused).toBe('MERGE_REFUSED');
  expect(report.pages).toEqual([['z1'], ['z6']]);
  expect(report.utilization).toEqual([
    expect.objectContaining({ tenant: 'zt', family: 'IPv4', networks: 1 }),
    expect.objectContaining({ tenant: 'zt', family: 'IPv6', networks: 1, assignable: String(2n ** 80n - 2n) }),
  ]);
});

test('users, audit, usage and faults, with PasswordDigest and without credentials', () => {
  expect(report.addUser).toEqual({ username: 'zorch', role: 'orchestrator' });
  expect(report.users).toEqual([
    { username: 'root', role: 'admin', tenant: null, grant: [], disabled: false },
    {
      username: 'zorch',
      role: 'orchestrator',
      tenant: null,
      grant: [
        { dataCenter: 'zdc', tenant: null },
        { dataCenter: 'zdc', tenant: 'zt' },
      ],
      disabled: false,
    },
  ]);
  expect(report.audit).toEqual([
    'AddNetwork',
    'AddNetwork',
    'TagNetwork',
    'ReserveRange',
    'SplitNetwork',
    'MergeNetworks',
    'MergeNetworks',
  ]); // reservations are audited under their network
  expect(report.csv).toBe('tenant,day,allocations,address_hours\r\n');
  expect(report.anonymous).toBe('AUTHENTICATION_FAILED');
  expect(report.removeInUse).toBe('CONFLICT');
});
