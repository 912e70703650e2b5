/** Data centers, tenants, zones, networks, their free space and reservations, as stored. */
import type { DataCenter, Network, ReleaseReason, Tenant, Zone } from '../core/model';
import type { AddressRange, Family } from '../core/ip';

export type NewNetwork = Omit<Network, 'id'>;

/** Network columns an edit may change. */
export type NetworkChange = Partial<Omit<Network, 'id' | 'family' | 'dataCenterId' | 'vlan'>>;

export interface ReservationRecord {
  id: string;
  networkId: number;
  first: string;
  last: string;
  note: string | null;
  createdAt: Date;
}

export type TopologyKind = 'data_center' | 'tenant' | 'zone';

export interface TopologyPort {
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

  insertDataCenter(name: string, description: string | null): Promise<DataCenter>;
  insertTenant(name: string, description: string | null): Promise<Tenant>;
  insertZone(name: string): Promise<Zone>;
  insertNetwork(n: NewNetwork, free: AddressRange[]): Promise<Network>;
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
  referencesTo(kind: TopologyKind, id: number): Promise<number>;
  deleteTopologyObject(kind: TopologyKind, id: number): Promise<void>;

  /** The network's active allocated addresses as maximal runs of consecutive addresses, in order. */
  allocatedRanges(networkId: number): Promise<{ first: string; last: string }[]>;
  /** Released addresses still in their hold-down, as runs of consecutive addresses, in order. */
  heldRanges(networkId: number): Promise<{ first: string; last: string }[]>;
  /** Ids of the network's active allocations. */
  activeAllocationIds(networkId: number): Promise<string[]>;
}
