/**
 * `ipcd-client` as orchestration scripts run it: the built CLI in a child process, against the real
 * server (HTTP + SOAP) on PostgreSQL with WS-Security required. Reconciliation is shown on a crashed
 * orchestrator: a real shell-script orchestrator (test/client/orchestrator.sh, itself driving
 * ipcd-client) is killed with SIGKILL in the middle of its work, and the database is the judge.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { authOptions } from '../../src/api/operation';
import { FAULT_EXIT } from '../../src/client/cli';
import { loadExampleTopology } from '../../src/example/topology';
import { addNetwork } from '../../src/logic/topology/topology';
import { addUser } from '../../src/logic/access/users';
import { openTestStore, type TestStore } from '../support/backends';
import { ensureBuilt, freePort, REPO_ROOT, runNode, type Run } from '../support/processes';
import { startServer, type RunningServer } from '../support/server';
import { call } from '../support/soap';

const CLI = join(REPO_ROOT, 'dist', 'src', 'client', 'cli.js');
const ORCHESTRATOR = join(__dirname, 'orchestrator.sh');
const PASSWORD = 'orchestrator-pass-7f3a9c';
const ADMIN_PASSWORD = 'admin-pass-0b81e2d4';

let db: TestStore;
let server: RunningServer;
let dir: string;
/** A bin directory with an `ipcd-client` on it, as `npm install` would link it. */
let binDir: string;

/** The environment a script would have: none of this process's ipcd or jest settings. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('IPCD_') || k === 'NODE_OPTIONS') delete env[k];
  return { ...env, PATH: `${binDir}:${env.PATH}`, ...extra };
}

/** Runs `ipcd-client ARGS` against the test server as the orchestrator user (env credentials) unless env says otherwise. */
function ipcdClient(
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string; anonymous?: boolean } = {},
): Promise<Run> {
  const creds: Record<string, string> = opts.anonymous ? {} : { IPCD_USER: 'orch', IPCD_PASSWORD: PASSWORD };
  return runNode(CLI, args, { env: baseEnv({ IPCD_URL: server.url, ...creds, ...opts.env }), stdin: opts.stdin });
}

const ok = (r: Run): string => {
  if (r.code !== 0) throw new Error(`ipcd-client exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
};

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Active allocations by server instance, straight from the database. */
const activeInstances = async () =>
  (
    await sql<{ server_instance: string }>(
      'SELECT server_instance FROM allocation WHERE released_at IS NULL ORDER BY server_instance',
    )
  ).map((r) => r.server_instance);

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ipcd-client-'));
  binDir = join(dir, 'bin');
  mkdirSync(binDir);
  writeFileSync(join(binDir, 'ipcd-client'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  db = await openTestStore('postgres');
  await loadExampleTopology(db.store);
  await addUser(db.store, {
    username: 'orch',
    password: PASSWORD,
    role: 'orchestrator',
    grants: [{ dataCenter: 'dc1' }],
  });
  await addUser(db.store, { username: 'ops', password: ADMIN_PASSWORD, role: 'admin' });
  server = await startServer(db.store, { auth: authOptions(true) });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await db?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ipcd-client commands', () => {
  test('commission prints the allocation as text; a repeat is the same allocation, flagged existing', async () => {
    const first = ok(
      await ipcdClient([
        'commission',
        '--dc',
        'dc1',
        '--vlan',
        '100',
        '--instance',
        'web-1',
        '--name',
        '--hint',
        'web-1',
      ]),
    );
    expect(first).toMatch(/^address\s+10\.0\.0\.2$/m);
    expect(first).toMatch(/^fqdn\s+web-1\.dc1\.example\.com$/m);
    expect(first).toMatch(/^existing\s+false$/m);
    const again = JSON.parse(
      ok(
        await ipcdClient([
          'commission',
          '--dc',
          'dc1',
          '--vlan',
          '100',
          '--instance',
          'web-1',
          '--name',
          '--hint',
          'web-1',
          '--json',
        ]),
      ),
    );
    expect(again).toMatchObject({
      address: '10.0.0.2',
      prefixLength: 24,
      gateway: '10.0.0.1',
      fqdn: 'web-1.dc1.example.com',
      existing: true,
      source: 'VLAN',
    });
    const rows = await sql<{ n: string }>("SELECT count(*) AS n FROM allocation WHERE server_instance = 'web-1'");
    expect(rows[0].n).toBe('1');
  });

  test('name-only and --ipv6 commission', async () => {
    const n = JSON.parse(
      ok(await ipcdClient(['name-only', '--dc', 'dc1', '--vlan', '100', '--instance', 'dns-only', '--json'])),
    );
    expect(n).toMatchObject({ zone: 'dc1.example.com', existing: false });
    expect(n.fqdn).toBe(`${n.name}.dc1.example.com`);
    const v6 = JSON.parse(
      ok(await ipcdClient(['commission', '--dc', 'dc1', '--vlan', '100', '--instance', 'v6-1', '--ipv6', '--json'])),
    );
    expect(v6).toMatchObject({ network: 'dc1-v100-v6', prefixLength: 64 });
    expect(v6.address).toMatch(/^2001:db8:100::/);
  });

  test('decommission by address (text) and by instance with reason migrated (JSON); the database records the reason', async () => {
    const c = JSON.parse(
      ok(await ipcdClient(['commission', '--dc', 'dc1', '--vlan', '100', '--instance', 'mig-1', '--json'])),
    );
    const text = ok(await ipcdClient(['decommission', '--dc', 'dc1', '--vlan', '100', '--address', c.address]));
    expect(text).toMatch(/^released 1 allocation\(s\)$/m);
    expect(text).toContain(c.allocationId);

    const m = JSON.parse(
      ok(await ipcdClient(['commission', '--dc', 'dc1', '--vlan', '100', '--instance', 'mig-2', '--name', '--json'])),
    );
    const d = JSON.parse(
      ok(
        await ipcdClient([
          'decommission',
          '--dc',
          'dc1',
          '--vlan',
          '100',
          '--instance',
          'mig-2',
          '--reason',
          'migrated',
          '--json',
        ]),
      ),
    );
    expect(d).toEqual({
      releasedCount: 1,
      released: [
        {
          allocationId: m.allocationId,
          network: 'dc1-v100-a',
          serverInstance: 'mig-2',
          address: m.address,
          fqdn: m.fqdn,
        },
      ],
    });
    const rows = await sql<{ server_instance: string; release_reason: string }>(
      "SELECT server_instance, release_reason FROM allocation WHERE server_instance IN ('mig-1', 'mig-2') ORDER BY 1",
    );
    expect(rows).toEqual([
      { server_instance: 'mig-1', release_reason: 'DELETED' },
      { server_instance: 'mig-2', release_reason: 'MIGRATED' },
    ]);
    // Repeating a release by instance is a harmless confirmation of nothing left.
    expect(
      JSON.parse(
        ok(await ipcdClient(['decommission', '--dc', 'dc1', '--vlan', '100', '--instance', 'mig-2', '--json'])),
      ),
    ).toEqual({ releasedCount: 0, released: [] });
  });

  test("list: by data center, VLAN and address (numerically), DNS states in the README's casing", async () => {
    // Set up (and cleaned up) over SOAP in this process: nine ipcd-client processes would only be slower.
    const orch = { username: 'orch', password: PASSWORD };
    const instances = Array.from({ length: 9 }, (_, i) => `ord-${i + 1}`);
    for (const i of instances)
      expect(
        (await call(server.url, 'CommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: i }, orch)).fault,
      ).toBeUndefined();
    const lines = ok(await ipcdClient(['list', '--dc', 'dc1', '--vlan', '100']))
      .trimEnd()
      .split('\n');
    const header = lines[0].split(/\s{2,}/);
    const rows = lines.slice(1).map((l) => l.split(/\s{2,}/));
    const column = (name: string) => rows.map((r) => r[header.indexOf(name)]);
    // web-1 holds .2; the ord-* instances .3 to .11 (mig-1/2's released addresses among them); then IPv6, then name only.
    expect(column('ADDRESS')).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 2}`),
      '2001:db8:100::2',
      '-',
    ]);
    expect(column('INSTANCE')).toEqual(['web-1', ...instances, 'v6-1', 'dns-only']);
    // The example zones have no DNS server: README's NOT_CONFIGURED (and why) for web-1's name; NONE where no name was asked for.
    expect(column('DNS')).toEqual([
      expect.stringMatching(/^NOT_CONFIGURED: zone dc1\.example\.com /),
      ...Array(11).fill('NONE'),
    ]);
    for (const i of instances)
      expect(
        (await call(server.url, 'DecommissionIP', { dataCenter: 'dc1', vlan: 100, serverInstance: i }, orch)).fault,
      ).toBeUndefined();
  });

  test.each([
    ['AMBIGUOUS_VLAN', ['commission', '--vlan', '100', '--instance', 'x-1']],
    ['UNKNOWN_VLAN', ['commission', '--dc', 'dc1', '--vlan', '999', '--instance', 'x-1']],
    ['UNKNOWN_DATA_CENTER', ['name-only', '--dc', 'nowhere', '--vlan', '100', '--instance', 'x-1']],
    ['NOT_FOUND', ['decommission', '--dc', 'dc1', '--vlan', '100', '--address', '10.0.0.250']],
    ['INVALID_REQUEST', ['decommission', '--dc', 'dc1', '--vlan', '100', '--address', 'not-an-address']],
    ['ACCESS_DENIED', ['commission', '--dc', 'dc2', '--vlan', '100', '--instance', 'x-1']],
  ] as const)(
    'fault %s exits with its own status, code on stderr, and as JSON on stdout with --json',
    async (code, args) => {
      const r = await ipcdClient([...args]);
      expect(r.code).toBe(FAULT_EXIT[code]);
      expect(r.stderr).toMatch(new RegExp(`^ipcd-client: ${code}: \\S`));
      expect(r.stdout).toBe('');
      const j = await ipcdClient([...args, '--json']);
      expect(j.code).toBe(FAULT_EXIT[code]);
      expect(JSON.parse(j.stdout)).toMatchObject({
        fault: { code, operation: expect.any(String), exitStatus: FAULT_EXIT[code] },
      });
    },
  );

  test('commission --batch FILE: one call, one row per item; decommission --batch from stdin; a refused item sets the status', async () => {
    const file = join(dir, 'batch.txt');
    writeFileSync(
      file,
      [
        '# a scale-out',
        'bat-1',
        'bat-2   # the second',
        '{"vlan": 100, "serverInstance": "bat-3", "hostnameHint": "bat-three"}',
        '',
      ].join('\n'),
    );
    const text = ok(await ipcdClient(['commission', '--dc', 'dc1', '--vlan', '100', '--name', '--batch', file]));
    expect(text).toMatch(/^ITEM\s+INSTANCE\s+ADDRESS\s+FQDN\s+NETWORK\s+RESULT$/m);
    expect(text).toMatch(/^\s*3\s+bat-3\s+10\.0\.0\.\d+\s+bat-three\.dc1\.example\.com\s+dc1-v100-a\s+issued$/m);
    expect(text).toMatch(/^3 succeeded, 0 failed$/m);
    expect((await activeInstances()).filter((i) => i.startsWith('bat-'))).toEqual(['bat-1', 'bat-2', 'bat-3']);
    const again = JSON.parse(
      ok(await ipcdClient(['commission', '--dc', 'dc1', '--vlan', '100', '--name', '--batch', file, '--json'])),
    );
    expect(again.results.map((r: { ok: { existing: boolean } }) => r.ok.existing)).toEqual([true, true, true]);
    // Atomic with an item on a VLAN the orchestrator may not use elsewhere: refused, nothing written.
    writeFileSync(file, 'bat-4\n{"dataCenter": "dc1", "vlan": 999, "serverInstance": "bat-5"}\n');
    const refused = await ipcdClient(['commission', '--dc', 'dc1', '--vlan', '100', '--batch', file, '--atomic']);
    expect(refused.code).toBe(FAULT_EXIT.UNKNOWN_VLAN);
    expect(refused.stdout).toMatch(/atomic batch refused at item 2: nothing was written/);
    expect(await activeInstances()).not.toContain('bat-4');
    const gone = await ipcdClient(['decommission', '--dc', 'dc1', '--vlan', '100', '--batch', '-', '--json'], {
      stdin: 'bat-1\nbat-2\nbat-3\n',
    });
    expect(JSON.parse(ok(gone))).toMatchObject({ succeeded: 3, failed: 0 });
    expect((await activeInstances()).filter((i) => i.startsWith('bat-'))).toEqual([]);
    const bad = await ipcdClient(['commission', '--vlan', '100', '--batch', file.replace('.txt', '.missing')]);
    expect(bad.code).toBe(64);
  });

  test('exit statuses are distinct per fault code and clear of the other statuses', () => {
    const statuses = Object.values(FAULT_EXIT);
    expect(new Set(statuses).size).toBe(statuses.length);
    for (const s of statuses) expect([0, 1, 3, 64]).not.toContain(s);
  });

  test('credentials: flags, password file, env; a wrong or missing password is AUTHENTICATION_FAILED and never printed', async () => {
    const args = ['list', '--dc', 'dc1', '--json'];
    // --user/--password flags (and IPCD_* unset)
    ok(await ipcdClient([...args, '--user', 'ops', '--password', ADMIN_PASSWORD], { anonymous: true }));
    // --password-file: first line only
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
    ok(await ipcdClient([...args, '--user', 'ops', '--password-file', pwFile], { anonymous: true }));
    // flags win over the environment
    ok(await ipcdClient([...args, '--user', 'ops', '--password-file', pwFile]));

    const wrong = 'wrong-secret-5d1c7a';
    for (const r of [
      await ipcdClient([...args, '--user', 'orch', '--password', wrong], { anonymous: true }),
      await ipcdClient(args, { env: { IPCD_PASSWORD: wrong } }),
    ]) {
      expect(r.code).toBe(FAULT_EXIT.AUTHENTICATION_FAILED);
      expect(r.stderr).toMatch(/^ipcd-client: AUTHENTICATION_FAILED: /);
      expect(r.stdout + r.stderr).not.toContain(wrong);
      expect(JSON.parse(r.stdout)).toMatchObject({ fault: { code: 'AUTHENTICATION_FAILED' } });
    }
    const none = await ipcdClient(args, { anonymous: true });
    expect(none.code).toBe(FAULT_EXIT.AUTHENTICATION_FAILED);

    // A user without a password (or the reverse) is a usage error, found before any request.
    const half = await ipcdClient(args, { anonymous: true, env: { IPCD_USER: 'orch' } });
    expect(half.code).toBe(64);
    expect(half.stderr).toContain("a password for user 'orch' is needed");
    const both = await ipcdClient([...args, '--password', wrong, '--password-file', pwFile]);
    expect(both.code).toBe(64);
    expect(both.stdout + both.stderr).not.toContain(wrong);
  });

  test('usage errors exit 64 and say what is missing; help exits 0', async () => {
    const r = await ipcdClient(['commission', '--dc', 'dc1', '--instance', 'x']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('commission needs --vlan');
    expect((await ipcdClient(['decommission', '--vlan', '100', '--address', '10.0.0.2', '--instance', 'x'])).code).toBe(
      64,
    );
    expect((await ipcdClient(['commission', '--vlan', 'ten', '--instance', 'x'])).stderr).toContain(
      "--vlan takes a whole number, got 'ten'",
    );
    expect((await ipcdClient(['frobnicate'])).code).toBe(64);
    expect((await ipcdClient([])).code).toBe(64);
    const noUrl = await ipcdClient(['list'], { env: { IPCD_URL: '' } });
    expect(noUrl.code).toBe(64);
    expect(noUrl.stderr).toContain('list needs --url (or IPCD_URL)');
    const help = await ipcdClient(['help', 'reconcile']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--release');
  });

  test('no server at the URL: retried --retries times, then exit 3', async () => {
    const port = await freePort();
    const r = await ipcdClient(['list', '--url', `http://127.0.0.1:${port}/ipcd`, '--retries', '1', '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no answer from http:\/\/127\.0\.0\.1:\d+\/ipcd/);
    expect(r.stderr).toContain('(after 2 attempts)');
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { kind: 'network', exitStatus: 3 } });
  });
});

/** Spawns the toy orchestrator in its own process group (so SIGKILL takes its workers too). */
function startOrchestrator(inventory: string, jobs: string[], stepSeconds: number) {
  const child = spawn('bash', [ORCHESTRATOR, inventory, ...jobs], {
    env: baseEnv({
      IPCD_URL: server.url,
      IPCD_USER: 'orch',
      IPCD_PASSWORD: PASSWORD,
      ORCH_DC: 'dc1',
      ORCH_VLAN: '300',
      ORCH_STEP_SECONDS: String(stepSeconds),
    }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d;
    for (const w of waiters.splice(0))
      if (stdout.includes(w.text)) w.resolve();
      else waiters.push(w);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => r({ code, signal })),
  );
  return {
    exited,
    output: () => stdout + stderr,
    /** Resolves once the orchestrator has printed every one of these lines. */
    async saw(lines: string[]) {
      for (const text of lines) {
        if (stdout.includes(text)) continue;
        await new Promise<void>((resolve, reject) => {
          waiters.push({ text, resolve });
          void exited.then(() =>
            reject(new Error(`orchestrator exited before printing '${text}':\n${stdout}${stderr}`)),
          );
        });
      }
    },
    crash: () => process.kill(-child.pid!, 'SIGKILL'),
  };
}

describe('reconcile after a crashed orchestrator', () => {
  // The orchestrator's own VLAN; what earlier tests left on VLANs 100 and 200 is other callers' and out of scope.
  const scope = ['--dc', 'dc1', '--vlan', '300'];
  let inventory: string;
  let before: string[];

  beforeAll(async () => {
    inventory = join(dir, 'inventory');
    await addNetwork(db.store, {
      name: 'dc1-v300',
      dataCenter: 'dc1',
      vlan: 300,
      cidr: '10.30.0.0/24',
      tenant: 'acme',
      zone: 'dc1.example.com',
    });
    // Someone else's VM on another VLAN: outside the reconciled scope, it must survive.
    ok(
      await ipcdClient(['commission', '--dc', 'dc1', '--vlan', '200', '--instance', 'other-app-1'], {
        env: { IPCD_USER: 'ops', IPCD_PASSWORD: ADMIN_PASSWORD },
      }),
    );
    before = await activeInstances();

    // A healthy run: three VMs created and recorded.
    const healthy = startOrchestrator(inventory, ['create:orch-vm-1', 'create:orch-vm-2', 'create:orch-vm-3'], 0);
    const done = await healthy.exited;
    if (done.code !== 0) throw new Error(`orchestrator failed: ${healthy.output()}`);

    // The crash: three VMs commissioned but still booting, one VM forgotten but not yet released.
    const run = startOrchestrator(
      inventory,
      ['create:orch-vm-4', 'create:orch-vm-5', 'create:orch-vm-6', 'delete:orch-vm-2'],
      600,
    );
    await run.saw(['commissioned orch-vm-4', 'commissioned orch-vm-5', 'commissioned orch-vm-6', 'forgot orch-vm-2']);
    run.crash();
    expect(await run.exited).toEqual({ code: null, signal: 'SIGKILL' });
  }, 120_000);

  const leaked = ['orch-vm-2', 'orch-vm-4', 'orch-vm-5', 'orch-vm-6'];

  test('the crash left allocations the inventory does not account for', async () => {
    expect(readFileSync(inventory, 'utf8').split('\n').filter(Boolean).sort()).toEqual(['orch-vm-1', 'orch-vm-3']);
    expect(await activeInstances()).toEqual(
      [...before, 'orch-vm-1', 'orch-vm-2', 'orch-vm-3', 'orch-vm-4', 'orch-vm-5', 'orch-vm-6'].sort(),
    );
  });

  test('reconcile reports exactly the leaked allocations and releases nothing', async () => {
    const report = JSON.parse(ok(await ipcdClient(['reconcile', ...scope, '--live', inventory, '--json'])));
    expect(report.leaked.map((a: { serverInstance: string }) => a.serverInstance).sort()).toEqual(leaked);
    expect(report).not.toHaveProperty('released');
    expect(report.live).toBe(2);

    const text = ok(await ipcdClient(['reconcile', ...scope, '--live', inventory]));
    expect(text).toMatch(
      /^4 leaked allocation\(s\) of 4 instance\(s\) not live, of \d+ active in data center dc1, VLAN 300:$/m,
    );
    for (const i of leaked) expect(text).toContain(i);
    expect(text).not.toMatch(/orch-vm-[13]\b/);
    expect(text).toContain('run again with --release');

    // Allocations younger than --min-age are left out: the instance may have started after the list.
    const young = JSON.parse(
      ok(await ipcdClient(['reconcile', ...scope, '--live', inventory, '--min-age', '3600', '--json'])),
    );
    expect(young.leaked).toEqual([]);
    expect(young.tooYoung).toBe(4);

    expect(await activeInstances()).toEqual(
      [...before, 'orch-vm-1', 'orch-vm-2', 'orch-vm-3', 'orch-vm-4', 'orch-vm-5', 'orch-vm-6'].sort(),
    );
  });

  test('an empty live list is not taken as "release everything"', async () => {
    const r = await ipcdClient(['reconcile', ...scope, '--live', '-', '--release'], { stdin: '# nothing\n\n' });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('names no instance');
    expect((await activeInstances()).length).toBe(before.length + 6);
  });

  test('reconcile --release (live list on stdin) releases exactly the leaked ones; the database confirms; a rerun finds none', async () => {
    const out = JSON.parse(
      ok(
        await ipcdClient(['reconcile', ...scope, '--live', '-', '--release', '--json'], {
          stdin: readFileSync(inventory, 'utf8'),
        }),
      ),
    );
    expect(out.failed).toEqual([]);
    expect(out.released.map((r: { serverInstance: string }) => r.serverInstance).sort()).toEqual(leaked);
    expect(out.released.every((r: { releasedCount: number }) => r.releasedCount === 1)).toBe(true);

    expect(await activeInstances()).toEqual([...before, 'orch-vm-1', 'orch-vm-3'].sort());
    const released = await sql<{ server_instance: string; release_reason: string }>(
      "SELECT server_instance, release_reason FROM allocation WHERE server_instance LIKE 'orch-vm-%' AND released_at IS NOT NULL ORDER BY 1",
    );
    expect(released).toEqual(leaked.map((i) => ({ server_instance: i, release_reason: 'DELETED' })));
    // Each release is audited under the orchestrator's user.
    const audited = await sql<{ server_instance: string }>(
      "SELECT server_instance FROM audit_log WHERE actor = 'orch' AND operation = 'DecommissionIP' AND outcome = 'ok' AND server_instance LIKE 'orch-vm-%' ORDER BY 1",
    );
    expect(audited.map((r) => r.server_instance)).toEqual(leaked);

    const rerun = ok(await ipcdClient(['reconcile', ...scope, '--live', inventory, '--release']));
    expect(rerun).toMatch(
      /^no leaked allocations: \d+ active in data center dc1, VLAN 300, 2 live instance\(s\) given$/m,
    );
  });
});
