/**
 * IpcdAdminClient: the management contract (wsdl/ipcd-admin.wsdl, endpoint /ipcd-admin), typed:
 * topology, DNS publication, networks, reservations, search, audit, metering and users. Same options, credentials,
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
 *
 * Address counts are bigint: an IPv6 /64 holds 2^64 - 2 assignable addresses, a /48 2^80. The
 * element order and types are the contract's (src/contract, generated from the WSDL).
 */
import { management as wsdl } from '../contract';
import type { Decoded, Encodable } from './codec';
import { IpcdTransportError } from './errors';
import { omitUndefined, SoapClient, type IpcdClientOptions } from './transport';

type In = wsdl.Operations<Encodable>;
type Out = wsdl.Operations<Decoded>;
/** The address counts, decimal strings on the wire, as bigint. */
type Counts = 'assignable' | 'used' | 'held' | 'reserved' | 'free';

export type Role = wsdl.Role;
/** Tags of a network: key → value. */
export type Tags = Record<string, string>;
export type DataCenterInfo = wsdl.DataCenter;
export type TenantInfo = wsdl.Tenant;
export type ZoneInfo = wsdl.Zone;
/** Where a zone (or the reverse zone of a prefix) is published by TSIG-signed dynamic update; the secret is write-only. */
export type ZoneDnsSpec = Omit<wsdl.SetZoneDns, 'zone'>;
/** A zone's DNS settings as listed: never the secret. */
export type DnsZoneInfo = wsdl.DnsZone;

/** AddNetwork's request, with tags as a map and gateway null for a network without one. */
export interface NetworkSpec extends Omit<wsdl.AddNetwork, 'gateway' | 'noGateway' | 'tag'> {
  /** Default: the first host address; null: the network has no gateway. */
  gateway?: string | null;
  tags?: Tags;
}

/** What EditNetwork changes: only what is given; null removes an optional attribute. */
export interface NetworkChanges extends Omit<
  wsdl.EditNetwork,
  'network' | 'vxlan' | 'tenant' | 'zone' | 'gateway' | 'tag' | 'clear'
> {
  vxlan?: number | null;
  tenant?: string | null;
  zone?: string | null;
  gateway?: string | null;
  /** Replaces every tag; {} removes them all. */
  tags?: Tags;
}

/** A network with its attributes and utilization (free = assignable - used - held - reserved), counts as bigint. */
export type NetworkInfo = Omit<wsdl.Network<Decoded>, 'tag' | Counts> & { tags: Tags } & Record<Counts, bigint>;
export type RemovedNetwork = wsdl.RemoveNetworkResponse;
export type Reservation = wsdl.Reservation<Decoded>;
export type RangeToReserve = Omit<wsdl.ReserveRange, 'network'>;

interface Paging {
  /** Rows per page, 1 to 1000 (server default 100). */
  pageSize?: number;
  /** The nextPage of the previous page. */
  after?: string;
}

export type NetworkQuery = Omit<wsdl.SearchNetworks, 'after'>;
export interface NetworkPage {
  networks: NetworkInfo[];
  nextPage?: string;
}

export type AllocationQuery = Omit<wsdl.SearchAllocations, 'after'>;
/** An allocation as the management service shows it, released ones included. */
export type AllocationRecord = wsdl.Allocation<Decoded>;
export interface AllocationRecordPage {
  allocations: AllocationRecord[];
  nextPage?: string;
}

/** Totals per tenant and address family (IPv4 and IPv6 apart), counts as bigint. */
export type TenantTotals = Omit<wsdl.TenantTotals<Decoded>, 'assignable' | 'used' | 'free'> &
  Record<'assignable' | 'used' | 'free', bigint>;

export type AuditQuery = Omit<wsdl.QueryAudit<Encodable>, 'after'>;
/** An audit entry; before and after: the object before and after the change (or the refusal's message), parsed JSON. */
export type AuditEntry = Omit<wsdl.AuditEntry<Decoded>, 'before' | 'after'> & { before?: unknown; after?: unknown };
export interface AuditPage {
  entries: AuditEntry[];
  nextPage?: string;
}

/** from: the first UTC day (inclusive), to: the last (exclusive), as 2026-11-01 or a Date (its UTC day); at most 366 days. */
export type UsageQuery = wsdl.TenantUsage<Encodable>;
export type UsageDay = wsdl.UsageDay<Decoded>;
export type TenantUsageReport = wsdl.TenantUsageResponse<Decoded>;

/** An orchestrator may commission in this data center, for this tenant's networks, or both. */
export type Grant = wsdl.Grant;
export type UserSpec = Omit<wsdl.AddUser, 'grant'> & { grants?: Grant[] };
export type UserInfo = Omit<wsdl.User, 'grant'> & { grants: Grant[] };

export class IpcdAdminClient extends SoapClient<In, Out> {
  /** `url` is the management endpoint, e.g. http://ipcd:8080/ipcd-admin. */
  constructor(options: IpcdClientOptions) {
    super(options, wsdl.CONTRACT);
  }

  // --- data centers, tenants, zones ----------------------------------------------------------

  async addDataCenter(name: string, description?: string): Promise<DataCenterInfo> {
    return (await this.change('AddDataCenter', { name, description })).dataCenter;
  }

  async listDataCenters(): Promise<DataCenterInfo[]> {
    return (await this.read('ListDataCenters', {})).dataCenter;
  }

  /** Refused with CONFLICT while a network, user grant or allocation refers to it. */
  async removeDataCenter(name: string): Promise<void> {
    await this.change('RemoveDataCenter', { name });
  }

  async addTenant(name: string, description?: string): Promise<TenantInfo> {
    return (await this.change('AddTenant', { name, description })).tenant;
  }

  async listTenants(): Promise<TenantInfo[]> {
    return (await this.read('ListTenants', {})).tenant;
  }

  async removeTenant(name: string): Promise<void> {
    await this.change('RemoveTenant', { name });
  }

  async addZone(name: string): Promise<ZoneInfo> {
    return (await this.change('AddZone', { name })).zone;
  }

  async listZones(): Promise<ZoneInfo[]> {
    return (await this.read('ListZones', {})).zone;
  }

  async removeZone(name: string): Promise<void> {
    await this.change('RemoveZone', { name });
  }

  // --- DNS publication -----------------------------------------------------------------------

  /** `zone`: a forward zone, or a prefix such as 10.0.0.0/8 (its reverse zone is created on first use). */
  async setZoneDns(zone: string, spec: ZoneDnsSpec): Promise<DnsZoneInfo> {
    return (await this.change('SetZoneDns', { ...spec, zone })).zone;
  }

  /** Stops publishing a zone (or removes a reverse zone); records already published stay. */
  async clearZoneDns(zone: string): Promise<DnsZoneInfo> {
    return (await this.change('ClearZoneDns', { zone })).zone;
  }

  async listDnsZones(): Promise<DnsZoneInfo[]> {
    return (await this.read('ListDnsZones', {})).zone;
  }

  // --- networks --------------------------------------------------------------------------------

  async addNetwork(spec: NetworkSpec): Promise<NetworkInfo> {
    const { gateway, tags, ...rest } = spec;
    const r = await this.change('AddNetwork', {
      ...rest,
      gateway: gateway ?? undefined,
      noGateway: gateway === null ? true : undefined,
      tag: tagList(tags),
    });
    return network(r.network);
  }

  async editNetwork(name: string, changes: NetworkChanges): Promise<NetworkInfo> {
    const { vxlan, tenant, zone, gateway, tags, ...rest } = changes;
    const cleared = (['vxlan', 'tenant', 'zone', 'gateway'] as const).filter((k) => changes[k] === null);
    const noTags = tags !== undefined && Object.keys(tags).length === 0;
    const request: wsdl.EditNetwork = {
      ...rest,
      network: name,
      vxlan: vxlan ?? undefined,
      tenant: tenant ?? undefined,
      zone: zone ?? undefined,
      gateway: gateway ?? undefined,
      tag: tagList(tags),
      clear: [...cleared, ...(noTags ? (['tags'] as const) : [])],
    };
    return network((await this.change('EditNetwork', request)).network);
  }

  /** Sets (adds or overwrites) and removes tags; the others stay. */
  async tagNetwork(name: string, tags: { set?: Tags; remove?: string[] }): Promise<NetworkInfo> {
    return network(
      (await this.change('TagNetwork', { network: name, set: tagList(tags.set), remove: tags.remove ?? [] })).network,
    );
  }

  /** NETWORK_IN_USE while allocations are active, unless `force`, which releases them. */
  async removeNetwork(name: string, options: { force?: boolean } = {}): Promise<RemovedNetwork> {
    return this.change('RemoveNetwork', { network: name, force: options.force });
  }

  /** Into the subnets of a longer prefix (at most 256); allocations and reservations move along. */
  async splitNetwork(name: string, prefixLength: number, names?: string[]): Promise<NetworkInfo[]> {
    return (await this.change('SplitNetwork', { network: name, prefixLength, name: names ?? [] })).network.map(network);
  }

  /** Adjacent siblings with the same attributes and tags, back into their parent (MERGE_REFUSED otherwise). */
  async mergeNetworks(names: string[], name?: string): Promise<NetworkInfo> {
    return network((await this.change('MergeNetworks', { network: names, name })).network);
  }

  // --- reservations ----------------------------------------------------------------------------

  /** Addresses never handed out (statics, appliances). */
  async reserveRange(networkName: string, range: RangeToReserve): Promise<Reservation> {
    return (await this.change('ReserveRange', { ...range, network: networkName })).reservation;
  }

  async unreserveRange(networkName: string, id: string): Promise<Reservation> {
    return (await this.change('UnreserveRange', { network: networkName, id })).reservation;
  }

  async listReservations(networkName: string): Promise<Reservation[]> {
    return (await this.read('ListReservations', { network: networkName })).reservation;
  }

  // --- search and utilization ------------------------------------------------------------------

  async searchNetworks(q: NetworkQuery & Paging = {}): Promise<NetworkPage> {
    const r = await this.read('SearchNetworks', q);
    return omitUndefined({ networks: r.network.map(network), nextPage: r.nextPage });
  }

  /** Every network matching the query, page after page. */
  allNetworks(q: NetworkQuery = {}): AsyncGenerator<NetworkInfo, void, undefined> {
    return this.pages('SearchNetworks', async (after) => {
      const p = await this.searchNetworks({ ...q, after });
      return { items: p.networks, nextPage: p.nextPage };
    });
  }

  async searchAllocations(q: AllocationQuery & Paging = {}): Promise<AllocationRecordPage> {
    const r = await this.read('SearchAllocations', q);
    return omitUndefined({ allocations: r.allocation, nextPage: r.nextPage });
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
    return (await this.read('TenantUtilization', {})).tenant.map((t) => ({
      ...t,
      assignable: count(t.assignable),
      used: count(t.used),
      free: count(t.free),
    }));
  }

  // --- audit and metering ----------------------------------------------------------------------

  async queryAudit(q: AuditQuery & Paging = {}): Promise<AuditPage> {
    const r = await this.read('QueryAudit', q);
    const entries = r.entry.map((e) =>
      omitUndefined({ ...e, before: json(e.before, 'before'), after: json(e.after, 'after') }),
    );
    return omitUndefined({ entries, nextPage: r.nextPage });
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
    return this.read('TenantUsage', q);
  }

  // --- users -----------------------------------------------------------------------------------

  async addUser(spec: UserSpec): Promise<{ username: string; role: Role }> {
    const { grants, ...rest } = spec;
    return this.change('AddUser', { ...rest, grant: grants ?? [] });
  }

  async listUsers(): Promise<UserInfo[]> {
    return (await this.read('ListUsers', {})).user.map(({ grant, ...u }) => ({ ...u, grants: grant }));
  }

  /** Administrators, or a user its own. */
  async setPassword(username: string, password: string): Promise<void> {
    await this.change('SetPassword', { username, password });
  }

  /** Refuses the user's calls from now on, keeping the account. */
  async disableUser(username: string): Promise<void> {
    await this.change('DisableUser', { username });
  }

  async enableUser(username: string): Promise<void> {
    await this.change('EnableUser', { username });
  }

  /** Its audit rows stay. */
  async removeUser(username: string): Promise<void> {
    await this.change('RemoveUser', { username });
  }

  /** A read: repeated on failures like any safe call. */
  private read<K extends keyof In & string>(operation: K, request: In[K]['input']): Promise<Out[K]['output']> {
    return this.call(operation, request, true);
  }

  /** A change: repeated only when it certainly never arrived, or was rolled back (BUSY). */
  private change<K extends keyof In & string>(operation: K, request: In[K]['input']): Promise<Out[K]['output']> {
    return this.call(operation, request, false);
  }
}

/** Tags as repeated tns:Tag elements, in key order (as the server lists them). */
const tagList = (tags: Tags | undefined): wsdl.Tag[] =>
  Object.entries(tags ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value }));

/** An address count (the contract's pattern checked it): any size, an IPv6 network's pass 2^53 and 2^64. */
const count = (v: string) => BigInt(v);

function json(v: string | undefined, field: string): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw new IpcdTransportError('protocol', `the reply's audit entry has ${field} that is not JSON`, 'QueryAudit');
  }
}

function network({ tag, ...n }: wsdl.Network<Decoded>): NetworkInfo {
  const counts = {
    assignable: count(n.assignable),
    used: count(n.used),
    held: count(n.held),
    reserved: count(n.reserved),
    free: count(n.free),
  };
  return { ...n, ...counts, tags: Object.fromEntries(tag.map((t) => [t.key, t.value])) };
}
