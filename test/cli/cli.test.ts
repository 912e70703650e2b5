/**
 * The setup CLI as operators run it: the built `ipcd` binary in a child process, against a fresh
 * PostgreSQL database (DATABASE_URL) and a fresh embedded data directory (IPCD_DATA_DIR). Also the
 * embedded store's lock: a directory one process has open is refused to every other one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commission } from '../../src/logic/allocation/commission';
import { openStore } from '../../src/store/open';
import { createDatabase } from '../support/backends';
import { runNode, type Run } from '../support/processes';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

/** `npm test` builds first (pretest); a lone `npx jest test/cli` builds here when dist is missing or older than src. */
function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => statSync(join(dir, f)).mtimeMs),
    );
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'migrations'))))
    return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')],
    { stdio: 'inherit' },
  );
}

/** Runs `ipcd ARGS` with only the given store variables set (no DATABASE_URL leaking into an embedded run). */
function ipcd(env: Record<string, string>, ...args: string[]): Promise<Run> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.IPCD_DATA_DIR;
  delete base.NODE_OPTIONS; // jest's --experimental-vm-modules: the CLI does not need it
  return runNode(CLI, args, { env: { ...base, ...env }, cwd: ROOT });
}

const ok = (r: Run) => {
  if (r.code !== 0) throw new Error(`ipcd exited ${r.code}: ${r.stderr}`);
  return r.stdout;
};

interface NetworkRow {
  name: string;
  dataCenter: string;
  vlan: number | null;
  cidr: string;
  tenant: string | null;
  zone: string | null;
  priority: number;
  gateway: string | null;
  reservePool: boolean;
  tags: Record<string, string>;
  used: string;
  assignable: string;
  percentUsed: number;
}

beforeAll(ensureBuilt, 120_000);

// Each embedded run starts PGlite (a few seconds, far more on a busy machine): checks that do not
// depend on the backend run on PostgreSQL only.
const SLOW = 180_000;

describe.each(['postgres', 'embedded'] as const)('setup CLI (%s store)', (backend) => {
  const pgOnly = backend === 'postgres';
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let dataDir: string;
  const run = (...args: string[]) => ipcd(env, ...args);
  const networks = async (...filter: string[]) =>
    JSON.parse(ok(await run('network', 'list', '--json', ...filter))) as NetworkRow[];

  beforeAll(async () => {
    if (backend === 'postgres') {
      const db = await createDatabase();
      env = { DATABASE_URL: db.url };
      cleanup = db.drop;
    } else {
      const tmp = mkdtempSync(join(tmpdir(), 'ipcd-cli-'));
      dataDir = join(tmp, 'store');
      env = { IPCD_DATA_DIR: dataDir };
      cleanup = async () => rmSync(tmp, { recursive: true, force: true });
    }
  });
  afterAll(() => cleanup?.());

  test(
    'defines data center, zone, tenant and IPv4 / IPv6 networks',
    async () => {
      const first = await run('dc', 'add', 'dc1', '--description', 'Frankfurt 1');
      expect(ok(first)).toBe('added data center dc1\n');
      if (backend === 'embedded') expect(first.stderr).toContain(`created a new embedded store at ${dataDir}`);
      expect(ok(await run('zone', 'add', 'DC1.Example.COM.'))).toBe('added zone dc1.example.com\n'); // the logic's normalization
      expect(ok(await run('tenant', 'add', 'acme', '--description', 'Acme Corp'))).toBe('added tenant acme\n');
      const v4 = [
        '--dc',
        'dc1',
        '--vlan',
        '100',
        '--tenant',
        'acme',
        '--zone',
        'dc1.example.com',
        '--priority',
        '10',
        '--tag',
        'env=prod',
        '--tag',
        'rack=r1',
      ];
      expect(ok(await run('network', 'add', 'v100', '--cidr', '10.0.0.0/24', ...v4))).toBe(
        'added network v100: 10.0.0.0/24 in data center dc1, VLAN 100, gateway 10.0.0.1\n',
      );
      expect(
        ok(
          await run(
            'network',
            'add',
            'v100-v6',
            '--cidr',
            '2001:db8:100::/64',
            '--dc',
            'dc1',
            '--vlan',
            '100',
            '--zone',
            'dc1.example.com',
          ),
        ),
      ).toContain('gateway 2001:db8:100::1');
    },
    SLOW,
  ); // the embedded store's first start also creates its database

  test(
    'an overlapping prefix on the same VLAN is refused with CONFLICT (exit 2); the same prefix on another VLAN is not',
    async () => {
      const clash = await run('network', 'add', 'clash', '--cidr', '10.0.0.128/25', '--dc', 'dc1', '--vlan', '100');
      expect(clash.code).toBe(2);
      expect(clash.stdout).toBe('');
      expect(clash.stderr).toBe(
        'ipcd: CONFLICT: 10.0.0.128/25 overlaps network v100 (10.0.0.0/24) on VLAN 100 in data center dc1\n',
      );
      expect(
        ok(
          await run(
            'network',
            'add',
            'v200',
            '--cidr',
            '10.0.0.0/24',
            '--dc',
            'dc1',
            '--vlan',
            '200',
            '--no-gateway',
            '--reserve-pool',
          ),
        ),
      ).toBe('added network v200: 10.0.0.0/24 in data center dc1, VLAN 200, gateway none\n');
    },
    SLOW,
  );

  test(
    'refusals by the logic exit 2 with CODE: message',
    async () => {
      const hostBits = await run('network', 'add', 'bad', '--cidr', '10.0.0.5/24', '--dc', 'dc1', '--vlan', '300');
      expect(hostBits.code).toBe(2);
      expect(hostBits.stderr).toMatch(/^ipcd: INVALID_REQUEST: .*host bits set: did you mean 10\.0\.0\.0\/24\?\n$/);
      if (!pgOnly) return;
      const unknownDc = await run('network', 'add', 'x', '--cidr', '10.9.0.0/24', '--dc', 'nope');
      expect(unknownDc.code).toBe(2);
      expect(unknownDc.stderr).toMatch(/^ipcd: UNKNOWN_DATA_CENTER: /);
      const twice = await run('dc', 'add', 'dc1');
      expect(twice.code).toBe(2);
      expect(twice.stderr).toBe("ipcd: CONFLICT: data center 'dc1' already exists\n");
      const vlan = await run('network', 'list', '--vlan', '5000');
      expect(vlan.code).toBe(2);
      expect(vlan.stderr).toMatch(/^ipcd: INVALID_REQUEST: vlan 5000 is out of range/);
    },
    SLOW,
  );

  test(
    'network list --json: used / assignable as exact decimal strings, IPv6 /64 included',
    async () => {
      const all = await networks();
      expect(all.map((n) => n.name)).toEqual(['v100', 'v100-v6', 'v200']);
      const [v100, v6, v200] = all;
      expect(v100).toMatchObject({
        dataCenter: 'dc1',
        vlan: 100,
        cidr: '10.0.0.0/24',
        tenant: 'acme',
        zone: 'dc1.example.com',
        priority: 10,
      });
      expect(v100).toMatchObject({
        gateway: '10.0.0.1',
        reservePool: false,
        tags: { env: 'prod', rack: 'r1' },
        used: '0',
        assignable: '253',
        percentUsed: 0,
      });
      expect(v6).toMatchObject({
        cidr: '2001:db8:100::/64',
        tenant: null,
        used: '0',
        assignable: (2n ** 64n - 2n).toString(),
      }); // no broadcast in IPv6
      expect(v200).toMatchObject({ vlan: 200, gateway: null, reservePool: true, assignable: '254' });

      expect((await networks('--vlan', '100')).map((n) => n.name)).toEqual(['v100', 'v100-v6']);
      if (!pgOnly) return;
      expect((await networks('--tenant', 'acme', '--dc', 'dc1')).map((n) => n.name)).toEqual(['v100']);
      expect(JSON.parse(ok(await run('dc', 'list', '--json')))).toEqual([{ name: 'dc1', description: 'Frankfurt 1' }]);
      expect(JSON.parse(ok(await run('tenant', 'list', '--json')))).toEqual([
        { name: 'acme', description: 'Acme Corp' },
      ]);
      expect(JSON.parse(ok(await run('zone', 'list', '--json')))).toEqual([{ name: 'dc1.example.com' }]);
    },
    SLOW,
  );

  test(
    'used addresses show in the listing (store opened by this process, then closed)',
    async () => {
      const opened = await openStore(
        backend === 'postgres' ? { databaseUrl: env.DATABASE_URL, poolSize: 1 } : { dataDir },
      );
      try {
        const c = await commission(opened.store, {
          dataCenter: 'dc1',
          vlan: 100,
          serverInstance: 'vm-1',
          wantAddress: true,
          wantName: false,
          family: 4,
        });
        expect(c.address).toBe('10.0.0.2');
        if (backend === 'embedded') {
          // While this process has the directory open, the CLI must not open it too.
          const busy = await run('network', 'list');
          expect(busy.code).toBe(1);
          expect(busy.stdout).toBe('');
          expect(busy.stderr).toBe(
            `ipcd: the embedded store at ${dataDir} is in use by process ${process.pid} (stop the server or set DATABASE_URL)\n`,
          );
        }
      } finally {
        await opened.store.close();
      }
      const [v100] = await networks('--vlan', '100');
      expect(v100).toMatchObject({ name: 'v100', used: '1', assignable: '253', percentUsed: 0.39 });
      if (!pgOnly) return;
      const table = ok(await run('network', 'list', '--dc', 'dc1')).split('\n');
      expect(table[0]).toMatch(/^NAME +DC +VLAN +CIDR +TENANT +ZONE +PRIO +FLAGS +USED\/ASSIGNABLE +USED +HELD$/);
      expect(table[1]).toMatch(/^v100 +dc1 +100 +10\.0\.0\.0\/24 +acme +dc1\.example\.com +10 +- +1\/253 +0\.39% +0$/);
      expect(table[2]).toMatch(/^v100-v6 .* 0\/18446744073709551614 +0\.00% +0$/);
      expect(table[3]).toMatch(/^v200 .* reserve-pool,no-gateway +0\/254 +0\.00% +0$/);
    },
    SLOW,
  );

  if (pgOnly) {
    test('example-topology refuses a store that already holds a topology', async () => {
      const r = await run('example-topology');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^ipcd: CONFLICT: the example topology is only loaded into an empty store/);
    });
  }

  if (backend === 'embedded') {
    test(
      'the lock file is gone after each run; a stale one (its process dead) is taken over',
      async () => {
        const lock = join(dataDir, 'ipcd.lock');
        expect(existsSync(lock)).toBe(false);
        const dead = spawnSync(process.execPath, ['-e', '']).pid!;
        writeFileSync(lock, `${dead}\n`);
        expect(JSON.parse(ok(await run('dc', 'list', '--json')))).toHaveLength(1);
        expect(existsSync(lock)).toBe(false);
      },
      SLOW,
    );

    test(
      'one process opening the directory twice is refused too',
      async () => {
        const opened = await openStore({ dataDir });
        try {
          await expect(openStore({ dataDir })).rejects.toThrow(`is in use by process ${process.pid}`);
        } finally {
          await opened.store.close();
        }
      },
      SLOW,
    );
  }
});

describe('setup CLI without a store', () => {
  let tmp: string;
  let env: Record<string, string>;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'ipcd-cli-'));
    env = { IPCD_DATA_DIR: join(tmp, 'never-created') };
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test.each([
    [[], /^ipcd: no command given\n/],
    [['frob'], /^ipcd: unknown command 'frob'\n/],
    [
      ['network'],
      /^ipcd: 'network' needs a subcommand: add, list, hold-down, remove, split, merge, tag, allocate, alert\n/,
    ],
    [['dc', 'remove', 'dc1'], /^ipcd: unknown command 'dc remove' \(dc has: add, list\)\n/],
    [['dc', 'add'], /^ipcd: missing NAME\nUsage: ipcd dc add NAME/],
    [['dc', 'add', 'a', 'b'], /^ipcd: unexpected argument 'b'\n/],
    [['network', 'add', 'n', '--cidr', '10.0.0.0/24'], /^ipcd: network add needs --dc\n/],
    [['network', 'add', 'n', '--dc', 'dc1', '--cidr'], /^ipcd: Option '--cidr <value>' argument missing\n/],
    [['network', 'add', 'n', '--cidr', '10.0.0.0/24', '--dc', 'dc1', '--bogus'], /^ipcd: Unknown option '--bogus'\n/],
    [
      ['network', 'add', 'n', '--cidr', '10.0.0.0/24', '--dc', 'dc1', '--gateway', '10.0.0.9', '--no-gateway'],
      /--gateway and --no-gateway exclude each other/,
    ],
    [
      ['network', 'add', 'n', '--cidr', '10.0.0.0/24', '--dc', 'dc1', '--tag', 'novalue'],
      /^ipcd: --tag takes key=value, got 'novalue'\n/,
    ],
    [['zone', 'list', '--json=yes'], /^ipcd: Option '--json' does not take an argument\n/],
    [['help', 'nope'], /^ipcd: unknown command 'nope'\n/],
  ])('ipcd %j is a usage error: exit 64, nothing opened', async (args, message) => {
    const r = await ipcd(env, ...(args as string[]));
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(existsSync(env.IPCD_DATA_DIR)).toBe(false);
  });

  test.each([
    [['help']],
    [['--help']],
    [['help', 'network', 'add']],
    [['network', 'add', '--help']],
    [['dc', '-h']],
    [['network', 'list', '--dc', 'x', '--help']],
  ])('ipcd %j prints help: exit 0', async (args) => {
    const r = await ipcd(env, ...args);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Usage/);
    expect(existsSync(env.IPCD_DATA_DIR)).toBe(false);
  });

  test('network add --help documents every option', async () => {
    const out = ok(await ipcd(env, 'network', 'add', '--help'));
    for (const o of [
      '--cidr',
      '--dc',
      '--vlan',
      '--vxlan',
      '--tenant',
      '--zone',
      '--priority',
      '--gateway',
      '--no-gateway',
      '--reserve-pool',
      '--name-pattern',
      '--tag',
    ]) {
      expect(out).toMatch(new RegExp(`^  ${o} `, 'm'));
    }
  });

  test('example-topology loads the README example into an empty store', async () => {
    const db = await createDatabase();
    try {
      const env = { DATABASE_URL: db.url };
      expect(ok(await ipcd(env, 'example-topology'))).toMatch(/^loaded the example topology/);
      const nets = JSON.parse(ok(await ipcd(env, 'network', 'list', '--json'))) as NetworkRow[];
      expect(nets.map((n) => `${n.dataCenter}/${n.vlan}/${n.name}/${n.assignable}`)).toEqual([
        'dc1/100/dc1-v100-a/253',
        'dc1/100/dc1-v100-b/253',
        'dc1/100/dc1-v100-v6/18446744073709551614',
        'dc1/200/dc1-acme-alt/253',
        'dc1/null/dc1-reserve/253',
        'dc2/100/dc2-v100/253',
      ]);
    } finally {
      await db.drop();
    }
  });

  test('an unreachable PostgreSQL is an unexpected error: exit 1', async () => {
    const r = await ipcd({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }, 'dc', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ipcd: .*ECONNREFUSED/);
  });
});
