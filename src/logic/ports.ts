/**
 * What the logic needs from storage. The store adapter implements these; the logic never sees
 * SQL, TypeORM or a connection. Every call inside `transaction` belongs to one atomic unit.
 */
import type { Allocation, AllocationSource, DataCenter, Intent, Network, NetworkUsage, ReleaseReason, Tenant, Zone } from './model';
import type { AddressRange, Family } from './ip';
import type { AuditEntry } from './audit';
import type { Grant, Role } from './policy';

export interface Store {
  /** Runs fn atomically. Throws StoreConflict (nothing written) when it lost a race. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface NewAllocation {
  networkId: number;
  address: string | null;
  zoneId: number | null;
  name: string | null;
  serverInstance: string;
  source: AllocationSource | null;
  intent: Intent;
  requestedDataCenterId: number;
  requestedVlan: number;
}

export interface AllocationQuery {
  dataCenterId: number;
  vlan: number;
  address?: string;
  /** A host label, with its zone when the caller gave an FQDN. */
  name?: { label: string; zone?: string };
  serverInstance?: string;
}

export type NewNetwork = Omit<Network, 'id'>;

export interface ActiveAllocationFilter {
  dataCenterId?: number; // as requested
  vlan?: number; // as requested
  serverInstance?: string;
  /** Allocation id to continue after (rows come in id order). */
  after?: string;
  limit: number;
  /** Only allocations in networks these grants cover (by the network's data center and tenant). */
  scope?: Grant[];
}

export interface ActiveAllocationRow extends Allocation {
  dataCenter: string;
  network: string;
  zone: string | null;
}

export interface NetworkFilter {
  dataCenterId?: number;
  vlan?: number;
  tenantId?: number;
}

export interface UserRecord {
  id: number;
  username: string;
  role: Role;
  tenantId: number | null;
  passwordHash: string;
  sealedPassword: string | null;
  disabled: boolean;
  grants: Grant[];
}

export interface AuditQuery {
  /** Limit to rows about these tenants / data centers (a tenant's or orchestrator's view). */
  scope?: Grant[];
  actor?: string;
  operation?: string;
  objectType?: string;
  objectId?: string;
  serverInstance?: string;
  since?: Date;
  until?: Date;
  afterId?: string;
  limit: number;
}

export interface AuditRow extends AuditEntry {
  id: string;
  at: Date;
}

export interface StoreTx {
  dataCenterByName(name: string): Promise<DataCenter | null>;
  dataCentersWithVlan(vlan: number): Promise<DataCenter[]>;
  tenantByName(name: string): Promise<Tenant | null>;
  zoneByName(name: string): Promise<Zone | null>;
  zoneById(id: number): Promise<Zone | null>;
  networkByName(name: string): Promise<Network | null>;
  networkName(id: number): Promise<string>;
  /** Networks tagged with the VLAN in the data center, any family, in no particular order. */
  networksOnVlan(dataCenterId: number, vlan: number): Promise<Network[]>;
  networksOfTenants(dataCenterId: number, tenantIds: number[], family: Family): Promise<Network[]>;
  reservePools(dataCenterId: number, family: Family): Promise<Network[]>;
  /** Networks on the same (data center, VLAN) whose prefix overlaps cidr. */
  overlappingNetworks(dataCenterId: number, vlan: number | null, cidr: string): Promise<Network[]>;

  /** Takes the lowest free address of the network, or null when it has none. Index lookups only. */
  takeFreeAddress(networkId: number): Promise<string | null>;
  /** Makes an address assignable again at once. */
  returnAddress(networkId: number, address: string): Promise<void>;
  nextNameSeq(zoneId: number): Promise<bigint>;
  nameInUse(zoneId: number, name: string): Promise<boolean>;
  insertAllocation(a: NewAllocation): Promise<Allocation>;
  /** Active allocations matching the query, locked for update. */
  activeAllocations(q: AllocationQuery): Promise<Allocation[]>;
  releaseParts(allocationId: string, parts: { address: boolean; name: boolean }, reason: ReleaseReason): Promise<void>;
  /** The instance's active allocation for this intent on (data center, VLAN), if any. */
  heldBy(dataCenterId: number, vlan: number, serverInstance: string, intent: Intent): Promise<Allocation | null>;
  networkById(id: number): Promise<Network>;
  listActiveAllocations(f: ActiveAllocationFilter): Promise<ActiveAllocationRow[]>;

  userByName(username: string): Promise<UserRecord | null>;
  anyUser(): Promise<boolean>;
  insertUser(u: Omit<UserRecord, 'id' | 'grants' | 'disabled'>, grants: Grant[]): Promise<UserRecord>;
  /** Remembers a UsernameToken nonce; false when it was seen before. Forgets those before cutoff. */
  recordNonce(nonce: string, cutoff: Date): Promise<boolean>;
  appendAudit(e: AuditEntry): Promise<void>;
  listAudit(q: AuditQuery): Promise<AuditRow[]>;

  insertDataCenter(name: string, description: string | null): Promise<DataCenter>;
  insertTenant(name: string, description: string | null): Promise<Tenant>;
  insertZone(name: string): Promise<Zone>;
  insertNetwork(n: NewNetwork, free: AddressRange[]): Promise<Network>;
  networkUsage(filter: NetworkFilter): Promise<Omit<NetworkUsage, 'assignable'>[]>;
  listDataCenters(): Promise<DataCenter[]>;
  listTenants(): Promise<Tenant[]>;
  listZones(): Promise<Zone[]>;
}
