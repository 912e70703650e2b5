/** Addresses and ranges inside a network that are never handed out (statics, appliances). */
import { IpcdError, invalid } from '../core/errors';
import { audit } from '../audit/audit';
import { rebuildFreeRanges, reservedRanges } from './free-space';
import { contains, formatAddress, parseAddress, parseCidr } from '../core/ip';
import { lockedNetwork, managed, networkNamed } from '../core/manage';
import { mayRead, systemActor, type Actor } from '../access/policy';
import type { UnitOfWork } from '../core/unit-of-work';
import type { ReservationRecord, TopologyPort } from './port';
import type { AuditPort } from '../audit/port';
import { describe } from '../core/validate';

/** The ports this module uses. */
type Tx = { topology: TopologyPort; audit: AuditPort };

export interface Reservation {
  id: string;
  network: string;
  first: string;
  last: string;
  note: string | null;
  createdAt: Date;
}

export async function reserveRange(
  store: UnitOfWork<Tx>,
  network: string,
  r: { first: string; last?: string; note?: string },
  actor: Actor = systemActor(),
): Promise<Reservation> {
  return managed(store, actor, 'ReserveRange', { objectType: 'network', objectId: network }, async (tx) => {
    const note = r.note === undefined || r.note === '' ? null : String(r.note);
    if (note !== null && note.length > 256) throw invalid('a reservation note is at most 256 characters');
    const n = await lockedNetwork(tx, network);
    const cidr = parseCidr(n.cidr);
    const point = (text: string | undefined, field: string) => {
      const a = text === undefined ? null : parseAddress(String(text));
      if (!a || !contains(cidr, a.family, a.value))
        throw invalid(`${field} ${describe(text)} must be an address inside ${n.name} (${n.cidr})`);
      return a.value;
    };
    const first = point(r.first, 'first');
    const last = r.last === undefined || r.last === '' ? first : point(r.last, 'last');
    if (last < first)
      throw invalid(
        `the range ends (${formatAddress(cidr.family, last)}) before it starts (${formatAddress(cidr.family, first)})`,
      );
    const taken = (await tx.topology.occupiedAddresses(n.id)).find((a) => {
      const v = parseAddress(a)!.value;
      return v >= first && v <= last;
    });
    if (taken)
      throw new IpcdError('CONFLICT', `${taken} is allocated in network '${n.name}'; release it before reserving it`);
    const clash = reservedRanges(await tx.topology.reservations(n.id)).find((x) => x.first <= last && first <= x.last);
    if (clash)
      throw new IpcdError(
        'CONFLICT',
        `the range overlaps reservation ${formatAddress(cidr.family, clash.first)}-${formatAddress(cidr.family, clash.last)} in network '${n.name}'`,
      );
    const rec = await tx.topology.insertReservation(
      n.id,
      formatAddress(cidr.family, first),
      formatAddress(cidr.family, last),
      note,
    );
    await rebuildFreeRanges(tx, n);
    const out = reservationView(rec, n.name);
    await audit(
      tx,
      actor,
      'ReserveRange',
      { objectType: 'network', objectId: network, dataCenterId: n.dataCenterId, tenantId: n.tenantId },
      { after: out },
    );
    return out;
  });
}

export async function unreserveRange(
  store: UnitOfWork<Tx>,
  network: string,
  id: string,
  actor: Actor = systemActor(),
): Promise<Reservation> {
  return managed(store, actor, 'UnreserveRange', { objectType: 'network', objectId: network }, async (tx) => {
    const n = await lockedNetwork(tx, network);
    const rec = await tx.topology.deleteReservation(n.id, String(id));
    if (!rec) throw new IpcdError('NOT_FOUND', `network '${n.name}' has no reservation ${describe(id)}`);
    await rebuildFreeRanges(tx, n);
    const out = reservationView(rec, n.name);
    await audit(
      tx,
      actor,
      'UnreserveRange',
      { objectType: 'network', objectId: network, dataCenterId: n.dataCenterId, tenantId: n.tenantId },
      { before: out },
    );
    return out;
  });
}

export async function listReservations(
  store: UnitOfWork<Tx>,
  network: string,
  actor: Actor = systemActor(),
): Promise<Reservation[]> {
  return store.transaction(async (tx) => {
    const n = await networkNamed(tx, network);
    if (!mayRead(actor.principal, n.dataCenterId, n.tenantId))
      throw new IpcdError('NOT_FOUND', `network '${network}' is not known to ipcd`);
    return (await tx.topology.reservations(n.id)).map((r) => reservationView(r, n.name));
  });
}

/** A stored reservation as callers see it: under its network's name. */
export const reservationView = (r: ReservationRecord, network: string): Reservation => ({
  id: r.id,
  network,
  first: r.first,
  last: r.last,
  note: r.note,
  createdAt: r.createdAt,
});
