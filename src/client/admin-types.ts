/**
 * What IpcdAdminClient (admin-client.ts) takes and returns, and the conversions from the contract's
 * wire types: decimal address counts to bigint, tag lists to maps, audit JSON parsed. Kept apart
 * from the calls because these shapes are the public API, read on their own (index.ts exports them).
 */
import type { management as wsdl } from '../contract';
import type { Decoded, Encodable } from './codec';
import { IpcdTransportError } from './errors';

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
export type ContainerSpec = wsdl.AddContainer;
/** A container with how much of it networks use (any VLAN, carved or added by hand), counts as bigint. */
export type ContainerInfo = Omit<wsdl.Container<Decoded>, 'network' | 'size' | 'used'> & {
  size: bigint;
  used: bigint;
  networks: wsdl.ContainedNetwork[];
};
/** AllocateNetwork's request, tags as a map; idempotencyKey default: a new UUID for this call (its retries reuse it). */
export type CarveSpec = Omit<wsdl.AllocateNetwork, 'tag' | 'idempotencyKey'> & { tags?: Tags; idempotencyKey?: string };
/** existing: the key had carved this network before. */
export type CarvedNetwork = Omit<wsdl.AllocateNetworkResponse<Decoded>, 'network'> & { network: NetworkInfo };
export type Reservation = wsdl.Reservation<Decoded>;
export type RangeToReserve = Omit<wsdl.ReserveRange, 'network'>;

export interface Paging {
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

/** Tags as repeated tns:Tag elements, in key order (as the server lists them). */
export const tagList = (tags: Tags | undefined): wsdl.Tag[] =>
  Object.entries(tags ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value }));

/** An address count (the contract's pattern checked it): any size, an IPv6 network's pass 2^53 and 2^64. */
export const count = (v: string) => BigInt(v);

export function json(v: string | undefined, field: string): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw new IpcdTransportError('protocol', `the reply's audit entry has ${field} that is not JSON`, 'QueryAudit');
  }
}

export function network({ tag, ...n }: wsdl.Network<Decoded>): NetworkInfo {
  const counts = {
    assignable: count(n.assignable),
    used: count(n.used),
    held: count(n.held),
    reserved: count(n.reserved),
    free: count(n.free),
  };
  return { ...n, ...counts, tags: Object.fromEntries(tag.map((t) => [t.key, t.value])) };
}

export function container({ network: networks, size, used, ...c }: wsdl.Container<Decoded>): ContainerInfo {
  return { ...c, size: count(size), used: count(used), networks };
}
