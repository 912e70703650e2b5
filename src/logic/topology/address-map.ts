/**
 * A network's address space as ranges: fixed (network, broadcast, gateway: never issued),
 * allocated, reserved, held (released, waiting out the network's hold-down) and free. Built from runs of consecutive addresses, never one entry per address, so a
 * /16 with 60,000 allocations or an IPv6 /64 costs as much as it has runs.
 */
import { IpcdError } from '../core/errors';
import { reservedRanges } from './free-space';
import {
  assignableRanges,
  lastAddress,
  parseAddress,
  parseCidr,
  subtractRanges,
  type AddressRange,
  type Cidr,
} from '../core/ip';
import { networkNamed } from '../core/manage';
import { mayRead, systemActor, type Actor } from '../access/policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { TopologyPort } from './port';
import type { ReportsPort } from '../reporting/port';
import { reservationView, type Reservation } from './reservations';
import { toView, type NetworkView } from '../reporting/search';

/** The ports this module uses. */
type Tx = { topology: TopologyPort; reports: ReportsPort };

export type SegmentKind = 'fixed' | 'allocated' | 'reserved' | 'held' | 'free';

export interface MapSegment {
  kind: SegmentKind;
  first: bigint;
  last: bigint;
}

/** Covers the whole prefix in address order; neighbours of the same kind are joined. */
export function addressSegments(
  cidr: Cidr,
  gateway: bigint | null,
  occupied: { allocated: AddressRange[]; reserved: AddressRange[]; held: AddressRange[] },
): MapSegment[] {
  const whole = [{ first: cidr.network, last: lastAddress(cidr) }];
  const assignable = assignableRanges(cidr, gateway);
  const { allocated, reserved, held } = occupied;
  const parts: MapSegment[] = [
    ...subtractRanges(whole, assignable).map((r) => ({ ...r, kind: 'fixed' as const })),
    ...allocated.map((r) => ({ ...r, kind: 'allocated' as const })),
    ...reserved.map((r) => ({ ...r, kind: 'reserved' as const })),
    ...held.map((r) => ({ ...r, kind: 'held' as const })),
    ...subtractRanges(subtractRanges(subtractRanges(assignable, reserved), allocated), held).map((r) => ({
      ...r,
      kind: 'free' as const,
    })),
  ].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: MapSegment[] = [];
  for (const p of parts) {
    const prev = out[out.length - 1];
    if (prev && prev.kind === p.kind && prev.last + 1n === p.first) prev.last = p.last;
    else out.push({ ...p });
  }
  return out;
}

export interface NetworkDetail {
  view: NetworkView;
  reservations: Reservation[];
  segments: MapSegment[];
}

/** Everything the network page shows about one network, if the caller may see it. */
export function networkDetail(
  store: UnitOfWork<Tx>,
  name: string,
  actor: Actor = systemActor(),
): Promise<NetworkDetail> {
  return store.transaction(async (tx) => {
    const n = await networkNamed(tx, name);
    if (!mayRead(actor.principal, n.dataCenterId, n.tenantId))
      throw new IpcdError('NOT_FOUND', `network '${name}' is not known to ipcd`);
    const [row] = await tx.reports.searchNetworks({ id: n.id, limit: 1 });
    const records = await tx.topology.reservations(n.id);
    const value = (a: string) => parseAddress(a)!.value;
    const ranges = (list: { first: string; last: string }[]) =>
      list.map((r) => ({ first: value(r.first), last: value(r.last) }));
    const allocated = ranges(await tx.topology.allocatedRanges(n.id));
    const held = ranges(await tx.topology.heldRanges(n.id));
    const cidr = parseCidr(n.cidr);
    return {
      view: toView(row),
      reservations: records.map((r) => reservationView(r, n.name)),
      segments: addressSegments(cidr, n.gateway === null ? null : value(n.gateway), {
        allocated,
        reserved: reservedRanges(records),
        held,
      }),
    };
  });
}
