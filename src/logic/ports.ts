/**
 * What the logic needs from storage. The store adapter implements these; the logic never sees
 * SQL, TypeORM or a connection. Every call inside `transaction` belongs to one atomic unit.
 */
import type { Allocation, AllocationSource, DataCenter, Intent, Network, NetworkUsage, ReleaseReason, Tenant, Zone } from './core/model';
import type { AddressRange, Family } from './core/ip';
import type { AuditEntry } from './audit/audit';
import type { Grant, Role } from './access/policy';
import type { Allocator } from './allocation/allocator-port';
import type { ContainerPort } from './topology/container-port';
import type { DnsAction, DnsChange, DnsRecord, DnsRecordType, DnsRowSummary, DnsServer, DnsZone, DnsZoneRef, NewDnsChange, Publishable, TsigAlgorithm } from './dns/dns';

export interface Store {
  /** The commissioning hot path: versioned configuration snapshot and one-statement writes. */
  readonly allocator: Allocator;
  /** Runs fn atomically. Throws StoreConflict (nothing written) when it lost a race. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Calls listener after each committed transaction that changed how full some networks are
   * (addresses issued, released, moved; free space or alert threshold rewritten). Returns an
   * unsubscribe function.
   */
  watchNetworks(listener: (networkIds: number[]) => void): () => void;
  /** Calls fn after each commit in this process that queued DNS changes; returns the unsubscribe. */
  onDnsQueued?(fn: () => void): () => void;
}

/** Delivers one record change to an authoritative server (RFC 2136 UPDATE with TSIG); throws DnsDeliveryError. */
export interface DnsUpdater {
  send(target: DnsTarget, update: DnsUpdate): Promise<void>;
}

export interface DnsTarget {
  host: string;
  port: number;
  key: { name: string; algorithm: TsigAlgorithm; secret: Buffer };
}

export interface DnsUpdate {
  zone: string;
  owner: string;
  action: DnsAction;
  rtype: DnsRecordType;
  rdata: string;
  ttl: number;
}

export interface DnsOutboxStats {
  /** Changes not delivered yet (being retried included). */
  pending: number;
  /** When the oldest pending change was queued; null when none is pending. */
  oldestPendingAt: Date | null;
  /** Changes given up until an administrator acts (rejected by the server). */
  failed: number;
}

/** How a delivery attempt ended, as the worker records it. */
export type DnsOutcome =
  | { state: 'done' }
  | { state: 'pending'; error: string; retryInMs: number }
  | { state: 'failed' | 'skipped'; error: string };

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
  dns: DnsRowSummary;
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
  /** Newest rows first (afterId then continues downwards). */
  newestFirst?: boolean;
  limit: number;
}

export interface AuditRow extends AuditEntry {
  id: string;
  at: Date;
}

export interface ReservationRecord {
  id: string;
  networkId: number;
  first: string;
  last: string;
  note: string | null;
  createdAt: Date;
}

/** Network columns an edit may change. */
export type NetworkChange = Partial<Omit<Network, 'id' | 'family' | 'dataCenterId' | 'vlan'>>;

export interface NetworkSearchFilter {
  dataCenterId?: number;
  vlan?: number;
  tenantId?: number;
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

/** A console session as stored: the user it belongs to (read fresh, so role changes apply at once). */
export interface SessionRecord {
  user: UserRecord;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
}

export interface UsageDayRow {
  tenant: string;
  day: string;
  allocations: number;
  addressHours: number;
}

/** A network's fill as stored: the logic derives assignable, free and percent from it. */
export interface NetworkFillRow {
  networkId: number;
  network: string;
  dataCenter: string;
  dataCenterId: number;
  tenantId: number | null;
  cidr: string;
  gateway: string | null;
  /** Addresses of active allocations. */
  used: bigint;
  /** Free addresses the store could count itself (IPv4 ranges, hold-downs that ended). */
  freeCount: bigint;
  /** Free ranges too large for the store's integers (IPv6), as [first, last] addresses. */
  freeRanges: [string, string][];
  thresholdPercent: number | null;
  alertState: 'normal' | 'high';
}

export interface NewAlertEvent {
  networkId: number;
  network: string;
  dataCenter: string;
  direction: 'up' | 'down';
  percent: number;
  thresholdPercent: number;
  used: bigint;
  assignable: bigint;
  /** 'pending': waits for webhook delivery; 'none': no webhook configured. */
  webhook: 'none' | 'pending';
}

export interface AlertEventRecord extends Omit<NewAlertEvent, 'webhook' | 'networkId'> {
  id: string;
  networkId: number | null;
  at: Date;
  attempts: number;
}

/** One stored row as export writes it: column name to exact JSON value. */
export type ExportRow = Record<string, unknown>;

export interface StoreTx {
  /** Containers and carves (AllocateNetwork). */
  readonly containers: ContainerPort;
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

  networkById(id: number): Promise<Network>;
  listActiveAllocations(f: ActiveAllocationFilter): Promise<ActiveAllocationRow[]>;

  userByName(username: string): Promise<UserRecord | null>;
  anyUser(): Promise<boolean>;
  insertUser(u: Omit<UserRecord, 'id' | 'grants' | 'disabled'>, grants: Grant[]): Promise<UserRecord>;
  /** Remembers a UsernameToken nonce; false when it was seen before. Forgets those before cutoff. */
  recordNonce(nonce: string, cutoff: Date): Promise<boolean>;
  /** Failed logins of this (client, user) key since the time. */
  authFailures(key: string, since: Date): Promise<number>;
  /** Records a failed login; forgets this key's failures before cutoff. */
  recordAuthFailure(key: string, at: Date, cutoff: Date): Promise<void>;
  clearAuthFailures(key: string): Promise<void>;
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

  /** Serializes a network's management changes against commissions and releases on it. */
  lockNetwork(networkId: number): Promise<void>;
  /** Addresses of the network that are not free: active allocations (and anything held back). */
  occupiedAddresses(networkId: number): Promise<string[]>;
  replaceFreeRanges(networkId: number, family: Family, free: AddressRange[]): Promise<void>;
  updateNetwork(id: number, change: NetworkChange): Promise<Network>;
  deleteNetwork(id: number): Promise<void>;
  activeAllocationCount(networkId: number): Promise<number>;
  /** Releases every active allocation of the network; returns how many. */
  releaseNetwork(networkId: number, reason: ReleaseReason): Promise<number>;
  /** Moves active allocations and reservations whose address lies in cidr to another network. */
  moveIntoNetwork(fromNetworkId: number, toNetworkId: number, cidr: string | null): Promise<void>;
  reservations(networkId: number): Promise<ReservationRecord[]>;
  insertReservation(networkId: number, first: string, last: string, note: string | null): Promise<ReservationRecord>;
  deleteReservation(networkId: number, id: string): Promise<ReservationRecord | null>;
  /** How many networks, users, grants and allocations refer to a data center, tenant or zone. */
  referencesTo(kind: 'data_center' | 'tenant' | 'zone', id: number): Promise<number>;
  deleteTopologyObject(kind: 'data_center' | 'tenant' | 'zone', id: number): Promise<void>;
  searchNetworks(f: NetworkSearchFilter): Promise<NetworkSearchRow[]>;
  searchAllocations(f: AllocationSearchFilter): Promise<AllocationSearchRow[]>;
  usageByDay(from: Date, to: Date, tenantId?: number, scope?: Grant[]): Promise<UsageDayRow[]>;

  /** The network's active allocated addresses as maximal runs of consecutive addresses, in order. */
  allocatedRanges(networkId: number): Promise<{ first: string; last: string }[]>;
  /** Released addresses still in their hold-down, as runs of consecutive addresses, in order. */
  heldRanges(networkId: number): Promise<{ first: string; last: string }[]>;
  /** Text that changes whenever any transaction on the database commits a write (a cheap poll for live views). */
  changeStamp(): Promise<string>;

  insertSession(tokenHash: string, userId: number, csrfToken: string, at: Date): Promise<void>;
  sessionByTokenHash(tokenHash: string): Promise<SessionRecord | null>;
  touchSession(tokenHash: string, at: Date): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Forgets sessions idle since before cutoff; returns how many. */
  deleteIdleSessions(cutoff: Date): Promise<number>;
  // DNS publication
  dnsZone(ref: DnsZoneRef): Promise<DnsZone | null>;
  /** The reverse zone with the longest prefix holding the address, if any. */
  reverseZoneFor(address: string): Promise<DnsZone | null>;
  reverseZoneByPrefix(prefix: string): Promise<DnsZone | null>;
  /** Forward zones (configured or not) and reverse zones. */
  listDnsZones(): Promise<DnsZone[]>;
  setZoneServer(zoneId: number, server: DnsServer | null): Promise<void>;
  insertReverseZone(prefix: string, name: string, server: DnsServer): Promise<DnsZone>;
  updateReverseZone(id: number, server: DnsServer): Promise<void>;
  deleteReverseZone(id: number): Promise<void>;
  /** Active allocations with both a name and an address, by id, for publishing an existing zone. */
  publishableAllocations(q: { zoneId?: number; prefix?: string; afterId?: string; limit: number }): Promise<Publishable[]>;
  enqueueDnsChanges(changes: NewDnsChange[]): Promise<void>;
  /** Records of these allocations whose latest queued change is an add (published or on its way). */
  liveDnsRecords(allocationIds: string[]): Promise<(DnsRecord & { allocationId: string })[]>;
  /** Ids of the network's active allocations. */
  activeAllocationIds(networkId: number): Promise<string[]>;
  /** Failed changes of the zone go back to pending, and pending ones are due at once. */
  retryDnsChanges(zone: DnsZoneRef): Promise<number>;
  /** Undelivered changes of the zone are dropped as skipped, with the reason. */
  skipDnsChanges(zone: DnsZoneRef, reason: string): Promise<number>;
  /**
   * Claims up to `limit` due changes for `leaseSeconds`: only the oldest pending change of each
   * owner name, and none another worker holds (FOR UPDATE SKIP LOCKED).
   */
  claimDnsChanges(limit: number, leaseSeconds: number, token: string): Promise<DnsChange[]>;
  /** Records an attempt's outcome, unless the claim was lost to another worker. */
  finishDnsChange(id: string, token: string, outcome: DnsOutcome): Promise<void>;
  dnsOutboxStats(): Promise<DnsOutboxStats>;
  /** Forgets delivered changes of released allocations finished before `before`; returns how many. */
  pruneDnsChanges(before: Date, limit: number): Promise<number>;

  listUsers(): Promise<UserRecord[]>;
  updateUser(id: number, change: { passwordHash?: string; sealedPassword?: string | null; disabled?: boolean }): Promise<void>;
  deleteUser(id: number): Promise<void>;

  /** Fill of every network, or of one. */
  networkFills(networkId?: number): Promise<NetworkFillRow[]>;
  /** Locks the network's alert state for the transaction and returns it; null when the network is gone. */
  lockAlertState(networkId: number): Promise<'normal' | 'high' | null>;
  setAlertState(networkId: number, state: 'normal' | 'high', percent: number): Promise<void>;
  insertAlertEvent(e: NewAlertEvent): Promise<AlertEventRecord>;
  alertThreshold(networkId: number): Promise<number | null>;
  setAlertThreshold(networkId: number, percent: number | null): Promise<void>;
  /** Claims the oldest due webhook delivery for leaseSeconds (skipping those other processes hold). */
  claimAlertDelivery(leaseSeconds: number): Promise<AlertEventRecord | null>;
  /** Records a delivery attempt: delivered, to be retried after retryInMs, or (null) given up. */
  finishAlertDelivery(id: string, outcome: { delivered: true } | { delivered: false; error: string; retryInMs: number | null }): Promise<void>;

  /** The rest of this transaction reads one snapshot (REPEATABLE READ); first statement only. */
  snapshotIsolation(): Promise<void>;
  /** Names of the applied migrations, oldest first. */
  appliedMigrations(): Promise<string[]>;
  tableColumns(table: string): Promise<string[]>;
  /** Every row in primary-key order, every column as exact JSON (timestamps, addresses and big numbers as text). */
  exportTable(table: string): Promise<ExportRow[]>;
  /** Inserts rows as exportTable wrote them, ids included. */
  importTable(table: string, rows: ExportRow[]): Promise<void>;
  nonEmptyTables(tables: string[]): Promise<string[]>;
  truncateTables(tables: string[]): Promise<void>;
  /** Moves identity sequences past the highest id, after rows were inserted with their ids. */
  resetIdentities(tables: string[]): Promise<void>;
}
