/** Domain records as the logic sees them; the store maps its rows onto these. */
import type { Family } from './ip';

export interface DataCenter {
  id: number;
  name: string;
  description: string | null;
}

export interface Tenant {
  id: number;
  name: string;
  description: string | null;
}

export interface Zone {
  id: number;
  name: string; // DNS zone, lower case, no trailing dot: dc1.example.com
}

export interface Network {
  id: number;
  name: string;
  cidr: string; // canonical text
  family: Family;
  dataCenterId: number;
  vlan: number | null;
  vxlan: number | null;
  tenantId: number | null;
  priority: number; // lower is tried first
  zoneId: number | null;
  gateway: string | null;
  reservePool: boolean;
  namePattern: string;
  tags: Record<string, string>;
  /** Seconds a released address waits before it may be issued again (0: at once). */
  holdDownSeconds: number;
}

export type AllocationSource = 'VLAN' | 'TENANT_ALTERNATE' | 'RESERVE_POOL';

/** What an allocation is for; a server instance holds one active allocation per intent and VLAN. */
export type Intent = 'IPv4' | 'IPv6' | 'NAME';

/** NETWORK_REMOVED: an administrator removed the network with force. */
export type ReleaseReason = 'DELETED' | 'MIGRATED' | 'NETWORK_REMOVED';

export interface Allocation {
  id: string;
  networkId: number;
  address: string | null; // null once released, or for a name-only allocation
  zoneId: number | null;
  name: string | null; // null once released, or for an address-only allocation
  serverInstance: string;
  source: AllocationSource | null;
  intent: Intent;
  requestedDataCenterId: number;
  requestedVlan: number;
  /** The tenant it is charged to (fixed when issued). */
  tenantId: number | null;
  createdAt: Date;
}

export interface NetworkUsage {
  network: Network;
  dataCenter: string;
  tenant: string | null;
  zone: string | null;
  assignable: bigint;
  used: bigint;
  /** Released addresses still in their hold-down. */
  held: bigint;
}

/** Which networks a listing shows: by data center, VLAN and tenant (absent: any). */
export interface NetworkFilter {
  dataCenterId?: number;
  vlan?: number;
  tenantId?: number;
}
