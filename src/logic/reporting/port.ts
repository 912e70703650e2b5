/** Read models for listings, searches and usage reports, as stored. */
import type { Allocation, NetworkFilter, Network, NetworkUsage } from '../core/model';
import type { Grant } from '../access/policy';
import type { DnsRowSummary } from '../dns/port';

export interface ActiveAllocationFilter {
  dataCenterId?: number; // as requested
  vlan?: number; // as requested
  serverInstance?: string;
  /** The last row of the previous page: rows come by data center, VLAN, address (IPv4, IPv6, none), id. */
  after?: ActiveAllocationKey;
  limit: number;
  /** Only allocations in networks these grants cover (by the network's data center and tenant). */
  scope?: Grant[];
}

export interface ActiveAllocationKey {
  dataCenter: string;
  vlan: number;
  address: string | null;
  id: string;
}

export interface ActiveAllocationRow extends Allocation {
  dataCenter: string;
  network: string;
  zone: string | null;
  dns: DnsRowSummary;
}

export interface NetworkSearchFilter extends NetworkFilter {
  tagKey?: string;
  tagValue?: string;
  /** Networks containing this address. */
  address?: string;
  /** Substring of the network's name, case-insensitive. */
  nameLike?: string;
  /** Exactly this network. */
  id?: number;
  scope?: Grant[];
  afterId?: number;
  limit: number;
}

export interface NetworkSearchRow {
  network: Network;
  dataCenter: string;
  tenant: string | null;
  zone: string | null;
  used: bigint;
  /** Released addresses still in their hold-down. */
  held: bigint;
  reserved: { first: string; last: string }[];
}

export interface AllocationSearchFilter {
  dataCenterId?: number; // the network's
  vlan?: number; // as requested
  tenantId?: number; // charged to
  networkId?: number;
  tagKey?: string;
  tagValue?: string;
  address?: string;
  name?: { label: string; zone?: string };
  serverInstance?: string;
  includeReleased: boolean;
  /** Rows about these tenants / data centers only. */
  scope?: Grant[];
  after?: string;
  limit: number;
}

export interface AllocationSearchRow extends Allocation {
  /** null once the network was removed. */
  network: string | null;
  dataCenter: string;
  tenant: string | null;
  zone: string | null;
  /** The address and name as issued, also after release. */
  issuedAddress: string | null;
  issuedName: string | null;
  releasedAt: Date | null;
  releaseReason: string | null;
  /** Its DNS outbox rows, summarized. */
  dns: DnsRowSummary;
}

export interface UsageDayRow {
  tenant: string;
  day: string;
  allocations: number;
  addressHours: number;
}

export interface ReportsPort {
  networkUsage(filter: NetworkFilter): Promise<Omit<NetworkUsage, 'assignable'>[]>;
  listActiveAllocations(f: ActiveAllocationFilter): Promise<ActiveAllocationRow[]>;
  searchNetworks(f: NetworkSearchFilter): Promise<NetworkSearchRow[]>;
  searchAllocations(f: AllocationSearchFilter): Promise<AllocationSearchRow[]>;
  usageByDay(from: Date, to: Date, tenantId?: number, scope?: Grant[]): Promise<UsageDayRow[]>;
  /** Text that changes whenever any transaction on the database commits a write (a cheap poll for live views). */
  changeStamp(): Promise<string>;
}
