/** Containers and their carves, as stored: what AllocateNetwork and the container operations need. */
import type { Family } from '../core/ip';
import type { Network } from '../core/model';

export interface ContainerRecord {
  id: number;
  name: string;
  cidr: string;
  family: Family;
  dataCenterId: number;
  dataCenter: string;
  tenantId: number | null;
  tenant: string | null;
  description: string | null;
}

export type NewContainer = Pick<ContainerRecord, 'name' | 'cidr' | 'dataCenterId' | 'tenantId' | 'description'>;

/** One carved network under its caller's idempotency key. */
export interface CarveRecord {
  key: string;
  containerId: number;
  /** The request it answered, canonical, to tell a retry from a different request under the same key. */
  request: string;
  /** null once the network was removed. */
  networkId: number | null;
  networkName: string;
  cidr: string;
}

export interface ContainerPort {
  containerByName(name: string): Promise<ContainerRecord | null>;
  /** Locks the container's row for the transaction (carvers of one container take turns) and reads it. */
  lockContainer(id: number): Promise<ContainerRecord>;
  /** Containers of the data center whose prefix overlaps cidr. */
  overlappingContainers(dataCenterId: number, cidr: string): Promise<ContainerRecord[]>;
  listContainers(filter: { dataCenterId?: number }): Promise<ContainerRecord[]>;
  insertContainer(c: NewContainer): Promise<ContainerRecord>;
  deleteContainer(id: number): Promise<void>;
  /** Networks of the data center whose prefix overlaps cidr, on any VLAN (and none). */
  networksInPrefix(dataCenterId: number, cidr: string): Promise<Network[]>;
  carveByKey(key: string): Promise<CarveRecord | null>;
  insertCarve(c: CarveRecord): Promise<void>;
  /** Ids of the networks carved from the container that still exist. */
  carvedNetworkIds(containerId: number): Promise<number[]>;
}
