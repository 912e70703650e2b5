/**
 * A network's free space, recomputed from what occupies it: used when a management change
 * (split, merge, reservation, gateway) reshapes the allocator's free ranges.
 */
import { assignableRanges, parseAddress, parseCidr, pointsToRanges, subtractRanges, type AddressRange } from '../core/ip';
import type { Network } from '../core/model';
import type { ReservationRecord, StoreTx } from '../ports';

const value = (address: string) => parseAddress(address)!.value;

export const reservedRanges = (rs: Pick<ReservationRecord, 'first' | 'last'>[]): AddressRange[] => rs.map((r) => ({ first: value(r.first), last: value(r.last) }));

export function freeRanges(network: Pick<Network, 'cidr' | 'gateway'>, occupied: string[], reserved: AddressRange[]): AddressRange[] {
  const cidr = parseCidr(network.cidr);
  const assignable = assignableRanges(cidr, network.gateway === null ? null : value(network.gateway));
  return subtractRanges(subtractRanges(assignable, pointsToRanges(occupied.map(value))), reserved);
}

/** Rewrites the network's free ranges; the caller holds tx.lockNetwork(network.id). */
export async function rebuildFreeRanges(tx: StoreTx, network: Network): Promise<void> {
  const free = freeRanges(network, await tx.occupiedAddresses(network.id), reservedRanges(await tx.reservations(network.id)));
  await tx.replaceFreeRanges(network.id, network.family, free);
}
