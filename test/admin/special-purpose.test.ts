/**
 * Special-purpose prefixes (loopback, multicast, link-local, unspecified, limited broadcast,
 * IPv4-mapped/-compatible IPv6) are never networks, whichever way a network comes in: AddNetwork
 * over SOAP, split and merge results, the CLI's network add and import. Private, shared,
 * ULA, documentation and global space stay allowed.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { all, text } from '../support/soap';
import { faultOf, ok, openAdminFixture, type AdminFixture } from '../support/admin';
import { BACKENDS } from '../support/backends';
import { ensureBuilt, REPO_ROOT, runNode } from '../support/processes';
import { parseCidr } from '../../src/logic/core/ip';

jest.setTimeout(120_000);

const REFUSED: [string, RegExp][] = [
  ['::ffff:10.0.0.0/120', /IPv4-mapped/],
  ['224.0.0.0/24', /multicast/],
  ['ff00::/120', /multicast/],
  ['127.0.0.0/24', /loopback/],
  ['fe80::/64', /link-local/],
  ['169.254.1.0/24', /link-local/],
  ['0.0.0.0/24', /this network/],
  ['255.255.255.0/24', /limited broadcast/],
  ['::/120', /unspecified/],
  ['::1/128', /unspecified|loopback/],
  ['::0.1.0.0/112', /IPv4-compatible/],
  ['240.1.0.0/16', /reserved/],
  ['0.0.0.0/0', /this network|loopback|multicast|broadcast|reserved|link-local/],
];

const ALLOWED = [
  '10.1.0.0/24',
  '172.16.5.0/24',
  '192.168.7.0/24',
  '100.64.0.0/24',
  'fd00:1::/64',
  '192.0.2.0/24',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '2001:db8:7::/64',
  '8.8.8.0/24',
  '2a00:1450::/64',
];

describe.each(BACKENDS)('special-purpose prefixes on %s', (kind) => {
  let f: AdminFixture;
  beforeAll(async () => {
    f = await openAdminFixture(kind);
    ok(await f.admin('AddDataCenter', { name: 'dc1' }));
  });
  afterAll(() => f?.close());

  const networks = async () =>
    all(ok(await f.admin('SearchNetworks', {})).body, 'network').map((n) => text(n, 'cidr') ?? '');

  test('AddNetwork refuses each with INVALID_REQUEST naming the reason, and adds nothing', async () => {
    for (const [i, [cidr, why]] of REFUSED.entries()) {
      const r = await f.admin('AddNetwork', {
        name: `bad${i}`,
        cidr,
        dataCenter: 'dc1',
        vlan: 10 + i,
        noGateway: cidr.endsWith('/128'),
      });
      expect([cidr, faultOf(r)]).toEqual([cidr, 'INVALID_REQUEST']);
      expect(r.fault!.message).toMatch(why);
    }
    expect(await networks()).toEqual([]);
  });

  test('private, shared, ULA, documentation and global space are accepted', async () => {
    for (const [i, cidr] of ALLOWED.entries())
      ok(await f.admin('AddNetwork', { name: `good${i}`, cidr, dataCenter: 'dc1', vlan: 100 + i }));
    expect((await networks()).sort()).toEqual(ALLOWED.map((c) => parseCidr(c).text).sort());
  });

  test('split and merge results: a network stored before the rule (loopback) is neither split nor merged', async () => {
    const dc = (await f.db.store.transaction((tx) => tx.topology.dataCenterByName('dc1')))!;
    const legacy = (name: string, cidr: string) =>
      f.db.store.transaction((tx) =>
        tx.topology.insertNetwork(
          {
            name,
            cidr,
            family: 4,
            dataCenterId: dc.id,
            vlan: 300,
            vxlan: null,
            tenantId: null,
            priority: 100,
            zoneId: null,
            gateway: null,
            reservePool: false,
            namePattern: 'vm-{seq:6}',
            tags: {},
            holdDownSeconds: 0,
          },
          [],
        ),
      );
    await legacy('old-a', '127.0.0.0/25');
    await legacy('old-b', '127.0.0.128/25');
    const split = await f.admin('SplitNetwork', { network: 'old-a', prefixLength: 26 });
    expect(faultOf(split)).toBe('INVALID_REQUEST');
    expect(split.fault!.message).toMatch(/loopback/);
    const merge = await f.admin('MergeNetworks', { network: ['old-a', 'old-b'] });
    expect(faultOf(merge)).toBe('INVALID_REQUEST');
    expect(merge.fault!.message).toMatch(/loopback/);
    expect((await networks()).filter((c) => c.startsWith('127.'))).toEqual(['127.0.0.0/25', '127.0.0.128/25']);
  });
});

describe('the CLI (PostgreSQL)', () => {
  const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  let f: AdminFixture;
  let tmp: string;
  beforeAll(async () => {
    ensureBuilt();
    f = await openAdminFixture('postgres');
    tmp = mkdtempSync(join(tmpdir(), 'ipcd-special-'));
    ok(await f.admin('AddDataCenter', { name: 'dc1' }));
    ok(await f.admin('AddNetwork', { name: 'n1', cidr: '10.0.0.0/24', dataCenter: 'dc1', vlan: 1 }));
  });
  afterAll(async () => {
    await f?.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const env = () => ({ ...process.env, DATABASE_URL: f.db.url!, LOG_LEVEL: 'silent', NODE_OPTIONS: '' });
  const ipcd = (...args: string[]) => runNode(CLI, args, { env: env() });

  test('network add refuses a multicast prefix', async () => {
    const r = await ipcd('network', 'add', 'm1', '--cidr', '224.0.0.0/24', '--dc', 'dc1', '--vlan', '2');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/multicast/);
    expect((await ipcd('network', 'list')).stdout).not.toMatch(/224\.0\.0\.0/);
  });

  test('import refuses a document holding a loopback network, and changes nothing', async () => {
    const file = join(tmp, 'export.json');
    const exported = await ipcd('export', '--output', file);
    expect(exported.code).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.tables.network[0].cidr = '127.0.0.0/24';
    writeFileSync(file, JSON.stringify(doc));
    const r = await ipcd('import', file, '--force');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/127\.0\.0\.0\/24 cannot be network 'n1'.*loopback/);
    expect((await ipcd('network', 'list')).stdout).toMatch(/10\.0\.0\.0\/24/);
  });
});
