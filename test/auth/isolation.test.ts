/**
 * The isolation matrix: every operation of both services (wsdl/ipcd.wsdl, wsdl/ipcd-admin.wsdl)
 * called by each kind of caller, over real HTTP with real WS-Security headers, on PostgreSQL.
 * The table below is the expected outcome of every cell; each cell is asserted, together with
 * the audit rows it left (a change: its row; a refused change: a refusal row; a read or a failed
 * authentication: none) and, for tenants and the orchestrator, that the answer holds nothing of
 * another tenant's (or an ungranted data center's) networks, addresses, names or audit rows.
 */
import { COMMISSIONING, MANAGEMENT } from '../../src/api/contract';
import { commission } from '../../src/logic/allocation/commission';
import { setZoneDns } from '../../src/logic/dns/dns-config';
import { reserveRange } from '../../src/logic/topology/reservations';
import { addDataCenter, addNetwork, addTenant, addZone } from '../../src/logic/topology/topology';
import { addUser } from '../../src/logic/access/users';
import { AuditWatch, openAdminFixture, ROOT_USER, type AdminFixture } from '../support/admin';
import { all, flat, text, type Credentials, type Fields, type SoapReply } from '../support/soap';

jest.setTimeout(180_000);

const ROLES = ['admin', 'orchestrator', 'tenantA', 'tenantB', 'anonymous', 'wrongPassword', 'replayedDigest'] as const;
type Role = (typeof ROLES)[number];

const ok = 'ok';
const DENIED = 'ACCESS_DENIED';
const HIDDEN = 'NOT_FOUND';
const AUTH = 'AUTHENTICATION_FAILED';
type Single = typeof ok | typeof DENIED | typeof HIDDEN | typeof AUTH;
/** A batch answered as a whole: each item's outcome, in order ("ok,ACCESS_DENIED"). */
type Outcome = Single | `${Single},${Single}` | `${string},${string}`;
const items = (...each: (Single | 'BATCH_ABORTED')[]) => each.join(',') as Outcome;

/** One operation as called in the matrix. `prepare` makes what the call acts on, per role, so cells do not interfere. */
interface Cell {
  service: 'ipcd' | 'admin';
  op: string;
  /** Changes leave an audit row; reads do not. */
  change: boolean;
  fields(who: Role, prepared: Fields): Fields;
  prepare?(who: Role): Promise<Fields>;
}

let f: AdminFixture;
let watch: AuditWatch;
const TODAY = new Date().toISOString().slice(0, 10);
const TOMORROW = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

// Prefixes that no two prepared networks share: 10.200.0.0/24, 10.200.1.0/24, ...
let nextNet = 0;
const freshCidr = () => {
  const n = nextNet++;
  return `10.${200 + Math.floor(n / 256)}.${n % 256}.0/24`;
};
const net = async (name: string, cidr = freshCidr()) => {
  await addNetwork(f.db.store, { name, cidr, dataCenter: 'dc2', vlan: 3000 });
  prefixes.set(name, cidr.split('.').slice(0, 3).join('.'));
  return name;
};
const user = async (username: string) => {
  await addUser(f.db.store, { username, password: 'prepared-user-pw-1', role: 'admin' });
  return username;
};
const TSIG_SECRET = Buffer.from('isolation-matrix-tsig-secret-01').toString('base64');
const instance = (who: Role, what: string) => `vm-${what}-${who}`;

const CELLS: Cell[] = [
  // the commissioning service
  {
    service: 'ipcd',
    op: 'CommissionIP',
    change: true,
    fields: (who) => ({ dataCenter: 'dc1', vlan: 110, serverInstance: instance(who, 'c') }),
  },
  {
    service: 'ipcd',
    op: 'CommissionIP@dc2',
    change: true,
    fields: (who) => ({ dataCenter: 'dc2', vlan: 130, serverInstance: instance(who, 'c2') }),
  },
  {
    service: 'ipcd',
    op: 'NameOnly',
    change: true,
    fields: (who) => ({ dataCenter: 'dc1', vlan: 110, serverInstance: instance(who, 'n') }),
  },
  {
    service: 'ipcd',
    op: 'DecommissionIP',
    change: true,
    prepare: async (who) => {
      await commission(f.db.store, {
        dataCenter: 'dc1',
        vlan: 110,
        serverInstance: instance(who, 'd'),
        wantAddress: true,
        wantName: false,
        family: 4,
      });
      return {};
    },
    fields: (who) => ({ dataCenter: 'dc1', vlan: 110, serverInstance: instance(who, 'd') }),
  },
  { service: 'ipcd', op: 'ListAllocations', change: false, fields: () => ({ pageSize: 1000 }) },
  // Batches: per item, so a grant may cover one item (dc1) and not the other (dc2).
  {
    service: 'ipcd',
    op: 'CommissionIPBatch',
    change: true,
    fields: (who) => ({
      CommissionIP: [
        { dataCenter: 'dc1', vlan: 110, serverInstance: instance(who, 'b1') },
        { dataCenter: 'dc2', vlan: 130, serverInstance: instance(who, 'b2') },
      ],
    }),
  },
  {
    service: 'ipcd',
    op: 'CommissionIPBatch@atomic',
    change: true,
    fields: (who) => ({
      atomic: true,
      CommissionIP: [
        { dataCenter: 'dc1', vlan: 110, serverInstance: instance(who, 'ba1') },
        { dataCenter: 'dc2', vlan: 130, serverInstance: instance(who, 'ba2') },
      ],
    }),
  },
  {
    service: 'ipcd',
    op: 'DecommissionIPBatch',
    change: true,
    prepare: async (who) => {
      for (const [dataCenter, vlan, what] of [
        ['dc1', 110, 'bd1'],
        ['dc2', 130, 'bd2'],
      ] as const) {
        await commission(f.db.store, {
          dataCenter,
          vlan,
          serverInstance: instance(who, what),
          wantAddress: true,
          wantName: false,
          family: 4,
        });
      }
      return {};
    },
    fields: (who) => ({
      DecommissionIP: [
        { dataCenter: 'dc1', vlan: 110, serverInstance: instance(who, 'bd1') },
        { dataCenter: 'dc2', vlan: 130, serverInstance: instance(who, 'bd2') },
      ],
    }),
  },

  // the management service: topology
  { service: 'admin', op: 'AddDataCenter', change: true, fields: (who) => ({ name: `dc-${who}` }) },
  { service: 'admin', op: 'ListDataCenters', change: false, fields: () => ({}) },
  {
    service: 'admin',
    op: 'RemoveDataCenter',
    change: true,
    prepare: async (who) => ({ name: (await addDataCenter(f.db.store, `dcr-${who}`)).name }),
    fields: (_, p) => p,
  },
  { service: 'admin', op: 'AddTenant', change: true, fields: (who) => ({ name: `tn-${who}` }) },
  { service: 'admin', op: 'ListTenants', change: false, fields: () => ({}) },
  {
    service: 'admin',
    op: 'RemoveTenant',
    change: true,
    prepare: async (who) => ({ name: (await addTenant(f.db.store, `tnr-${who}`)).name }),
    fields: (_, p) => p,
  },
  { service: 'admin', op: 'AddZone', change: true, fields: (who) => ({ name: `z-${who.toLowerCase()}.test` }) },
  { service: 'admin', op: 'ListZones', change: false, fields: () => ({}) },
  {
    service: 'admin',
    op: 'RemoveZone',
    change: true,
    prepare: async (who) => ({ name: (await addZone(f.db.store, `zr-${who.toLowerCase()}.test`)).name }),
    fields: (_, p) => p,
  },
  // DNS publication (a zone per caller; the secret must never come back)
  {
    service: 'admin',
    op: 'SetZoneDns',
    change: true,
    prepare: async (who) => ({ zone: (await addZone(f.db.store, `zd-${who.toLowerCase()}.test`)).name }),
    fields: (_, p) => ({ ...p, server: '192.0.2.53', keyName: 'isolation-key', secret: TSIG_SECRET }),
  },
  {
    service: 'admin',
    op: 'ClearZoneDns',
    change: true,
    prepare: async (who) => {
      const zone = (await addZone(f.db.store, `zc-${who.toLowerCase()}.test`)).name;
      await setZoneDns(f.db.store, zone, { server: '192.0.2.53', keyName: 'isolation-key', key: TSIG_SECRET });
      return { zone };
    },
    fields: (_, p) => p,
  },
  { service: 'admin', op: 'ListDnsZones', change: false, fields: () => ({}) },
  // networks
  {
    service: 'admin',
    op: 'AddNetwork',
    change: true,
    fields: (who) => ({ name: `add-${who}`, cidr: freshCidr(), dataCenter: 'dc2', vlan: 3001 }),
  },
  {
    service: 'admin',
    op: 'EditNetwork',
    change: true,
    prepare: async (who) => ({ network: await net(`edit-${who}`) }),
    fields: (_, p) => ({ ...p, priority: 5 }),
  },
  {
    service: 'admin',
    op: 'TagNetwork',
    change: true,
    prepare: async (who) => ({ network: await net(`tag-${who}`) }),
    fields: (_, p) => ({ ...p, set: { key: 'k', value: 'v' } }),
  },
  {
    service: 'admin',
    op: 'RemoveNetwork',
    change: true,
    prepare: async (who) => ({ network: await net(`rm-${who}`) }),
    fields: (_, p) => p,
  },
  {
    service: 'admin',
    op: 'SplitNetwork',
    change: true,
    prepare: async (who) => ({ network: await net(`split-${who}`) }),
    fields: (_, p) => ({ ...p, prefixLength: 25 }),
  },
  {
    service: 'admin',
    op: 'MergeNetworks',
    change: true,
    prepare: async (who) => {
      const base = freshCidr().replace('/24', '');
      const lo = await net(`mlo-${who}`, `${base}/25`);
      const hi = await net(`mhi-${who}`, `${base.replace(/\.0$/, '.128')}/25`);
      return { network: [lo, hi] };
    },
    fields: (_, p) => p,
  },
  // reservations
  {
    service: 'admin',
    op: 'ReserveRange',
    change: true,
    prepare: async (who) => ({ network: await net(`res-${who}`) }),
    fields: (_, p) => ({ ...p, first: `${cidrOf(p)}.9` }),
  },
  {
    service: 'admin',
    op: 'UnreserveRange',
    change: true,
    prepare: async (who) => {
      const network = await net(`unres-${who}`);
      const r = await reserveRange(f.db.store, network, { first: `${prefixes.get(network)}.9` });
      return { network, id: r.id };
    },
    fields: (_, p) => p,
  },
  { service: 'admin', op: 'ListReservations', change: false, fields: () => ({ network: 'net-alpha' }) },
  // search, utilization, audit, metering
  { service: 'admin', op: 'SearchNetworks', change: false, fields: () => ({ pageSize: 1000 }) },
  {
    service: 'admin',
    op: 'SearchAllocations',
    change: false,
    fields: () => ({ includeReleased: true, pageSize: 1000 }),
  },
  { service: 'admin', op: 'TenantUtilization', change: false, fields: () => ({}) },
  { service: 'admin', op: 'QueryAudit', change: false, fields: () => ({ pageSize: 1000 }) },
  { service: 'admin', op: 'TenantUsage', change: false, fields: () => ({ from: TODAY, to: TOMORROW }) },
  // users
  {
    service: 'admin',
    op: 'AddUser',
    change: true,
    fields: (who) => ({ username: `new-${who}`, password: 'a-new-password-1', role: 'admin' }),
  },
  { service: 'admin', op: 'ListUsers', change: false, fields: () => ({}) },
  {
    service: 'admin',
    op: 'SetPassword',
    change: true,
    prepare: async (who) => ({ username: await user(`sp-${who}`) }),
    fields: (_, p) => ({ ...p, password: 'another-password-1' }),
  },
  {
    service: 'admin',
    op: 'DisableUser',
    change: true,
    prepare: async (who) => ({ username: await user(`dis-${who}`) }),
    fields: (_, p) => p,
  },
  {
    service: 'admin',
    op: 'EnableUser',
    change: true,
    prepare: async (who) => ({ username: await user(`en-${who}`) }),
    fields: (_, p) => p,
  },
  {
    service: 'admin',
    op: 'RemoveUser',
    change: true,
    prepare: async (who) => ({ username: await user(`rmu-${who}`) }),
    fields: (_, p) => p,
  },
];

/** Network name → its /24 without the last octet, for addresses inside prepared networks. */
const prefixes = new Map<string, string>();
const cidrOf = (p: Fields) => prefixes.get(String(p.network))!;

/**
 * THE MATRIX. Columns: admin, orchestrator (granted data center dc1 only), tenant A, tenant B,
 * anonymous (no Security header), wrong password, replayed PasswordDigest (a nonce used before).
 * net-alpha (ListReservations) belongs to tenant A in dc1: tenant B is told it does not exist.
 */
const M = (
  admin: Outcome,
  orchestrator: Outcome,
  tenantA: Outcome,
  tenantB: Outcome,
  anonymous: Outcome,
  wrongPassword: Outcome,
  replayedDigest: Outcome,
) => ({ admin, orchestrator, tenantA, tenantB, anonymous, wrongPassword, replayedDigest }) as Record<Role, Outcome>;
const EXPECTED: Record<string, Record<Role, Outcome>> = {
  //                    admin orchestr. tenantA tenantB anon  wrongPw replay
  CommissionIP: /*   */ M(ok, ok, DENIED, DENIED, AUTH, AUTH, AUTH),
  'CommissionIP@dc2': M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  NameOnly: /*       */ M(ok, ok, DENIED, DENIED, AUTH, AUTH, AUTH),
  DecommissionIP: /* */ M(ok, ok, DENIED, DENIED, AUTH, AUTH, AUTH),
  ListAllocations: /**/ M(ok, ok, ok, ok, AUTH, AUTH, AUTH),
  CommissionIPBatch: M(
    items(ok, ok),
    items(ok, DENIED),
    items(DENIED, DENIED),
    items(DENIED, DENIED),
    AUTH,
    AUTH,
    AUTH,
  ),
  'CommissionIPBatch@atomic': M(
    items(ok, ok),
    items('BATCH_ABORTED', DENIED),
    items(DENIED, 'BATCH_ABORTED'),
    items(DENIED, 'BATCH_ABORTED'),
    AUTH,
    AUTH,
    AUTH,
  ),
  DecommissionIPBatch: M(
    items(ok, ok),
    items(ok, DENIED),
    items(DENIED, DENIED),
    items(DENIED, DENIED),
    AUTH,
    AUTH,
    AUTH,
  ),
  AddDataCenter: /*  */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  ListDataCenters: /**/ M(ok, ok, ok, ok, AUTH, AUTH, AUTH),
  RemoveDataCenter: M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  AddTenant: /*      */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  ListTenants: /*    */ M(ok, ok, ok, ok, AUTH, AUTH, AUTH),
  RemoveTenant: /*   */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  AddZone: /*        */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  ListZones: /*      */ M(ok, ok, ok, ok, AUTH, AUTH, AUTH),
  RemoveZone: /*     */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  SetZoneDns: /*     */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  ClearZoneDns: /*   */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  ListDnsZones: /*   */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  AddNetwork: /*     */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  EditNetwork: /*    */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  TagNetwork: /*     */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  RemoveNetwork: /*  */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  SplitNetwork: /*   */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  MergeNetworks: /*  */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  ReserveRange: /*   */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  UnreserveRange: /* */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  ListReservations: M(ok, ok, ok, HIDDEN, AUTH, AUTH, AUTH),
  SearchNetworks: /* */ M(ok, ok, ok, ok, AUTH, AUTH, AUTH),
  SearchAllocations: M(ok, ok, ok, ok, AUTH, AUTH, AUTH),
  TenantUtilization: M(ok, ok, ok, ok, AUTH, AUTH, AUTH),
  QueryAudit: /*     */ M(ok, ok, ok, ok, AUTH, AUTH, AUTH),
  TenantUsage: /*    */ M(ok, ok, ok, ok, AUTH, AUTH, AUTH),
  AddUser: /*        */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  ListUsers: /*      */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  SetPassword: /*    */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  DisableUser: /*    */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  EnableUser: /*     */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
  RemoveUser: /*     */ M(ok, DENIED, DENIED, DENIED, AUTH, AUTH, AUTH),
};

/** What each tenant (and the orchestrator, limited to dc1) owns: none of it may reach the others. */
const MARKS = {
  alpha: ['tenant-alpha', 'net-alpha', '10.10.', 'host-alpha', 'vm-alpha'],
  bravo: ['tenant-bravo', 'net-bravo', '10.20.', 'host-bravo', 'vm-bravo'],
  charlie: ['net-charlie', '10.30.', 'host-charlie', 'vm-charlie'], // dc2, no tenant
};
const MUST_NOT_SEE: Partial<Record<Role, string[]>> = {
  tenantA: [...MARKS.bravo, ...MARKS.charlie],
  tenantB: [...MARKS.alpha, ...MARKS.charlie],
  orchestrator: MARKS.charlie,
};

const CREDS: Record<Role, Credentials | null> = {
  admin: ROOT_USER,
  orchestrator: { username: 'orch', password: 'orchestrator-pw-1' },
  tenantA: { username: 'user-alpha', password: 'tenant-alpha-pw-1' },
  tenantB: { username: 'user-bravo', password: 'tenant-bravo-pw-1' },
  anonymous: null,
  wrongPassword: { username: ROOT_USER.username, password: 'not-the-root-password' },
  replayedDigest: null, // set in beforeAll: root's digest token, already used once
};

const USERNAMES: Partial<Record<Role, string>> = {
  admin: 'root',
  orchestrator: 'orch',
  tenantA: 'user-alpha',
  tenantB: 'user-bravo',
};

beforeAll(async () => {
  f = await openAdminFixture('postgres');
  const s = f.db.store;
  await addDataCenter(s, 'dc1');
  await addDataCenter(s, 'dc2');
  await addTenant(s, 'tenant-alpha');
  await addTenant(s, 'tenant-bravo');
  await addZone(s, 'dc1.test');
  await addZone(s, 'dc2.test');
  await addNetwork(s, {
    name: 'net-alpha',
    cidr: '10.10.0.0/24',
    dataCenter: 'dc1',
    vlan: 110,
    tenant: 'tenant-alpha',
    zone: 'dc1.test',
    tags: { owner: 'alpha' },
  });
  await addNetwork(s, {
    name: 'net-bravo',
    cidr: '10.20.0.0/24',
    dataCenter: 'dc1',
    vlan: 120,
    tenant: 'tenant-bravo',
    zone: 'dc1.test',
    tags: { owner: 'bravo' },
  });
  await addNetwork(s, { name: 'net-charlie', cidr: '10.30.0.0/24', dataCenter: 'dc2', vlan: 130, zone: 'dc2.test' });
  for (const [who, vlan, dc] of [
    ['alpha', 110, 'dc1'],
    ['bravo', 120, 'dc1'],
    ['charlie', 130, 'dc2'],
  ] as const) {
    await commission(s, {
      dataCenter: dc,
      vlan,
      serverInstance: `vm-${who}`,
      wantAddress: true,
      wantName: true,
      hostnameHint: `host-${who}`,
      family: 4,
    });
  }
  await reserveRange(s, 'net-alpha', { first: '10.10.0.200', note: 'alpha appliances' });
  await reserveRange(s, 'net-bravo', { first: '10.20.0.200', note: 'bravo appliances' });
  await addUser(s, {
    username: 'orch',
    password: 'orchestrator-pw-1',
    role: 'orchestrator',
    grants: [{ dataCenter: 'dc1' }],
  });
  await addUser(s, { username: 'user-alpha', password: 'tenant-alpha-pw-1', role: 'tenant', tenant: 'tenant-alpha' });
  await addUser(s, { username: 'user-bravo', password: 'tenant-bravo-pw-1', role: 'tenant', tenant: 'tenant-bravo' });

  // Root's PasswordDigest token works once; the same token again is a replay.
  const token: Credentials = {
    ...ROOT_USER,
    digest: true,
    nonce: Buffer.from('isolation-nonce-1').toString('base64'),
    created: new Date().toISOString(),
  };
  const first = await f.admin('ListZones', {}, token);
  expect(first.fault).toBeUndefined();
  CREDS.replayedDigest = token;
  watch = new AuditWatch(f);
});
afterAll(() => f?.close());

test('the matrix covers every operation of both services', () => {
  const covered = new Set(CELLS.map((c) => c.op.split('@')[0]));
  expect([...covered].sort()).toEqual([...COMMISSIONING.operations, ...MANAGEMENT.operations].sort());
  expect(Object.keys(EXPECTED).sort()).toEqual(CELLS.map((c) => c.op).sort());
});

describe.each(CELLS.map((c) => [c.op, c] as const))('%s', (_name, cell) => {
  test.each(ROLES.map((r) => [r, EXPECTED[cell.op][r]] as const))('%s: %s', async (who, expected) => {
    const prepared = cell.prepare ? await cell.prepare(who) : {};
    await watch.mark();
    const fields = cell.fields(who, prepared);
    const op = cell.op.split('@')[0];
    const creds = CREDS[who];
    const reply = cell.service === 'ipcd' ? await f.ipcd(op, fields, creds) : await f.admin(op, fields, creds);
    // A batch answers each item: its outcomes in order stand for the cell's outcome.
    const perItem = expected.includes(',')
      ? all(reply.body, 'result').map((r) =>
          r.children.some((c) => c.name === 'IpcdFault') ? flat(r.children[1]).code : ok,
        )
      : null;
    const got = reply.fault ? reply.fault.code : perItem ? perItem.join(',') : ok;
    const whole = perItem ? ok : expected;
    expect({ cell: `${cell.op} × ${who}`, outcome: got, message: reply.fault?.message }).toEqual({
      cell: `${cell.op} × ${who}`,
      outcome: expected,
      message: whole === ok ? undefined : expect.any(String),
    });

    // Why authentication failed: the reason is the one this column tests.
    if (who === 'anonymous') expect(reply.fault!.message).toMatch(/requires a WS-Security UsernameToken/);
    if (who === 'wrongPassword') expect(reply.fault!.message).toMatch(/not accepted/);
    if (who === 'replayedDigest') expect(reply.fault!.message).toMatch(/replay/);

    // The audit log: a change leaves its row, a refused change a refusal row; reads and failed authentication none.
    const rows = await watch.since();
    // A batch: a row per allocation and per refused item (the items an atomic refusal rolled back: none).
    const outcomes = expected.split(',').filter((o) => o === ok || o === DENIED);
    const expectedRows = cell.change ? outcomes.map((o) => ({ operation: op, outcome: o, actor: USERNAMES[who] })) : [];
    const sorted = <T extends { outcome: string }>(x: T[]) => [...x].sort((a, b) => a.outcome.localeCompare(b.outcome));
    expect(sorted(rows.map((r) => ({ operation: r.operation, outcome: r.outcome, actor: r.actor })))).toEqual(
      sorted(expectedRows),
    );

    // Nothing of another tenant's, nor of an ungranted data center's (a refusal may repeat what the caller named).
    let answer = reply.raw;
    const named = (v: unknown): string[] =>
      typeof v === 'string'
        ? [v]
        : Array.isArray(v)
          ? v.flatMap(named)
          : v && typeof v === 'object'
            ? Object.values(v).flatMap(named)
            : [];
    for (const v of named(fields)) answer = answer.split(v).join('');
    for (const mark of MUST_NOT_SEE[who] ?? []) {
      if (answer.includes(mark))
        throw new Error(`${cell.op} × ${who} answered with '${mark}': ${reply.raw.slice(0, 2000)}`);
    }
    expect(reply.raw).not.toContain(TSIG_SECRET);
    if (expected === ok) SEES[cell.op]?.[who]?.(reply);
  });
});

/** What a scoped caller does see: its own things, and for audit rows only rows about them. */
const texts = (r: SoapReply, el: string, child: string) => all(r.body, el).map((x) => text(x, child));
const SEES: Record<string, Partial<Record<Role, (r: SoapReply) => void>>> = {
  ListAllocations: {
    tenantA: (r) => expect(texts(r, 'allocation', 'fqdn')).toContain('host-alpha.dc1.test'),
    tenantB: (r) => expect(texts(r, 'allocation', 'fqdn')).toEqual(['host-bravo.dc1.test']),
    orchestrator: (r) =>
      expect(texts(r, 'allocation', 'fqdn')).toEqual(
        expect.arrayContaining(['host-alpha.dc1.test', 'host-bravo.dc1.test']),
      ),
  },
  ListTenants: {
    tenantA: (r) => expect(texts(r, 'tenant', 'name')).toEqual(['tenant-alpha']),
    tenantB: (r) => expect(texts(r, 'tenant', 'name')).toEqual(['tenant-bravo']),
  },
  ListDnsZones: {
    admin: (r) => expect(texts(r, 'zone', 'zone')).toEqual(expect.arrayContaining(['zc-admin.test', 'zd-admin.test'])),
  },
  ListDataCenters: { orchestrator: (r) => expect(texts(r, 'dataCenter', 'name')).toEqual(['dc1']) },
  ListReservations: {
    tenantA: (r) =>
      expect(all(r.body, 'reservation').map(flat)).toEqual([
        expect.objectContaining({ network: 'net-alpha', first: '10.10.0.200' }),
      ]),
  },
  SearchNetworks: {
    tenantA: (r) => expect(texts(r, 'network', 'name')).toEqual(['net-alpha']),
    tenantB: (r) => expect(texts(r, 'network', 'name')).toEqual(['net-bravo']),
    orchestrator: (r) => expect(texts(r, 'network', 'name')).toEqual(['net-alpha', 'net-bravo']),
  },
  SearchAllocations: {
    tenantA: (r) => expect(new Set(texts(r, 'allocation', 'tenant'))).toEqual(new Set(['tenant-alpha'])),
    tenantB: (r) => expect(texts(r, 'allocation', 'fqdn')).toEqual(['host-bravo.dc1.test']),
  },
  TenantUtilization: {
    tenantA: (r) => expect(new Set(texts(r, 'tenant', 'tenant'))).toEqual(new Set(['tenant-alpha'])),
    tenantB: (r) => expect(new Set(texts(r, 'tenant', 'tenant'))).toEqual(new Set(['tenant-bravo'])),
  },
  TenantUsage: {
    tenantA: (r) => expect(new Set(texts(r, 'usage', 'tenant'))).toEqual(new Set(['tenant-alpha'])),
    tenantB: (r) => expect(texts(r, 'usage', 'tenant')).toEqual(['tenant-bravo']),
  },
  QueryAudit: {
    // Every row a tenant sees is about its own tenant, and it sees some.
    tenantA: (r) => {
      const rows = all(r.body, 'entry').map(flat);
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((e) => e.tenant))).toEqual(new Set(['tenant-alpha']));
    },
    tenantB: (r) => {
      const rows = all(r.body, 'entry').map(flat);
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((e) => e.tenant))).toEqual(new Set(['tenant-bravo']));
    },
    orchestrator: (r) =>
      expect(new Set(all(r.body, 'entry').map((e) => text(e, 'dataCenter')))).toEqual(new Set(['dc1'])),
  },
};
