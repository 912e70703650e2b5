/**
 * A network's free space, recomputed from what occupies it: used when a management change
 * (split, merge, reservation, gateway) reshapes the allocator's free ranges.
 */
import {
  assignableRanges,
  parseAddress,
  parseCidr,
  pointsToRanges,
  subtractRanges,
  type AddressRange,
} from '../core/ip';
import type { Network } from '../core/model';
import type { ReservationRecord, TopologyPort } from './port';

/** The ports this module uses. */
type Tx = { topology: TopologyPort };

const value = (address: string) => parseAddress(address)!.value;

export const reservedRanges = (rs: Pick<ReservationRecord, 'first' | 'last'>[]): AddressRange[] =>
  rs.map((r) => ({ first: value(r.first), last: value(r.last) }));

export function freeRanges(
  network: Pick<Network, 'cidr' | 'gateway'>,
  occupied: string[],
  reserved: AddressRange[],
): AddressRange[] {
  const cidr = parseCidr(network.cidr);
  const assignable = assignableRanges(cidr, network.gateway === null ? null : value(network.gateway));
  return subtractRanges(subtractRanges(assignable, pointsToRanges(occupied.map(value))), reserved);
}

/** Rewrites the network's free ranges; the caller holds tx.topology.lockNetwork(network.id). */
export async function rebuildFreeRanges(tx: Tx, network: Network): Promise<void> {
  const free = freeRanges(
    network,
    await tx.topology.occupiedAddresses(network.id),
    reservedRanges(await tx.topology.reservations(network.id)),
  );
  await tx.topology.replaceFreeRanges(network.id, network.family, free);
}
