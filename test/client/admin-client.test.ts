/**
 * IpcdAdminClient against the real server (Express + node-soap) with WS-Security on, on
 * PostgreSQL: every management method is called, and what it returns is checked against the
 * database (read with SQL) or the logic (the same functions the service calls, as the system
 * actor). Refusals arrive as IpcdFaultError with their code; the paging iterators walk every row
 * once; changes are retried only when they certainly never arrived (through a lossy local proxy).
 */
import {
  searchNetworks as logicSearchNetworks,
  tenantUtilization as logicTenantUtilization,
} from '../../src/logic/reporting/search';
import { tenantUsage as logicTenantUsage, usageCsv } from '../../src/logic/reporting/metering';
import { listDnsZones as logicListDnsZones } from '../../src/logic/dns/dns-config';
import { unseal } from '../../src/logic/access/passwords';
import { listUsers as logicListUsers } from '../../src/logic/access/users';
import {
  IpcdAdminClient,
  IpcdClient,
  IpcdFaultError,
  IpcdTransportError,
  type IpcdClientOptions,
  type NetworkInfo,
  type RetryInfo,
} from '../../src/index';
import { MANAGEMENT_NS, SOAP11_NS } from '../../src/client/soap';
import { MANAGEMENT } from '../../src/api/contract';
import { openAdminFixture, ROOT_USER, type AdminFixture } from '../support/admin';
import { freePort } from '../support/processes';
import { firstThen, FORWARD, startProxy, type Behaviour, type Proxy } from '../support/proxy';

jest.setTimeout(120_000);

let f: AdminFixture;
let admin: IpcdAdminClient;
let ipcd: IpcdClient;
const proxies: Proxy[] = [];

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return (await f.sql!.query(text, params)).rows as T[];
}

/** The refusal a call ends in (failing the test when it succeeds). */
async function refusal(p: Promise<unknown>): Promise<IpcdFaultError> {
  const e = await p.then(
    () => new Error('expected a refusal, the call succeeded'),
    (x: unknown) => x,
  );
  if (!(e instanceof IpcdFaultError)) throw e;
  return e;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The logic's view of one network (the search the service answers from), by exact name. */
async function logicView(name: string) {
  const { networks } = await logicSearchNetworks(f.db.store, { name, pageSize: 1000 });
  const v = networks.find((n) => n.network.name === name);
  if (!v) throw new Error(`network ${name} not found by the logic`);
  return v;
}

/** A client's network compared field by field with the logic's, the counts as bigint. */
async function expectMatchesLogic(n: NetworkInfo): Promise<void> {
  const v = await logicView(n.name);
  expect({
    cidr: n.cidr,
    dataCenter: n.dataCenter,
    assignable: n.assignable,
    used: n.used,
    held: n.held,
    reserved: n.reserved,
    free: n.free,
    percentUsed: n.percentUsed,
  }).toEqual({
    cidr: v.network.cidr,
    dataCenter: v.dataCenter,
    assignable: v.assignable,
    used: v.used,
    held: v.held,
    reserved: v.reserved,
    free: v.free,
    percentUsed: v.percent,
  });
}

const networkRow = async (name: string) =>
  (
    await sql(
      `SELECT n.name, n.cidr::text AS cidr, d.name AS dc, n.vlan, n.vxlan, t.name AS tenant, n.priority, z.name AS zone, host(n.gateway) AS gateway,
              n.reserve_pool, n.name_pattern, n.hold_down_seconds, n.tags
         FROM network n JOIN data_center d ON d.id = n.data_center_id LEFT JOIN tenant t ON t.id = n.tenant_id LEFT JOIN zone z ON z.id = n.zone_id
        WHERE n.name = $1`,
      [name],
    )
  )[0];

const clientVia = (url: string, o: Partial<IpcdClientOptions> = {}) => {
  const retries: RetryInfo[] = [];
  const c = new IpcdAdminClient({
    url,
    ...ROOT_USER,
    retryDelayMs: 20,
    timeoutMs: 5000,
    onRetry: (r) => retries.push(r),
    ...o,
  });
  return { c, retries };
};
const proxy = async (behave: (n: number) => Behaviour) => {
  const p = await startProxy(f.adminUrl, behave);
  proxies.push(p);
  return p;
};

beforeAll(async () => {
  f = await openAdminFixture('postgres');
  admin = new IpcdAdminClient({ url: f.adminUrl, ...ROOT_USER });
  ipcd = new IpcdClient({ url: f.url, ...ROOT_USER });
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await f?.close();
});

test('every operation of wsdl/ipcd-admin.wsdl has a method (AddDataCenter: addDataCenter)', () => {
  const methods = Object.getOwnPropertyNames(IpcdAdminClient.prototype);
  const missing = MANAGEMENT.operations.filter((op) => !methods.includes(op[0].toLowerCase() + op.slice(1)));
  expect(MANAGEMENT.operations.length).toBeGreaterThanOrEqual(28);
  expect(missing).toEqual([]);
});

test('data centers, tenants and zones: add, list, remove; a duplicate is CONFLICT', async () => {
  expect(await admin.addDataCenter('dc1', 'Frankfurt')).toEqual({ name: 'dc1', description: 'Frankfurt' });
  expect(await admin.addDataCenter('dc2')).toEqual({ name: 'dc2' });
  await admin.addDataCenter('gone-dc');
  expect(await sql(`SELECT name, description FROM data_center ORDER BY name`)).toEqual([
    { name: 'dc1', description: 'Frankfurt' },
    { name: 'dc2', description: null },
    { name: 'gone-dc', description: null },
  ]);
  expect(await admin.listDataCenters()).toEqual([
    { name: 'dc1', description: 'Frankfurt' },
    { name: 'dc2' },
    { name: 'gone-dc' },
  ]);

  expect(await admin.addTenant('t1', 'Acme')).toEqual({ name: 't1', description: 'Acme' });
  await admin.addTenant('t2');
  await admin.addTenant('gone-t');
  const tenants = await sql<{ name: string; description: string | null }>(
    `SELECT name, description FROM tenant ORDER BY name`,
  );
  expect(await admin.listTenants()).toEqual(tenants.map((t) => (t.description === null ? { name: t.name } : t)));

  expect(await admin.addZone('dc1.test')).toEqual({ name: 'dc1.test' });
  expect(await admin.addZone('Gone.Test.')).toEqual({ name: 'gone.test' }); // the server's normal form
  await admin.addZone('dc2.test');
  const zones = await sql<{ name: string }>(`SELECT name FROM zone ORDER BY name`);
  expect(zones.map((z) => z.name)).toEqual(['dc1.test', 'dc2.test', 'gone.test']);
  expect(await admin.listZones()).toEqual(zones);

  await admin.removeDataCenter('gone-dc');
  await admin.removeTenant('gone-t');
  await admin.removeZone('gone.test');
  expect(
    await sql(
      `SELECT name FROM data_center WHERE name = 'gone-dc' UNION ALL SELECT name FROM tenant WHERE name = 'gone-t' UNION ALL SELECT name FROM zone WHERE name = 'gone.test'`,
    ),
  ).toEqual([]);

  const e = await refusal(admin.addDataCenter('dc1', 'again'));
  expect(e).toMatchObject({
    name: 'IpcdFaultError',
    code: 'CONFLICT',
    faultcode: 'soap:Client',
    operation: 'AddDataCenter',
    attempts: 1,
  });
  expect(await sql(`SELECT description FROM data_center WHERE name = 'dc1'`)).toEqual([{ description: 'Frankfurt' }]);
  await expect(admin.removeZone('no.such.zone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
});

test('DNS publication: set a forward zone and a reverse prefix, list, clear; the secret is stored sealed and never returned', async () => {
  const secret = Buffer.from('client-test-tsig-secret-0123456789').toString('base64');
  expect(
    await admin.setZoneDns('dc1.test', { server: '192.0.2.53:5353', keyName: 'ipcd-dc1', secret, ttl: 120 }),
  ).toEqual({
    kind: 'forward',
    zone: 'dc1.test',
    server: '192.0.2.53:5353',
    keyName: 'ipcd-dc1',
    algorithm: 'hmac-sha256',
    ttl: 120,
    sealed: true,
  });
  // tsig-keygen's key file names the key and its algorithm.
  const keyFile = `key "rev-key" {\n\talgorithm hmac-sha512;\n\tsecret "${secret}";\n};\n`;
  const rev = await admin.setZoneDns('10.99.0.0/16', { server: '192.0.2.54', secret: keyFile });
  expect(rev).toEqual({
    kind: 'reverse',
    zone: '99.10.in-addr.arpa',
    prefix: '10.99.0.0/16',
    server: '192.0.2.54:53',
    keyName: 'rev-key',
    algorithm: 'hmac-sha512',
    ttl: 300,
    sealed: true,
  });

  const rows = await sql<{ name: string; dns_server: string; dns_key_secret: string; dns_ttl: number }>(
    `SELECT name, dns_server, dns_key_secret, dns_ttl FROM zone WHERE name = 'dc1.test' UNION ALL SELECT name, dns_server, dns_key_secret, dns_ttl FROM reverse_zone ORDER BY name`,
  );
  expect(rows.map((r) => [r.name, r.dns_ttl])).toEqual([
    ['99.10.in-addr.arpa', 300],
    ['dc1.test', 120],
  ]);
  for (const r of rows) {
    expect(r.dns_key_secret).not.toContain(secret);
    expect(unseal(r.dns_key_secret, f.secretKey)).toBe(secret);
  }
  const logic = await logicListDnsZones(f.db.store);
  const listed = await admin.listDnsZones();
  expect(listed).toEqual(logic.map((z) => Object.fromEntries(Object.entries(z).filter(([, v]) => v !== null))));
  expect(listed.map((z) => z.zone)).toEqual(expect.arrayContaining(['dc1.test', 'dc2.test', '99.10.in-addr.arpa']));
  expect(JSON.stringify(listed)).not.toContain(secret);

  expect(await refusal(admin.setZoneDns('no.such.zone', { server: '192.0.2.53', keyName: 'k', secret }))).toMatchObject(
    { code: 'NOT_FOUND', operation: 'SetZoneDns', attempts: 1 },
  );
  expect(
    await refusal(admin.setZoneDns('dc2.test', { server: '192.0.2.53', keyName: 'k', secret: 'c2hvcnQ=' })),
  ).toMatchObject({ code: 'INVALID_REQUEST' });
  expect(await sql(`SELECT dns_server FROM zone WHERE name = 'dc2.test'`)).toEqual([{ dns_server: null }]);

  expect(await admin.clearZoneDns('dc1.test')).toEqual({ kind: 'forward', zone: 'dc1.test' });
  expect(await admin.clearZoneDns('10.99.0.0/16')).toEqual({
    kind: 'reverse',
    zone: '99.10.in-addr.arpa',
    prefix: '10.99.0.0/16',
  });
  expect(await sql(`SELECT dns_server, dns_key_secret FROM zone WHERE name = 'dc1.test'`)).toEqual([
    { dns_server: null, dns_key_secret: null },
  ]);
  expect(await sql(`SELECT name FROM reverse_zone`)).toEqual([]);
  expect(await refusal(admin.clearZoneDns('10.99.0.0/16'))).toMatchObject({
    code: 'NOT_FOUND',
    operation: 'ClearZoneDns',
  });
  expect(await admin.listDnsZones()).toEqual(
    (await logicListDnsZones(f.db.store)).map((z) => ({ kind: z.kind, zone: z.zone })),
  );
});

test('networks: add (IPv6 counts as bigint), edit, tag, split and merge with allocations, remove', async () => {
  const n1 = await admin.addNetwork({
    name: 'n1',
    cidr: '10.1.0.0/24',
    dataCenter: 'dc1',
    vlan: 10,
    vxlan: 5010,
    tenant: 't1',
    priority: 10,
    zone: 'dc1.test',
    tags: { rack: 'r1', env: 'prod' },
  });
  expect(n1).toEqual({
    name: 'n1',
    cidr: '10.1.0.0/24',
    family: 'IPv4',
    dataCenter: 'dc1',
    vlan: 10,
    vxlan: 5010,
    tenant: 't1',
    priority: 10,
    zone: 'dc1.test',
    gateway: '10.1.0.1',
    reservePool: false,
    namePattern: 'vm-{seq:6}',
    holdDownSeconds: 0,
    tags: { env: 'prod', rack: 'r1' },
    assignable: 253n,
    used: 0n,
    held: 0n,
    reserved: 0n,
    free: 253n,
    percentUsed: 0,
  });
  expect(await networkRow('n1')).toEqual({
    name: 'n1',
    cidr: '10.1.0.0/24',
    dc: 'dc1',
    vlan: 10,
    vxlan: 5010,
    tenant: 't1',
    priority: 10,
    zone: 'dc1.test',
    gateway: '10.1.0.1',
    reserve_pool: false,
    name_pattern: 'vm-{seq:6}',
    hold_down_seconds: 0,
    tags: { env: 'prod', rack: 'r1' },
  });

  // A /48: 2^80 addresses less the subnet-router anycast and the gateway, past any fixed-width type.
  const n6 = await admin.addNetwork({
    name: 'n6',
    cidr: '2001:db8:aa::/48',
    dataCenter: 'dc1',
    vlan: 10,
    tenant: 't1',
    zone: 'dc1.test',
  });
  expect(n6).toMatchObject({
    family: 'IPv6',
    gateway: '2001:db8:aa::1',
    assignable: 2n ** 80n - 2n,
    free: 2n ** 80n - 2n,
  });
  expect(typeof n6.assignable).toBe('bigint');
  await expectMatchesLogic(n6);

  const bare = await admin.addNetwork({
    name: 'bare',
    cidr: '10.7.0.0/29',
    dataCenter: 'dc2',
    vlan: 70,
    gateway: null,
    reservePool: true,
    holdDownSeconds: 30,
  });
  expect(bare).toMatchObject({ reservePool: true, holdDownSeconds: 30, assignable: 6n, tags: {} });
  expect(bare).not.toHaveProperty('gateway');
  expect(bare).not.toHaveProperty('tenant');
  expect(await networkRow('bare')).toMatchObject({
    gateway: null,
    reserve_pool: true,
    hold_down_seconds: 30,
    tenant: null,
  });

  // Edit: what is given changes, null clears, {} tags removes them all.
  const edited = await admin.editNetwork('n1', {
    priority: 5,
    vxlan: null,
    holdDownSeconds: 60,
    namePattern: 'web-{seq:3}',
  });
  expect(edited).toMatchObject({
    name: 'n1',
    priority: 5,
    holdDownSeconds: 60,
    namePattern: 'web-{seq:3}',
    tenant: 't1',
    tags: { env: 'prod', rack: 'r1' },
  });
  expect(edited).not.toHaveProperty('vxlan');
  expect(await networkRow('n1')).toMatchObject({
    priority: 5,
    vxlan: null,
    hold_down_seconds: 60,
    name_pattern: 'web-{seq:3}',
    tenant: 't1',
  });
  const renamed = await admin.editNetwork('bare', {
    newName: 'n7',
    tenant: 't2',
    gateway: '10.7.0.6',
    reservePool: false,
    tags: { a: '1' },
  });
  expect(renamed).toMatchObject({
    name: 'n7',
    tenant: 't2',
    gateway: '10.7.0.6',
    reservePool: false,
    tags: { a: '1' },
    assignable: 5n,
  });
  const cleared = await admin.editNetwork('n7', { tenant: null, gateway: null, tags: {}, zone: 'dc2.test' });
  expect(cleared).toMatchObject({ name: 'n7', zone: 'dc2.test', tags: {}, assignable: 6n });
  expect(cleared).not.toHaveProperty('tenant');
  expect(await networkRow('n7')).toMatchObject({ tenant: null, gateway: null, tags: {}, zone: 'dc2.test' });
  await expect(admin.editNetwork('no-such-network', { priority: 1 })).rejects.toMatchObject({
    code: 'NOT_FOUND',
    operation: 'EditNetwork',
  });

  const tagged = await admin.tagNetwork('n1', { set: { env: 'staging', owner: 'ops', empty: '' }, remove: ['rack'] });
  expect(tagged.tags).toEqual({ empty: '', env: 'staging', owner: 'ops' });
  expect((await networkRow('n1')).tags).toEqual({ empty: '', env: 'staging', owner: 'ops' });

  // Split and merge with allocations inside: each stays where it was, address and name kept.
  const issued = [];
  for (const i of [1, 2, 3])
    issued.push(await ipcd.commission({ dataCenter: 'dc1', vlan: 10, serverInstance: `vm-${i}`, wantName: true }));
  const where = () =>
    sql<{ id: string; network: string; address: string; name: string }>(
      `SELECT a.id, n.name AS network, host(a.address) AS address, a.name FROM allocation a JOIN network n ON n.id = a.network_id WHERE a.server_instance LIKE 'vm-%' ORDER BY a.address`,
    );
  const before = await where();
  expect(before.map((a) => a.network)).toEqual(['n1', 'n1', 'n1']);

  const children = await admin.splitNetwork('n1', 25, ['n1-low', 'n1-high']);
  expect(children.map((c) => [c.name, c.cidr, c.used])).toEqual([
    ['n1-low', '10.1.0.0/25', 3n],
    ['n1-high', '10.1.0.128/25', 0n],
  ]);
  expect(children[1]).not.toHaveProperty('gateway'); // only the child holding it keeps the gateway
  for (const c of children) await expectMatchesLogic(c);
  expect(await where()).toEqual(before.map((a) => ({ ...a, network: 'n1-low' })));

  const merged = await admin.mergeNetworks(['n1-low', 'n1-high'], 'n1');
  expect(merged).toMatchObject({
    name: 'n1',
    cidr: '10.1.0.0/24',
    gateway: '10.1.0.1',
    used: 3n,
    assignable: 253n,
    tags: tagged.tags,
  });
  expect(await where()).toEqual(before);

  const e = await refusal(admin.mergeNetworks(['n1', 'n7']));
  expect(e).toMatchObject({ code: 'MERGE_REFUSED', operation: 'MergeNetworks', faultcode: 'soap:Client' });
  expect((await sql(`SELECT name FROM network WHERE name IN ('n1', 'n7') ORDER BY name`)).length).toBe(2);
  await expect(admin.splitNetwork('n7', 24)).rejects.toMatchObject({ code: 'SPLIT_REFUSED' });

  // Remove: refused while in use, then forced, releasing what it held.
  expect(await refusal(admin.removeNetwork('n1'))).toMatchObject({ code: 'NETWORK_IN_USE' });
  expect(await admin.removeNetwork('n1', { force: true })).toEqual({
    network: 'n1',
    cidr: '10.1.0.0/24',
    releasedCount: 3,
  });
  expect(await sql(`SELECT name FROM network WHERE name = 'n1'`)).toEqual([]);
  const released = await sql<{ id: string; released_at: Date | null }>(
    `SELECT id, released_at FROM allocation WHERE id = ANY($1::uuid[])`,
    [issued.map((a) => a.allocationId)],
  );
  expect(released).toHaveLength(3);
  for (const r of released) expect(r.released_at).toBeInstanceOf(Date);
  expect(await admin.removeNetwork('n7')).toEqual({ network: 'n7', cidr: '10.7.0.0/29', releasedCount: 0 });
});

test('reservations: reserve a range and an address, list, unreserve', async () => {
  await admin.addNetwork({
    name: 'n-res',
    cidr: '10.5.0.0/24',
    dataCenter: 'dc2',
    vlan: 50,
    tenant: 't2',
    zone: 'dc2.test',
  });
  const range = await admin.reserveRange('n-res', { first: '10.5.0.10', last: '10.5.0.19', note: 'appliances' });
  expect(range).toEqual({
    id: expect.stringMatching(/^\d+$/),
    network: 'n-res',
    first: '10.5.0.10',
    last: '10.5.0.19',
    note: 'appliances',
    createdAt: expect.any(Date),
  });
  const one = await admin.reserveRange('n-res', { first: '10.5.0.30' });
  expect(one).toMatchObject({ first: '10.5.0.30', last: '10.5.0.30' });
  expect(one).not.toHaveProperty('note');
  const rows = async () =>
    (
      await sql<{ id: string; first: string; last: string; note: string | null; created_at: Date }>(
        `SELECT r.id::text, host(r.first_addr) AS first, host(r.last_addr) AS last, r.note, r.created_at FROM reservation r JOIN network n ON n.id = r.network_id WHERE n.name = 'n-res' ORDER BY r.first_addr`,
      )
    ).map((r) => ({
      id: r.id,
      network: 'n-res',
      first: r.first,
      last: r.last,
      ...(r.note === null ? {} : { note: r.note }),
      createdAt: r.created_at,
    }));
  expect(await admin.listReservations('n-res')).toEqual(await rows());
  expect(await rows()).toEqual([range, one]);
  expect((await admin.searchNetworks({ name: 'n-res' })).networks[0]).toMatchObject({ reserved: 11n, free: 242n });

  expect(await refusal(admin.reserveRange('n-res', { first: '10.5.0.15' }))).toMatchObject({
    code: 'CONFLICT',
    operation: 'ReserveRange',
  });
  expect(await admin.unreserveRange('n-res', one.id)).toEqual(one);
  expect(await rows()).toEqual([range]);
  expect(await admin.listReservations('n-res')).toEqual([range]);
});

test('search: networks and allocations page by page; the iterators walk every row once', async () => {
  for (let i = 0; i < 23; i++) {
    const name = `pg-${String(i).padStart(2, '0')}`;
    await admin.addNetwork({
      name,
      cidr: `10.100.${i}.0/28`,
      dataCenter: 'dc2',
      vlan: 100 + i,
      tenant: 't2',
      zone: 'dc2.test',
      tags: { batch: 'paging' },
    });
  }
  const inDb = (
    await sql<{ name: string }>(`SELECT name FROM network WHERE tags->>'batch' = 'paging' ORDER BY name`)
  ).map((r) => r.name);
  expect(inDb).toHaveLength(23);

  const first = await admin.searchNetworks({ tagKey: 'batch', tagValue: 'paging', pageSize: 10 });
  expect(first.networks).toHaveLength(10);
  expect(first.nextPage).toEqual(expect.any(String));
  const second = await admin.searchNetworks({
    tagKey: 'batch',
    tagValue: 'paging',
    pageSize: 10,
    after: first.nextPage,
  });
  expect(second.networks.map((n) => n.name)).toEqual(inDb.slice(10, 20));

  const p = await proxy(() => FORWARD);
  const walked = await collect(clientVia(p.url).c.allNetworks({ tagKey: 'batch', pageSize: 10 }));
  expect(p.requests).toHaveLength(3); // 10 + 10 + 3
  expect(walked.map((n) => n.name)).toEqual(inDb); // each once, in order
  await expectMatchesLogic(walked[22]);
  expect((await admin.searchNetworks({ address: '10.100.7.9' })).networks.map((n) => n.name)).toEqual(['pg-07']);
  expect(await refusal(admin.searchNetworks({ after: 'not-a-cursor' }))).toMatchObject({ code: 'INVALID_REQUEST' });

  // Allocations: 12 on pg-00, two released; active by default, all with includeReleased.
  const ids: string[] = [];
  for (let i = 0; i < 12; i++)
    ids.push(
      (await ipcd.commission({ dataCenter: 'dc2', vlan: 100, serverInstance: `pa-${i}`, wantName: true })).allocationId,
    );
  await ipcd.decommission({ dataCenter: 'dc2', vlan: 100, serverInstance: 'pa-0' });
  await ipcd.decommission({ dataCenter: 'dc2', vlan: 100, serverInstance: 'pa-1', reason: 'MIGRATED' });
  const active = await admin.searchAllocations({ network: 'pg-00' });
  expect(active.nextPage).toBeUndefined();
  expect(active.allocations.map((a) => a.allocationId).sort()).toEqual(ids.slice(2).sort());
  const everything = await collect(admin.allAllocations({ network: 'pg-00', includeReleased: true, pageSize: 5 }));
  const dbRows = await sql<{ id: string; address: string; name: string; released_at: Date | null; created_at: Date }>(
    `SELECT a.id, host(a.address) AS address, a.name, a.released_at, a.created_at FROM allocation a JOIN network n ON n.id = a.network_id WHERE n.name = 'pg-00'`,
  );
  expect(everything.map((a) => a.allocationId).sort()).toEqual(dbRows.map((r) => r.id).sort());
  expect(new Set(everything.map((a) => a.allocationId)).size).toBe(12);
  for (const a of everything) {
    const r = dbRows.find((x) => x.id === a.allocationId)!;
    expect(a).toMatchObject({
      network: 'pg-00',
      dataCenter: 'dc2',
      vlan: 100,
      tenant: 't2',
      intent: 'IPv4',
      address: r.address,
      fqdn: `${r.name}.dc2.test`,
      createdAt: r.created_at,
    });
    if (r.released_at) expect(a.releasedAt).toEqual(r.released_at);
    else expect(a).not.toHaveProperty('releasedAt');
  }
  expect(everything.find((a) => a.serverInstance === 'pa-1')).toMatchObject({ releaseReason: 'MIGRATED' });
  expect(everything.find((a) => a.serverInstance === 'pa-0')).toMatchObject({ releaseReason: 'DELETED' });
  const byAddress = await admin.searchAllocations({
    address: dbRows.find((r) => r.id === ids[5])!.address,
    dataCenter: 'dc2',
  });
  expect(byAddress.allocations.map((a) => a.allocationId)).toEqual([ids[5]]);

  // Utilization per tenant, as the logic totals it.
  const totals = await admin.tenantUtilization();
  const logic = await logicTenantUtilization(f.db.store);
  expect(totals).toEqual(
    logic.map((t) => ({
      tenant: t.tenant,
      family: `IPv${t.family}`,
      networks: t.networks,
      assignable: t.assignable,
      used: t.used,
      free: t.free,
      percentUsed: Number(t.percent.toFixed(2)),
    })),
  );
  expect(totals.find((t) => t.tenant === 't2')).toMatchObject({ used: 10n });
});

test('audit and metering: QueryAudit by filter and page; TenantUsage rows and CSV', async () => {
  const dbAdds = await sql<{ id: string; actor: string; object_id: string; outcome: string }>(
    `SELECT id::text, actor, object_id, outcome FROM audit_log WHERE operation = 'AddNetwork' ORDER BY audit_log.id`,
  );
  const adds = await admin.queryAudit({ operation: 'AddNetwork', pageSize: 1000 });
  expect(adds.entries.map((e) => ({ id: e.id, actor: e.user, object_id: e.objectId, outcome: e.outcome }))).toEqual(
    dbAdds,
  );
  expect(adds.entries[0]).toMatchObject({
    role: 'admin',
    objectType: 'network',
    dataCenter: 'dc1',
    tenant: 't1',
    at: expect.any(Date),
    requestId: expect.any(String),
  });
  expect(adds.entries[0].after).toMatchObject({ name: 'n1' }); // JSON, parsed

  const dcAdds = await admin.queryAudit({ operation: 'AddDataCenter' });
  expect(dcAdds.entries.map((e) => e.outcome)).toEqual(['ok', 'ok', 'ok', 'CONFLICT']); // the refused duplicate dc1
  expect(
    (await admin.queryAudit({ operation: 'AddDataCenter', objectId: 'dc1' })).entries.map((e) => e.outcome),
  ).toEqual(['ok', 'CONFLICT']);
  const recent = await admin.queryAudit({
    operation: 'RemoveNetwork',
    since: new Date(Date.now() - 3_600_000),
    until: new Date(Date.now() + 60_000),
  });
  expect(recent.entries.map((e) => e.outcome)).toEqual(['NETWORK_IN_USE', 'ok', 'ok']);
  const dbRemoves = await sql<{ id: string; object_id: string }>(
    `SELECT id::text, object_id FROM audit_log WHERE operation = 'RemoveNetwork' ORDER BY audit_log.id`,
  );
  expect(recent.entries.map((e) => ({ id: e.id, object_id: e.objectId }))).toEqual(dbRemoves);
  expect(
    (await admin.queryAudit({ operation: 'RemoveNetwork', until: new Date(Date.now() - 3_600_000) })).entries,
  ).toEqual([]);

  const dbAll = (await sql<{ id: string }>(`SELECT id::text FROM audit_log ORDER BY audit_log.id`)).map((r) => r.id);
  expect(dbAll.length).toBeGreaterThan(40);
  const walked = (await collect(admin.allAuditEntries({ pageSize: 7 }))).map((e) => e.id);
  expect(walked).toEqual(dbAll);

  const from = new Date();
  const to = new Date(from.getTime() + 86_400_000);
  const report = await admin.tenantUsage({ from, to });
  const logic = await logicTenantUsage(f.db.store, {
    from: from.toISOString().slice(0, 10),
    to: to.toISOString().slice(0, 10),
  });
  expect(report.usage.map((u) => [u.tenant, u.day, u.allocations])).toEqual(
    logic.map((u) => [u.tenant, u.day, u.allocations]),
  );
  expect(report.usage.find((u) => u.tenant === 't2')).toMatchObject({
    day: from.toISOString().slice(0, 10),
    allocations: 12,
  });
  report.usage.forEach((u, i) => expect(u.addressHours).toBeCloseTo(logic[i].addressHours, 2)); // both count up to now()
  expect(report.csv).toBe(usageCsv(report.usage));
  expect(
    (await admin.tenantUsage({ tenant: 't1', from: from.toISOString().slice(0, 10), to })).usage.map((u) => u.tenant),
  ).toEqual(['t1']);
  expect(await refusal(admin.tenantUsage({ from: to, to: from }))).toMatchObject({
    code: 'INVALID_REQUEST',
    operation: 'TenantUsage',
  });
});

test('users: add, list, set password, disable, enable, remove; a tenant is refused changes (ACCESS_DENIED)', async () => {
  expect(
    await admin.addUser({
      username: 'orch1',
      password: 'orch1-password-0001',
      role: 'orchestrator',
      grants: [{ dataCenter: 'dc1' }, { dataCenter: 'dc2', tenant: 't2' }],
    }),
  ).toEqual({
    username: 'orch1',
    role: 'orchestrator',
  });
  await admin.addUser({
    username: 't1-reader',
    password: 't1-reader-password',
    role: 'tenant',
    tenant: 't1',
    digest: true,
  });
  const logic = await logicListUsers(f.db.store);
  expect(await admin.listUsers()).toEqual(
    logic.map((u) => ({
      username: u.username,
      role: u.role,
      ...(u.tenant === null ? {} : { tenant: u.tenant }),
      grants: u.grants,
      disabled: u.disabled,
    })),
  );
  expect((await admin.listUsers()).find((u) => u.username === 'orch1')).toEqual({
    username: 'orch1',
    role: 'orchestrator',
    grants: [{ dataCenter: 'dc1' }, { dataCenter: 'dc2', tenant: 't2' }],
    disabled: false,
  });
  expect(await sql(`SELECT sealed_password IS NOT NULL AS sealed FROM app_user WHERE username = 't1-reader'`)).toEqual([
    { sealed: true },
  ]);

  // A tenant reads only its own tenant's networks and may change nothing.
  const tenant = new IpcdAdminClient({ url: f.adminUrl, username: 't1-reader', password: 't1-reader-password' });
  const denied = await refusal(tenant.addDataCenter('dc9'));
  expect(denied).toMatchObject({ code: 'ACCESS_DENIED', operation: 'AddDataCenter' });
  expect(await sql(`SELECT name FROM data_center WHERE name = 'dc9'`)).toEqual([]);
  const seen = await collect(tenant.allNetworks({ pageSize: 2 }));
  expect(seen.map((n) => n.name).sort()).toEqual(
    (
      await sql<{ name: string }>(
        `SELECT n.name FROM network n JOIN tenant t ON t.id = n.tenant_id WHERE t.name = 't1' ORDER BY n.name`,
      )
    ).map((r) => r.name),
  );
  expect(await refusal(tenant.listUsers())).toMatchObject({ code: 'ACCESS_DENIED' });
  expect(await refusal(tenant.listDnsZones())).toMatchObject({ code: 'ACCESS_DENIED', operation: 'ListDnsZones' });
  expect(
    await refusal(
      tenant.setZoneDns('dc1.test', {
        server: '192.0.2.53',
        keyName: 'k',
        secret: Buffer.alloc(32, 7).toString('base64'),
      }),
    ),
  ).toMatchObject({ code: 'ACCESS_DENIED' });
  expect(await sql(`SELECT dns_server FROM zone WHERE name = 'dc1.test'`)).toEqual([{ dns_server: null }]);

  const hashBefore = (await sql<{ h: string }>(`SELECT password_hash AS h FROM app_user WHERE username = 'orch1'`))[0]
    .h;
  await admin.setPassword('orch1', 'orch1-password-0002');
  expect((await sql<{ h: string }>(`SELECT password_hash AS h FROM app_user WHERE username = 'orch1'`))[0].h).not.toBe(
    hashBefore,
  );
  const oldOrch = new IpcdAdminClient({ url: f.adminUrl, username: 'orch1', password: 'orch1-password-0001' });
  const orch = new IpcdAdminClient({ url: f.adminUrl, username: 'orch1', password: 'orch1-password-0002' });
  expect(await refusal(oldOrch.listDataCenters())).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  expect((await orch.listDataCenters()).map((d) => d.name)).toEqual(['dc1', 'dc2']);

  await admin.disableUser('orch1');
  expect(await sql(`SELECT disabled FROM app_user WHERE username = 'orch1'`)).toEqual([{ disabled: true }]);
  expect(await refusal(orch.listDataCenters())).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  expect((await admin.listUsers()).find((u) => u.username === 'orch1')?.disabled).toBe(true);
  await admin.enableUser('orch1');
  expect(await sql(`SELECT disabled FROM app_user WHERE username = 'orch1'`)).toEqual([{ disabled: false }]);
  expect(await orch.listDataCenters()).toHaveLength(2);

  await admin.removeUser('orch1');
  expect(await sql(`SELECT username FROM app_user WHERE username = 'orch1'`)).toEqual([]);
  expect(await refusal(admin.removeUser('orch1'))).toMatchObject({ code: 'NOT_FOUND', operation: 'RemoveUser' });
});

test('retries: reads after a lost reply; changes only when they never arrived or were rolled back (BUSY)', async () => {
  // A read whose reply was lost is simply asked again.
  const pRead = await proxy(firstThen(1, { kind: 'drop' }));
  const read = clientVia(pRead.url);
  expect((await read.c.listTenants()).map((t) => t.name)).toEqual(['t1', 't2']);
  expect(pRead.requests).toHaveLength(2);
  expect(read.retries).toHaveLength(1);

  // A change whose reply was lost is not: it did arrive, and a repeat would be a CONFLICT.
  const pLost = await proxy(firstThen(1, { kind: 'drop' }));
  const lost = clientVia(pLost.url);
  const e = await lost.c.addTenant('t-lost-reply').catch((x: unknown) => x);
  expect(e).toBeInstanceOf(IpcdTransportError);
  expect(e).toMatchObject({ kind: 'network', maybeDelivered: true, attempts: 1, operation: 'AddTenant' });
  expect(pLost.requests).toHaveLength(1);
  expect(lost.retries).toEqual([]);
  expect(await sql(`SELECT name FROM tenant WHERE name = 't-lost-reply'`)).toHaveLength(1);

  // Nor after a 503 from something in front of the server: the request may have been passed on.
  const p503 = await proxy(firstThen(1, { kind: 'reply', status: 503, body: 'unavailable' }));
  await expect(clientVia(p503.url).c.addZone('z503.test')).rejects.toMatchObject({
    kind: 'http',
    status: 503,
    attempts: 1,
  });
  expect(p503.requests).toHaveLength(1);

  // BUSY means rolled back: repeated, and the change is made once.
  const busy = `<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>busy</faultstring><detail><m:IpcdFault xmlns:m="${MANAGEMENT_NS}"><m:code>BUSY</m:code><m:message>lost a race; retry it</m:message></m:IpcdFault></detail></soap:Fault></soap:Body></soap:Envelope>`;
  const pBusy = await proxy(firstThen(1, { kind: 'reply', status: 500, body: busy }));
  const b = clientVia(pBusy.url);
  expect(await b.c.addZone('busy.test')).toEqual({ name: 'busy.test' });
  expect(b.retries.map((r) => (r.error as IpcdFaultError).code)).toEqual(['BUSY']);
  expect(pBusy.requests).toHaveLength(2);
  expect(await sql(`SELECT name FROM zone WHERE name = 'busy.test'`)).toHaveLength(1);

  // Connection refused: the request never left, so even a change is tried again (bounded).
  const refused = clientVia(`http://127.0.0.1:${await freePort()}/ipcd-admin`, { retries: 2 });
  const r = await refused.c.addZone('never.test').catch((x: unknown) => x);
  expect(r).toMatchObject({ kind: 'network', maybeDelivered: false, attempts: 3 });
  expect(refused.retries).toHaveLength(2);
  expect(await sql(`SELECT name FROM zone WHERE name = 'never.test'`)).toEqual([]);

  // The same holds for the DNS settings: a lost reply is not repeated, a refused connection is.
  const pDns = await proxy(firstThen(1, { kind: 'drop' }));
  const dns = clientVia(pDns.url);
  const lostDns = await dns.c
    .setZoneDns('busy.test', { server: '192.0.2.53', keyName: 'k', secret: Buffer.alloc(32, 9).toString('base64') })
    .catch((x: unknown) => x);
  expect(lostDns).toMatchObject({ kind: 'network', maybeDelivered: true, attempts: 1, operation: 'SetZoneDns' });
  expect(pDns.requests).toHaveLength(1);
  expect(await sql(`SELECT dns_server FROM zone WHERE name = 'busy.test'`)).toEqual([{ dns_server: '192.0.2.53:53' }]);
  const neverDns = await refused.c.clearZoneDns('busy.test').catch((x: unknown) => x);
  expect(neverDns).toMatchObject({ kind: 'network', maybeDelivered: false, attempts: 3 });
});
