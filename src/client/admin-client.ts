/**
 * IpcdAdminClient: the management contract (wsdl/ipcd-admin.wsdl, endpoint /ipcd-admin), typed:
 * topology, DNS publication, networks, containers, reservations, search, audit, metering and users. Same options, credentials,
 * timeouts and errors as IpcdClient (refusals are IpcdFaultError with the contract's code).
 *
 * Retries differ by kind of operation:
 * - Reads (List*, Search*, TenantUtilization, QueryAudit, TenantUsage) change nothing, so they are
 *   repeated like the commissioning reads: after a timeout, a lost reply, HTTP 5xx/408/429, BUSY
 *   or UNAVAILABLE.
 * - Changes (Add*, Edit*, Tag*, Remove*, Split*, Merge*, Reserve/Unreserve, Set/ClearZoneDns,
 *   SetPassword, Disable/EnableUser) are not idempotent in general: a repeated AddNetwork is a CONFLICT, a
 *   repeated ReserveRange a second reservation or a CONFLICT, a repeated RemoveNetwork with force
 *   may release what was commissioned in between; each also leaves an audit row. They are repeated
 *   only when the request certainly never reached the server (connection refused, DNS failure) or
 *   was refused with BUSY (rolled back). Otherwise the IpcdTransportError says `maybeDelivered`
 *   (and UNAVAILABLE may have come from a commit cut short): look (ListX, SearchNetworks) before
 *   trying again.
 * - AllocateNetwork is idempotent by its key (generated per call when not given), so it is
 *   repeated like a read: a retry gets the network the first attempt carved.
 *
 * Address counts are bigint: an IPv6 /64 holds 2^64 - 2 assignable addresses, a /48 2^80.
 */
import { randomUUID } from 'node:crypto';
import { DNS_STATES, type AddressFamily, type DnsState, type Intent, type ReleaseReason } from './client';
import { MANAGEMENT_NS, type Fields } from './soap';
import { omitUndefined, SoapClient, type IpcdClientOptions, type Page, type Reader } from './transport';

export type Role = 'admin' | 'orchestrator' | 'tenant';
/** Tags of a network: key → value. */
export type Tags = Record<string, string>;

export interface DataCenterInfo {
  name: string;
  description?: string;
}

export interface TenantInfo {
  name: string;
  description?: string;
}

export interface ZoneInfo {
  name: string;
}

/** Where a zone (or the reverse zone of a prefix) is published by TSIG-signed dynamic update. */
export interface ZoneDnsSpec {
  /** host, host:port or [IPv6]:port of the primary (port 53 by default). */
  server: string;
  /** The base64 TSIG secret, or the key file tsig-keygen writes. Write-only: never returned. */
  secret: string;
  /** Required unless `secret` is key-file text that names the key. */
  keyName?: string;
  /** hmac-sha256 (server default), hmac-sha384 or hmac-sha512. */
  algorithm?: string;
  /** TTL of the published records; server default 300. */
  ttl?: number;
}

/** A zone's DNS settings as listed: never the secret. */
export interface DnsZoneInfo {
  kind: 'forward' | 'reverse';
  zone: string;
  /** Reverse zones: the prefix whose PTR records go to it. */
  prefix?: string;
  /** host:port; absent when the zone is not published. */
  server?: string;
  keyName?: string;
  algorithm?: string;
  ttl?: number;
  /** Whether the secret is stored sealed under the server's IPCD_SECRET_KEY. */
  sealed?: boolean;
}

export interface NetworkSpec {
  name: string;
  /** With no host bits set, e.g. 10.0.0.0/24 or 2001:db8::/64. */
  cidr: string;
  dataCenter: string;
  /** Absent: reachable only as the data center's reserve pool or a tenant alternate. */
  vlan?: number;
  vxlan?: number;
  tenant?: string;
  /** Lower first; server default 100. */
  priority?: number;
  /** The default zone names are issued in. */
  zone?: string;
  /** Default: the first host address; null: the network has no gateway. */
  gateway?: string | null;
  reservePool?: boolean;
  /** Server default vm-{seq:6}. */
  namePattern?: string;
  /** Seconds a released address waits before it is issued again; server default 0. */
  holdDownSeconds?: number;
  tags?: Tags;
}

/** What EditNetwork changes: only what is given; null removes an optional attribute. */
export interface NetworkChanges {
  newName?: string;
  vxlan?: number | null;
  tenant?: string | null;
  priority?: number;
  zone?: string | null;
  gateway?: string | null;
  reservePool?: boolean;
  namePattern?: string;
  holdDownSeconds?: number;
  /** Replaces every tag; {} removes them all. */
  tags?: Tags;
}

/** A network with its attributes and utilization (free = assignable - used - held - reserved). */
export interface NetworkInfo {
  name: string;
  cidr: string;
  family: AddressFamily;
  dataCenter: string;
  vlan?: number;
  vxlan?: number;
  tenant?: string;
  priority: number;
  zone?: string;
  gateway?: string;
  reservePool: boolean;
  namePattern: string;
  holdDownSeconds: number;
  tags: Tags;
  /** Excludes the network, IPv4 broadcast and gateway addresses. */
  assignable: bigint;
  used: bigint;
  /** Released addresses waiting out the hold-down. */
  held: bigint;
  reserved: bigint;
  free: bigint;
  /** Used as a percentage of assignable, two decimals. */
  percentUsed: number;
}

export interface RemovedNetwork {
  network: string;
  cidr: string;
  /** Allocations released by `force` (reason NETWORK_REMOVED). */
  releasedCount: number;
}

export interface ContainerSpec {
  name: string;
  /** The prefix networks are carved from, e.g. 10.64.0.0/16 or 2001:db8:64::/48. */
  cidr: string;
  dataCenter: string;
  /** Networks carved from it belong to this tenant. */
  tenant?: string;
  description?: string;
}

/** A container with how much of it networks use (any VLAN, carved or added by hand). */
export interface ContainerInfo {
  name: string;
  cidr: string;
  family: AddressFamily;
  dataCenter: string;
  tenant?: string;
  description?: string;
  size: bigint;
  used: bigint;
  percentUsed: number;
  networks: { name: string; cidr: string; vlan?: number; carved: boolean }[];
}

/** What AllocateNetwork creates, besides the prefix it carves. */
export interface CarveSpec {
  container: string;
  prefixLength: number;
  name: string;
  vlan?: number;
  vxlan?: number;
  /** Default: the container's tenant. */
  tenant?: string;
  zone?: string;
  tags?: Tags;
  /** A repeat with the same key returns the same network; default: a new UUID for this call (its retries reuse it). */
  idempotencyKey?: string;
}

export interface CarvedNetwork {
  network: NetworkInfo;
  container: string;
  /** True when the key had carved it before. */
  existing: boolean;
}

export interface Reservation {
  id: string;
  network: string;
  first: string;
  last: string;
  note?: string;
  createdAt: Date;
}

export interface RangeToReserve {
  first: string;
  /** Default: first (one address). */
  last?: string;
  note?: string;
}

interface Paging {
  /** Rows per page, 1 to 1000 (server default 100). */
  pageSize?: number;
  /** The nextPage of the previous page. */
  after?: string;
}

export interface NetworkQuery {
  dataCenter?: string;
  vlan?: number;
  tenant?: string;
  tagKey?: string;
  tagValue?: string;
  /** Networks containing this address. */
  address?: string;
  /** Part of the name, case-insensitive. */
  name?: string;
  pageSize?: number;
}

export interface NetworkPage {
  networks: NetworkInfo[];
  nextPage?: string;
}

export interface AllocationQuery {
  dataCenter?: string;
  vlan?: number;
  tenant?: string;
  network?: string;
  tagKey?: string;
  tagValue?: string;
  address?: string;
  /** A host name or FQDN. */
  name?: string;
  serverInstance?: string;
  /** Released allocations too (default: active only). */
  includeReleased?: boolean;
  pageSize?: number;
}

/** An allocation as the management service shows it, released ones included. */
export interface AllocationRecord {
  allocationId: string;
  /** Absent once the network was removed. */
  network?: string;
  dataCenter: string;
  vlan: number;
  tenant?: string;
  serverInstance: string;
  intent: Intent;
  address?: string;
  fqdn?: string;
  createdAt: Date;
  releasedAt?: Date;
  releaseReason?: ReleaseReason | 'NETWORK_REMOVED';
  /** Publication of its records (see docs/dns.md). */
  dns?: { state: DnsState; detail?: string };
}

export interface AllocationRecordPage {
  allocations: AllocationRecord[];
  nextPage?: string;
}

export interface TenantTotals {
  tenant: string;
  /** IPv4 and IPv6 are totalled apart. */
  family: AddressFamily;
  networks: number;
  assignable: bigint;
  used: bigint;
  free: bigint;
  percentUsed: number;
}

export interface AuditQuery {
  user?: string;
  operation?: string;
  objectType?: string;
  objectId?: string;
  serverInstance?: string;
  since?: Date | string;
  until?: Date | string;
  pageSize?: number;
  /** Newest entries first (the default is oldest first). */
  newestFirst?: boolean;
}

export interface AuditEntry {
  id: string;
  at: Date;
  user: string;
  role: string;
  operation: string;
  objectType: string;
  objectId?: string;
  dataCenter?: string;
  tenant?: string;
  serverInstance?: string;
  /** The object before the change (parsed JSON). */
  before?: unknown;
  /** The object after the change, or the refusal's message (parsed JSON). */
  after?: unknown;
  /** 'ok', or the fault code of a refused change. */
  outcome: string;
  requestId?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextPage?: string;
}

export interface UsageQuery {
  tenant?: string;
  /** First UTC day (inclusive): 2026-11-01, or a Date (its UTC day). */
  from: string | Date;
  /** Last UTC day (exclusive); at most 366 days after from. */
  to: string | Date;
}

export interface UsageDay {
  tenant: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** Allocations active that day. */
  allocations: number;
  addressHours: number;
}

export interface TenantUsageReport {
  usage: UsageDay[];
  /** The same rows as RFC 4180 CSV (tenant,day,allocations,address_hours), for chargeback. */
  csv: string;
}

/** An orchestrator may commission in this data center, for this tenant's networks, or both. */
export interface Grant {
  dataCenter?: string;
  tenant?: string;
}

export interface UserSpec {
  username: string;
  /** 12 to 1024 characters. */
  password: string;
  role: Role;
  /** Required for the tenant role, refused for the others. */
  tenant?: string;
  /** Orchestrators only. */
  grants?: Grant[];
  /** Also accept PasswordDigest (the server needs IPCD_SECRET_KEY). */
  digest?: boolean;
}

export interface UserInfo {
  username: string;
  role: Role;
  tenant?: string;
  grants: Grant[];
  disabled: boolean;
}

const ROLES = ['admin', 'orchestrator', 'tenant'] as const;

export class IpcdAdminClient extends SoapClient {
  /** `url` is the management endpoint, e.g. http://ipcd:8080/ipcd-admin. */
  constructor(options: IpcdClientOptions) {
    super(options, MANAGEMENT_NS);
  }

  // --- data centers, tenants, zones ----------------------------------------------------------

  async addDataCenter(name: string, description?: string): Promise<DataCenterInfo> {
    return described((await this.change('AddDataCenter', [['name', name], ['description', description]])).one('dataCenter'));
  }

  async listDataCenters(): Promise<DataCenterInfo[]> {
    return (await this.read('ListDataCenters', [])).all('dataCenter').map(described);
  }

  /** Refused with CONFLICT while a network, user grant or allocation refers to it. */
  async removeDataCenter(name: string): Promise<void> {
    (await this.change('RemoveDataCenter', [['name', name]])).str('name');
  }

  async addTenant(name: string, description?: string): Promise<TenantInfo> {
    return described((await this.change('AddTenant', [['name', name], ['description', description]])).one('tenant'));
  }

  async listTenants(): Promise<TenantInfo[]> {
    return (await this.read('ListTenants', [])).all('tenant').map(described);
  }

  async removeTenant(name: string): Promise<void> {
    (await this.change('RemoveTenant', [['name', name]])).str('name');
  }

  async addZone(name: string): Promise<ZoneInfo> {
    return { name: (await this.change('AddZone', [['name', name]])).one('zone').str('name') };
  }

  async listZones(): Promise<ZoneInfo[]> {
    return (await this.read('ListZones', [])).all('zone').map((z) => ({ name: z.str('name') }));
  }

  async removeZone(name: string): Promise<void> {
    (await this.change('RemoveZone', [['name', name]])).str('name');
  }

  // --- DNS publication -----------------------------------------------------------------------

  /** `zone`: a forward zone, or a prefix such as 10.0.0.0/8 (its reverse zone is created on first use). */
  async setZoneDns(zone: string, spec: ZoneDnsSpec): Promise<DnsZoneInfo> {
    const fields: Fields = [
      ['zone', zone],
      ['server', spec.server],
      ['keyName', spec.keyName],
      ['algorithm', spec.algorithm],
      ['secret', spec.secret],
      ['ttl', spec.ttl],
    ];
    return dnsZone((await this.change('SetZoneDns', fields)).one('zone'));
  }

  /** Stops publishing a zone (or removes a reverse zone); records already published stay. */
  async clearZoneDns(zone: string): Promise<DnsZoneInfo> {
    return dnsZone((await this.change('ClearZoneDns', [['zone', zone]])).one('zone'));
  }

  async listDnsZones(): Promise<DnsZoneInfo[]> {
    return (await this.read('ListDnsZones', [])).all('zone').map(dnsZone);
  }

  // --- networks --------------------------------------------------------------------------------

  async addNetwork(spec: NetworkSpec): Promise<NetworkInfo> {
    const fields: Fields = [
      ['name', spec.name],
      ['cidr', spec.cidr],
      ['dataCenter', spec.dataCenter],
      ['vlan', spec.vlan],
      ['vxlan', spec.vxlan],
      ['tenant', spec.tenant],
      ['priority', spec.priority],
      ['zone', spec.zone],
      ['gateway', spec.gateway ?? undefined],
      ['noGateway', spec.gateway === null ? true : undefined],
      ['reservePool', spec.reservePool],
      ['namePattern', spec.namePattern],
      ['holdDownSeconds', spec.holdDownSeconds],
      ...tagFields('tag', spec.tags),
    ];
    return network((await this.change('AddNetwork', fields)).one('network'));
  }

  async editNetwork(name: string, changes: NetworkChanges): Promise<NetworkInfo> {
    const cleared = (['vxlan', 'tenant', 'zone', 'gateway'] as const).filter((k) => changes[k] === null);
    const noTags = changes.tags !== undefined && Object.keys(changes.tags).length === 0;
    const fields: Fields = [
      ['network', name],
      ['newName', changes.newName],
      ['vxlan', changes.vxlan ?? undefined],
      ['tenant', changes.tenant ?? undefined],
      ['priority', changes.priority],
      ['zone', changes.zone ?? undefined],
      ['gateway', changes.gateway ?? undefined],
      ['reservePool', changes.reservePool],
      ['namePattern', changes.namePattern],
      ['holdDownSeconds', changes.holdDownSeconds],
      ...tagFields('tag', changes.tags),
      ...[...cleared, ...(noTags ? ['tags'] : [])].map((c): [string, string] => ['clear', c]),
    ];
    return network((await this.change('EditNetwork', fields)).one('network'));
  }

  /** Sets (adds or overwrites) and removes tags; the others stay. */
  async tagNetwork(name: string, tags: { set?: Tags; remove?: string[] }): Promise<NetworkInfo> {
    const fields: Fields = [['network', name], ...tagFields('set', tags.set), ...(tags.remove ?? []).map((k): [string, string] => ['remove', k])];
    return network((await this.change('TagNetwork', fields)).one('network'));
  }

  /** NETWORK_IN_USE while allocations are active, unless `force`, which releases them. */
  async removeNetwork(name: string, options: { force?: boolean } = {}): Promise<RemovedNetwork> {
    const r = await this.change('RemoveNetwork', [['network', name], ['force', options.force]]);
    return { network: r.str('network'), cidr: r.str('cidr'), releasedCount: r.int('releasedCount') };
  }

  /** Into the subnets of a longer prefix (at most 256); allocations and reservations move along. */
  async splitNetwork(name: string, prefixLength: number, names?: string[]): Promise<NetworkInfo[]> {
    const fields: Fields = [['network', name], ['prefixLength', prefixLength], ...(names ?? []).map((n): [string, string] => ['name', n])];
    return (await this.change('SplitNetwork', fields)).all('network').map(network);
  }

  /** Adjacent siblings with the same attributes and tags, back into their parent (MERGE_REFUSED otherwise). */
  async mergeNetworks(names: string[], name?: string): Promise<NetworkInfo> {
    const fields: Fields = [...names.map((n): [string, string] => ['network', n]), ['name', name]];
    return network((await this.change('MergeNetworks', fields)).one('network'));
  }

  // --- containers ------------------------------------------------------------------------------

  async addContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    const fields: Fields = [['name', spec.name], ['cidr', spec.cidr], ['dataCenter', spec.dataCenter], ['tenant', spec.tenant], ['description', spec.description]];
    return container((await this.change('AddContainer', fields)).one('container'));
  }

  async listContainers(q: { dataCenter?: string } = {}): Promise<ContainerInfo[]> {
    return (await this.read('ListContainers', [['dataCenter', q.dataCenter]])).all('container').map(container);
  }

  /** Only an empty container (CONFLICT while a network lies inside it). */
  async removeContainer(name: string): Promise<void> {
    (await this.change('RemoveContainer', [['name', name]])).str('name');
  }

  /** Carves the lowest free /prefixLength of the container and adds it as a network (NO_FREE_PREFIX when none is left). */
  async allocateNetwork(spec: CarveSpec): Promise<CarvedNetwork> {
    const fields: Fields = [
      ['container', spec.container],
      ['prefixLength', spec.prefixLength],
      ['name', spec.name],
      ['vlan', spec.vlan],
      ['vxlan', spec.vxlan],
      ['tenant', spec.tenant],
      ['zone', spec.zone],
      ...tagFields('tag', spec.tags),
      ['idempotencyKey', spec.idempotencyKey ?? randomUUID()],
    ];
    // Idempotent by its key: safe to repeat like a read.
    const r = await this.call('AllocateNetwork', fields, true);
    return { network: network(r.one('network')), container: r.str('container'), existing: r.bool('existing', false) };
  }

  // --- reservations ----------------------------------------------------------------------------

  /** Addresses never handed out (statics, appliances). */
  async reserveRange(networkName: string, range: RangeToReserve): Promise<Reservation> {
    const fields: Fields = [['network', networkName], ['first', range.first], ['last', range.last], ['note', range.note]];
    return reservation((await this.change('ReserveRange', fields)).one('reservation'));
  }

  async unreserveRange(networkName: string, id: string): Promise<Reservation> {
    return reservation((await this.change('UnreserveRange', [['network', networkName], ['id', id]])).one('reservation'));
  }

  async listReservations(networkName: string): Promise<Reservation[]> {
    return (await this.read('ListReservations', [['network', networkName]])).all('reservation').map(reservation);
  }

  // --- search and utilization ------------------------------------------------------------------

  async searchNetworks(q: NetworkQuery & Paging = {}): Promise<NetworkPage> {
    const fields: Fields = [
      ['dataCenter', q.dataCenter],
      ['vlan', q.vlan],
      ['tenant', q.tenant],
      ['tagKey', q.tagKey],
      ['tagValue', q.tagValue],
      ['address', q.address],
      ['name', q.name],
      ['pageSize', q.pageSize],
      ['after', q.after],
    ];
    const r = await this.read('SearchNetworks', fields);
    return omitUndefined({ networks: r.all('network').map(network), nextPage: r.opt('nextPage') });
  }

  /** Every network matching the query, page after page. */
  allNetworks(q: NetworkQuery = {}): AsyncGenerator<NetworkInfo, void, undefined> {
    return this.pages('SearchNetworks', async (after) => {
      const p = await this.searchNetworks({ ...q, after });
      return { items: p.networks, nextPage: p.nextPage };
    });
  }

  async searchAllocations(q: AllocationQuery & Paging = {}): Promise<AllocationRecordPage> {
    const fields: Fields = [
      ['dataCenter', q.dataCenter],
      ['vlan', q.vlan],
      ['tenant', q.tenant],
      ['network', q.network],
      ['tagKey', q.tagKey],
      ['tagValue', q.tagValue],
      ['address', q.address],
      ['name', q.name],
      ['serverInstance', q.serverInstance],
      ['includeReleased', q.includeReleased],
      ['pageSize', q.pageSize],
      ['after', q.after],
    ];
    const r = await this.read('SearchAllocations', fields);
    return omitUndefined({ allocations: r.all('allocation').map(allocation), nextPage: r.opt('nextPage') });
  }

  /** Every allocation matching the query, page after page. */
  allAllocations(q: AllocationQuery = {}): AsyncGenerator<AllocationRecord, void, undefined> {
    return this.pages('SearchAllocations', async (after) => {
      const p = await this.searchAllocations({ ...q, after });
      return { items: p.allocations, nextPage: p.nextPage };
    });
  }

  /** Totals per tenant and address family over the networks the caller may see. */
  async tenantUtilization(): Promise<TenantTotals[]> {
    return (await this.read('TenantUtilization', [])).all('tenant').map((t) => ({
      tenant: t.str('tenant'),
      family: t.enum('family', ['IPv4', 'IPv6'] as const),
      networks: t.int('networks'),
      assignable: t.bigint('assignable'),
      used: t.bigint('used'),
      free: t.bigint('free'),
      percentUsed: t.decimal('percentUsed'),
    }));
  }

  // --- audit and metering ----------------------------------------------------------------------

  async queryAudit(q: AuditQuery & Paging = {}): Promise<AuditPage> {
    const fields: Fields = [
      ['user', q.user],
      ['operation', q.operation],
      ['objectType', q.objectType],
      ['objectId', q.objectId],
      ['serverInstance', q.serverInstance],
      ['since', q.since instanceof Date ? q.since.toISOString() : q.since],
      ['until', q.until instanceof Date ? q.until.toISOString() : q.until],
      ['pageSize', q.pageSize],
      ['after', q.after],
      ['newestFirst', q.newestFirst],
    ];
    const r = await this.read('QueryAudit', fields);
    return omitUndefined({ entries: r.all('entry').map(auditEntry), nextPage: r.opt('nextPage') });
  }

  /** Every audit entry matching the query, oldest first, page after page. */
  allAuditEntries(q: AuditQuery = {}): AsyncGenerator<AuditEntry, void, undefined> {
    return this.pages('QueryAudit', async (after) => {
      const p = await this.queryAudit({ ...q, after });
      return { items: p.entries, nextPage: p.nextPage };
    });
  }

  /** Per tenant and UTC day: allocations active and address-hours, also as CSV. */
  async tenantUsage(q: UsageQuery): Promise<TenantUsageReport> {
    const r = await this.read('TenantUsage', [
      ['tenant', q.tenant],
      ['from', utcDay(q.from)],
      ['to', utcDay(q.to)],
    ]);
    return {
      usage: r.all('usage').map((u) => ({ tenant: u.str('tenant'), day: u.str('day').trim(), allocations: u.int('allocations'), addressHours: u.decimal('addressHours') })),
      csv: r.str('csv'),
    };
  }

  // --- users -----------------------------------------------------------------------------------

  async addUser(spec: UserSpec): Promise<{ username: string; role: Role }> {
    const fields: Fields = [
      ['username', spec.username],
      ['password', spec.password],
      ['role', spec.role],
      ['tenant', spec.tenant],
      ...(spec.grants ?? []).map((g): [string, Fields] => [
        'grant',
        [
          ['dataCenter', g.dataCenter],
          ['tenant', g.tenant],
        ],
      ]),
      ['digest', spec.digest],
    ];
    const r = await this.change('AddUser', fields);
    return { username: r.str('username'), role: r.enum('role', ROLES) };
  }

  async listUsers(): Promise<UserInfo[]> {
    return (await this.read('ListUsers', [])).all('user').map((u) =>
      omitUndefined({
        username: u.str('username'),
        role: u.enum('role', ROLES),
        tenant: u.opt('tenant'),
        grants: u.all('grant').map((g) => omitUndefined({ dataCenter: g.opt('dataCenter'), tenant: g.opt('tenant') })),
        disabled: u.bool('disabled', false),
      }),
    );
  }

  /** Administrators, or a user its own. */
  async setPassword(username: string, password: string): Promise<void> {
    (await this.change('SetPassword', [['username', username], ['password', password]])).str('username');
  }

  /** Refuses the user's calls from now on, keeping the account. */
  async disableUser(username: string): Promise<void> {
    (await this.change('DisableUser', [['username', username]])).str('username');
  }

  async enableUser(username: string): Promise<void> {
    (await this.change('EnableUser', [['username', username]])).str('username');
  }

  /** Its audit rows stay. */
  async removeUser(username: string): Promise<void> {
    (await this.change('RemoveUser', [['username', username]])).str('username');
  }

  /** A read: repeated on failures like any safe call. */
  private read(operation: string, fields: Fields): Promise<Reader> {
    return this.call(operation, fields, true);
  }

  /** A change: repeated only when it certainly never arrived, or was rolled back (BUSY). */
  private change(operation: string, fields: Fields): Promise<Reader> {
    return this.call(operation, fields, false);
  }
}

/** Repeated tns:Tag elements named `element`, in key order (as the server lists them). */
function tagFields(element: string, tags: Tags | undefined): Fields {
  return Object.entries(tags ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]): [string, Fields] => [
      element,
      [
        ['key', key],
        ['value', value],
      ],
    ]);
}

/** xsd:date of a UTC day; a string is passed as given (the server says what it refuses). */
const utcDay = (d: string | Date) => (d instanceof Date ? d.toISOString().slice(0, 10) : d);

const described = (r: Reader) => omitUndefined({ name: r.str('name'), description: r.opt('description') });

function network(r: Reader): NetworkInfo {
  return omitUndefined({
    name: r.str('name'),
    cidr: r.str('cidr'),
    family: r.enum('family', ['IPv4', 'IPv6'] as const),
    dataCenter: r.str('dataCenter'),
    vlan: r.optInt('vlan'),
    vxlan: r.optInt('vxlan'),
    tenant: r.opt('tenant'),
    priority: r.int('priority'),
    zone: r.opt('zone'),
    gateway: r.opt('gateway'),
    reservePool: r.bool('reservePool', false),
    namePattern: r.str('namePattern'),
    holdDownSeconds: r.int('holdDownSeconds'),
    tags: Object.fromEntries(r.all('tag').map((t) => [t.str('key'), t.opt('value') ?? ''])),
    assignable: r.bigint('assignable'),
    used: r.bigint('used'),
    held: r.bigint('held'),
    reserved: r.bigint('reserved'),
    free: r.bigint('free'),
    percentUsed: r.decimal('percentUsed'),
  });
}

const container = (r: Reader): ContainerInfo =>
  omitUndefined({
    name: r.str('name'),
    cidr: r.str('cidr'),
    family: r.enum('family', ['IPv4', 'IPv6'] as const),
    dataCenter: r.str('dataCenter'),
    tenant: r.opt('tenant'),
    description: r.opt('description'),
    size: r.bigint('size'),
    used: r.bigint('used'),
    percentUsed: r.decimal('percentUsed'),
    networks: r.all('network').map((n) => omitUndefined({ name: n.str('name'), cidr: n.str('cidr'), vlan: n.optInt('vlan'), carved: n.bool('carved', false) })),
  });

const dnsZone = (z: Reader): DnsZoneInfo =>
  omitUndefined({
    kind: z.enum('kind', ['forward', 'reverse'] as const),
    zone: z.str('zone'),
    prefix: z.opt('prefix'),
    server: z.opt('server'),
    keyName: z.opt('keyName'),
    algorithm: z.opt('algorithm'),
    ttl: z.optInt('ttl'),
    sealed: z.opt('sealed') === undefined ? undefined : z.bool('sealed', false),
  });

const reservation = (r: Reader): Reservation =>
  omitUndefined({ id: r.str('id'), network: r.str('network'), first: r.str('first'), last: r.str('last'), note: r.opt('note'), createdAt: r.date('createdAt') });

const allocation = (a: Reader): AllocationRecord =>
  omitUndefined({
    allocationId: a.str('allocationId'),
    network: a.opt('network'),
    dataCenter: a.str('dataCenter'),
    vlan: a.int('vlan'),
    tenant: a.opt('tenant'),
    serverInstance: a.str('serverInstance'),
    intent: a.enum('intent', ['IPv4', 'IPv6', 'NAME'] as const),
    address: a.opt('address'),
    fqdn: a.opt('fqdn'),
    createdAt: a.date('createdAt'),
    releasedAt: a.optDate('releasedAt'),
    releaseReason: a.optEnum('releaseReason', ['DELETED', 'MIGRATED', 'NETWORK_REMOVED'] as const),
    dns: a.all('dns').map((d) => omitUndefined({ state: d.enum('state', DNS_STATES), detail: d.opt('detail') }))[0],
  });

const auditEntry = (e: Reader): AuditEntry =>
  omitUndefined({
    id: e.str('id'),
    at: e.date('at'),
    user: e.str('user'),
    role: e.str('role'),
    operation: e.str('operation'),
    objectType: e.str('objectType'),
    objectId: e.opt('objectId'),
    dataCenter: e.opt('dataCenter'),
    tenant: e.opt('tenant'),
    serverInstance: e.opt('serverInstance'),
    before: e.optJson('before'),
    after: e.optJson('after'),
    outcome: e.str('outcome'),
    requestId: e.opt('requestId'),
  });
