/**
 * The CLI's user and network-change commands as an operator runs them (the built `ipcd` binary in
 * a child process on PostgreSQL), checked through the real server with WS-Security on: a user the
 * CLI adds can call the services; its password changes, disabling and removal take effect; a
 * network split and merged by the CLI keeps its allocations, as SOAP callers see them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authOptions } from '../../src/api/operation';
import { openStore, type OpenedStore } from '../../src/store/open';
import { createDatabase } from '../support/backends';
import { ensureBuilt, REPO_ROOT, runNode, type Run } from '../support/processes';
import { startServer, type RunningServer } from '../support/server';
import { adminCall, all, call, flat, text, type Credentials } from '../support/soap';

jest.setTimeout(120_000);

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const secretKey = randomBytes(32);
let env: Record<string, string>;
let drop: () => Promise<void>;
let opened: OpenedStore;
let server: RunningServer;
let tmp: string;

function ipcd(args: string[], stdin?: string): Promise<Run> {
  const base = { ...process.env };
  delete base.IPCD_DATA_DIR;
  delete base.NODE_OPTIONS;
  return runNode(CLI, args, { env: { ...base, ...env }, stdin });
}
const ok = (r: Run) => {
  if (r.code !== 0) throw new Error(`ipcd exited ${r.code}: ${r.stderr}`);
  return r.stdout;
};

beforeAll(async () => {
  ensureBuilt();
  const db = await createDatabase();
  drop = db.drop;
  env = { DATABASE_URL: db.url, IPCD_SECRET_KEY: secretKey.toString('hex') };
  opened = await openStore({ databaseUrl: db.url, poolSize: 4 });
  server = await startServer(opened.store, { auth: authOptions(true, secretKey) });
  tmp = mkdtempSync(join(tmpdir(), 'ipcd-admin-cli-'));
}, 120_000);
afterAll(async () => {
  await server?.close();
  await opened?.store.close();
  await drop?.();
  rmSync(tmp, { recursive: true, force: true });
});

const root: Credentials = { username: 'root', password: 'root-from-stdin-1' };
const admin = (op: string, fields = {}, as: Credentials = root) =>
  adminCall(`${server.base}/ipcd-admin`, op, fields, as);

test('user add: the first administrator, password from standard input, can call the management service', async () => {
  expect(ok(await ipcd(['user', 'add', 'root', '--role', 'admin'], `${root.password}\n`))).toBe(
    'added user root (admin)\n',
  );
  const r = await admin('ListUsers');
  expect(r.fault).toBeUndefined();
  expect(all(r.body, 'user').map((u) => text(u, 'username'))).toEqual(['root']);
  // No password, a usage error; a short one, the logic's refusal.
  const none = await ipcd(['user', 'add', 'x', '--role', 'admin'], '');
  expect(none.code).toBe(64);
  expect(none.stderr).toMatch(/no password on standard input/);
  const short = await ipcd(['user', 'add', 'x', '--role', 'admin'], 'short\n');
  expect(short.code).toBe(2);
  expect(short.stderr).toMatch(/^ipcd: INVALID_REQUEST: a password must be 12/);
  const padded = await ipcd(['user', 'add', 'x', '--role', 'admin'], ' padded-password-1\n');
  expect(padded.code).toBe(2);
  expect(padded.stderr).toMatch(/^ipcd: INVALID_REQUEST: a password must not begin or end with white space/);
});

test('user add with grants, --digest and --password-file; list; set-password, disable, enable, remove take effect at once', async () => {
  ok(await ipcd(['dc', 'add', 'dc1']));
  const file = join(tmp, 'orch-password');
  writeFileSync(file, 'orchestrator-pw-01\n', { mode: 0o600 });
  expect(
    ok(
      await ipcd([
        'user',
        'add',
        'orch',
        '--role',
        'orchestrator',
        '--grant',
        'dc=dc1',
        '--digest',
        '--password-file',
        file,
      ]),
    ),
  ).toBe('added user orch (orchestrator)\n');
  const orch: Credentials = { username: 'orch', password: 'orchestrator-pw-01', digest: true };
  expect((await call(server.url, 'ListAllocations', {}, orch)).fault).toBeUndefined();
  expect(JSON.parse(ok(await ipcd(['user', 'list', '--json'])))).toEqual([
    {
      username: 'orch',
      role: 'orchestrator',
      tenant: null,
      grants: [{ dataCenter: 'dc1' }],
      disabled: false,
      digest: true,
    },
    { username: 'root', role: 'admin', tenant: null, grants: [], disabled: false, digest: false },
  ]);

  expect(ok(await ipcd(['user', 'set-password', 'orch'], 'orchestrator-pw-02\n'))).toBe('set the password of orch\n');
  expect((await call(server.url, 'ListAllocations', {}, orch)).fault?.code).toBe('AUTHENTICATION_FAILED');
  const orch2 = { ...orch, password: 'orchestrator-pw-02' };
  expect((await call(server.url, 'ListAllocations', {}, orch2)).fault).toBeUndefined();
  ok(await ipcd(['user', 'disable', 'orch']));
  expect((await call(server.url, 'ListAllocations', {}, orch2)).fault?.code).toBe('AUTHENTICATION_FAILED');
  ok(await ipcd(['user', 'enable', 'orch']));
  expect((await call(server.url, 'ListAllocations', {}, orch2)).fault).toBeUndefined();
  expect(ok(await ipcd(['user', 'remove', 'orch']))).toBe('removed user orch\n');
  expect((await call(server.url, 'ListAllocations', {}, orch2)).fault?.code).toBe('AUTHENTICATION_FAILED');

  // The CLI's changes are in the audit log, by the system actor.
  const audit = all((await admin('QueryAudit', { objectType: 'user', objectId: 'orch' })).body, 'entry').map(flat);
  expect(audit.map((e) => `${e.operation} ${e.user}`)).toEqual([
    'AddUser system',
    'SetPassword system',
    'DisableUser system',
    'EnableUser system',
    'RemoveUser system',
  ]);
});

test('network tag, split, merge and remove: allocations keep their addresses and names', async () => {
  ok(await ipcd(['zone', 'add', 'dc1.test']));
  ok(
    await ipcd(['network', 'add', 's1', '--cidr', '10.7.0.0/28', '--dc', 'dc1', '--vlan', '70', '--zone', 'dc1.test']),
  );
  expect(ok(await ipcd(['network', 'tag', 's1', '--set', 'env=prod', '--set', 'rack=r1', '--remove', 'none']))).toBe(
    'tagged s1: env=prod rack=r1\n',
  );
  const issued: Record<string, string> = {};
  for (const vm of ['vm-a', 'vm-b', 'vm-c']) {
    const r = await call(
      server.url,
      'CommissionIP',
      { dataCenter: 'dc1', vlan: 70, serverInstance: vm, wantName: true },
      root,
    );
    issued[vm] = `${r.values.address} ${r.values.fqdn}`;
  }
  const listed = async () =>
    Object.fromEntries(
      all((await call(server.url, 'ListAllocations', { vlan: 70 }, root)).body, 'allocation').map((a) => [
        text(a, 'serverInstance'),
        `${text(a, 'address')} ${text(a, 'fqdn')} ${text(a, 'network')}`,
      ]),
    );

  expect(ok(await ipcd(['network', 'split', 's1', '--prefix', '29', '--name', 'low', '--name', 'high']))).toBe(
    'split s1 into low (10.7.0.0/29), high (10.7.0.8/29)\n',
  );
  expect(await listed()).toEqual(Object.fromEntries(Object.entries(issued).map(([vm, a]) => [vm, `${a} low`])));
  const refused = await ipcd(['network', 'merge', 'low', 'nowhere']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/^ipcd: NOT_FOUND: /);
  expect(ok(await ipcd(['network', 'merge', 'high', 'low', '--name', 's1']))).toBe(
    'merged high, low into s1 (10.7.0.0/28)\n',
  );
  expect(await listed()).toEqual(Object.fromEntries(Object.entries(issued).map(([vm, a]) => [vm, `${a} s1`])));

  const inUse = await ipcd(['network', 'remove', 's1']);
  expect(inUse.code).toBe(2);
  expect(inUse.stderr).toMatch(/^ipcd: NETWORK_IN_USE: network 's1' still has 3 active allocation/);
  expect(ok(await ipcd(['network', 'remove', 's1', '--force']))).toBe(
    'removed network s1 (10.7.0.0/28); released 3 allocation(s)\n',
  );
  expect(await listed()).toEqual({});
});
