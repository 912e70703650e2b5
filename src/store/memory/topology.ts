/** TopologyPort in memory: the SQL of src/store/tx.ts and management.ts over MemoryState. */
import {
  cidrContains,
  formatAddress,
  parseAddress,
  parseCidr,
  pointsToRanges,
  type AddressRange,
  type Family,
} from '../../logic/core/ip';
import type { DataCenter, Network, ReleaseReason, Tenant, Zone } from '../../logic/core/model';
import type {
  NetworkChange,
  NewNetwork,
  ReservationRecord,
  TopologyKind,
  TopologyPort,
} from '../../logic/topology/port';
import { addressValue, heldKey, type MemoryState } from './state';

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const zoneOf = (z: Zone): Zone => ({ id: z.id, name: z.name });

export class MemoryTopology implements TopologyPort {
  /** Networks whose fill this unit changed (told to watchers after commit). */
  readonly touched = new Set<number>();

  constructor(private readonly s: MemoryState) {}

  async dataCenterByName(name: string): Promise<DataCenter | null> {
    return this.s.dataCenters.byUnique('name', name) ?? null;
  }

  async dataCentersWithVlan(vlan: number): Promise<DataCenter[]> {
    const ids = new Set(
      this.s.networks
        .values()
        .filter((n) => n.vlan === vlan)
        .map((n) => n.dataCenterId),
    );
    return [...ids].map((id) => this.s.dataCenters.get(id)!).sort(byName);
  }

  async tenantByName(name: string): Promise<Tenant | null> {
    return this.s.tenants.byUnique('name', name) ?? null;
  }

  async zoneByName(name: string): Promise<Zone | null> {
    const z = this.s.zones.byUnique('name', name);
    return z ? zoneOf(z) : null;
  }

  async zoneById(id: number): Promise<Zone | null> {
    const z = this.s.zones.get(id);
    return z ? zoneOf(z) : null;
  }

  async networkByName(name: string): Promise<Network | null> {
    return this.s.networks.byUnique('name', name) ?? null;
  }

  async networkName(id: number): Promise<string> {
    return (await this.networkById(id)).name;
  }

  async networksOnVlan(dataCenterId: number, vlan: number): Promise<Network[]> {
    return this.s.networksOf(dataCenterId).filter((n) => n.vlan === vlan);
  }

  async networksOfTenants(dataCenterId: number, tenantIds: number[], family: Family): Promise<Network[]> {
    return this.s
      .networksOf(dataCenterId)
      .filter((n) => n.tenantId !== null && tenantIds.includes(n.tenantId) && n.family === family);
  }

  async reservePools(dataCenterId: number, family: Family): Promise<Network[]> {
    return this.s.networksOf(dataCenterId).filter((n) => n.reservePool && n.family === family);
  }

  async overlappingNetworks(dataCenterId: number, vlan: number | null, cidr: string): Promise<Network[]> {
    const c = parseCidr(cidr);
    return this.s.networksOf(dataCenterId).filter((n) => {
      const p = parseCidr(n.cidr);
      return (n.vlan ?? 0) === (vlan ?? 0) && p.family === c.family && (cidrContains(p, c) || cidrContains(c, p));
    });
  }

  async networkById(id: number): Promise<Network> {
    const n = this.s.networks.get(id);
    if (!n) throw new Error(`network ${id} does not exist`);
    return n;
  }

  async insertDataCenter(name: string, description: string | null): Promise<DataCenter> {
    const id = this.s.nextId('data_center');
    return this.s.dataCenters.insert(id, { id, name, description });
  }

  async insertTenant(name: string, description: string | null): Promise<Tenant> {
    const id = this.s.nextId('tenant');
    return this.s.tenants.insert(id, { id, name, description });
  }

  async insertZone(name: string): Promise<Zone> {
    const id = this.s.nextId('zone');
    return zoneOf(this.s.zones.insert(id, { id, name, nextSeq: 1n, publishes: false }));
  }

  async insertNetwork(n: NewNetwork, free: AddressRange[]): Promise<Network> {
    if (!this.s.dataCenters.has(n.dataCenterId)) throw new Error(`data center ${n.dataCenterId} does not exist`);
    const { id: _ignored, ...attrs } = n as NewNetwork & { id?: number };
    const network: Network = { ...attrs, cidr: parseCidr(n.cidr).text, id: this.s.nextId('network') };
    this.s.checkOverlap(network);
    this.s.networks.insert(network.id, network);
    this.s.freeSet(network.id).replace(free);
    return network;
  }

  async listDataCenters(): Promise<DataCenter[]> {
    return this.s.dataCenters.values().sort(byName);
  }

  async listTenants(): Promise<Tenant[]> {
    return this.s.tenants.values().sort(byName);
  }

  async listZones(): Promise<Zone[]> {
    return this.s.zones.values().sort(byName).map(zoneOf);
  }

  /** Units of work already run one at a time: nothing to wait for. */
  async lockNetwork(_networkId: number): Promise<void> {}

  async occupiedAddresses(networkId: number): Promise<string[]> {
    const active = this.s
      .activeAllocations(networkId)
      .filter((a) => a.address !== null && a.addressReleasedAt === null);
    return [...active.map((a) => a.address!), ...this.s.heldOf(networkId).map((h) => h.address)];
  }

  async replaceFreeRanges(networkId: number, _family: Family, free: AddressRange[]): Promise<void> {
    this.touched.add(networkId);
    this.s.freeSet(networkId).replace(free);
  }

  async updateNetwork(id: number, change: NetworkChange): Promise<Network> {
    const before = await this.networkById(id);
    const defined = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
    const after: Network = { ...before, ...defined };
    if (change.cidr !== undefined) after.cidr = parseCidr(change.cidr).text;
    this.s.checkOverlap(after);
    return this.s.networks.put(id, after);
  }

  async deleteNetwork(id: number): Promise<void> {
    this.s.deleteNetwork(id);
  }

  async activeAllocationCount(networkId: number): Promise<number> {
    return this.s.activeAllocations(networkId).length;
  }

  async releaseNetwork(networkId: number, reason: ReleaseReason): Promise<number> {
    this.touched.add(networkId);
    const now = this.s.now();
    const active = this.s.activeAllocations(networkId);
    for (const a of active) {
      this.s.allocations.put(a.id, {
        ...a,
        addressReleasedAt: a.address === null ? null : (a.addressReleasedAt ?? now),
        nameReleasedAt: a.name === null ? null : (a.nameReleasedAt ?? now),
        releasedAt: now,
        releaseReason: reason,
      });
    }
    return active.length;
  }

  async moveIntoNetwork(from: number, to: number, cidr: string | null): Promise<void> {
    this.touched.add(from).add(to);
    const c = cidr === null ? null : parseCidr(cidr);
    const inside = (address: string | null) => {
      if (c === null) return true;
      const a = address === null ? null : parseAddress(address);
      return (
        a !== null && a.family === c.family && cidrContains(c, parseCidr(`${address}/${a.family === 4 ? 32 : 128}`))
      );
    };
    for (const a of this.s.activeAllocations(from))
      if (inside(a.address)) this.s.allocations.put(a.id, { ...a, networkId: to });
    for (const r of this.s.reservations.byGroup('network', String(from)))
      if (inside(r.first)) this.s.reservations.put(r.id, { ...r, networkId: to });
    for (const h of this.s.heldOf(from)) {
      if (!inside(h.address)) continue;
      this.s.held.delete(heldKey(from, h.address));
      this.s.held.insert(heldKey(to, h.address), { ...h, networkId: to });
    }
  }

  async reservations(networkId: number): Promise<ReservationRecord[]> {
    return this.s.reservations
      .byGroup('network', String(networkId))
      .sort((a, b) => cmp(addressValue(a.first), addressValue(b.first)))
      .map((r) => ({ ...r }));
  }

  async insertReservation(
    networkId: number,
    first: string,
    last: string,
    note: string | null,
  ): Promise<ReservationRecord> {
    if (!this.s.networks.has(networkId)) throw new Error(`network ${networkId} does not exist`);
    const [f, l] = [parseAddress(first)!, parseAddress(last)!];
    if (f.value > l.value) throw new Error('a reservation ends before it starts');
    const id = String(this.s.nextId('reservation'));
    const row = {
      id,
      networkId,
      first: formatAddress(f.family, f.value),
      last: formatAddress(l.family, l.value),
      note,
      createdAt: this.s.now(),
    };
    return { ...this.s.reservations.insert(id, row) };
  }

  async deleteReservation(networkId: number, id: string): Promise<ReservationRecord | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const key = String(BigInt(id));
    const r = this.s.reservations.get(key);
    if (!r || r.networkId !== networkId) return null;
    this.s.reservations.delete(key);
    return { ...r };
  }

  async referencesTo(kind: TopologyKind, id: number): Promise<number> {
    const s = this.s;
    const count = <T>(rows: T[], p: (r: T) => boolean) => rows.filter(p).length;
    if (kind === 'data_center') {
      return (
        count(s.networks.values(), (n) => n.dataCenterId === id) +
        count(s.containers.values(), (c) => c.dataCenterId === id) +
        count(s.grants.values(), (g) => g.dataCenterId === id) +
        count(s.allocations.values(), (a) => a.requestedDcId === id)
      );
    }
    if (kind === 'tenant') {
      return (
        count(s.networks.values(), (n) => n.tenantId === id) +
        count(s.containers.values(), (c) => c.tenantId === id) +
        count(s.users.values(), (u) => u.tenantId === id) +
        count(s.grants.values(), (g) => g.tenantId === id)
      );
    }
    return (
      count(s.networks.values(), (n) => n.zoneId === id) +
      count(s.allocations.values(), (a) => a.zoneId === id && a.nameReleasedAt === null)
    );
  }

  /** As the schema's foreign keys: grants cascade, a tenant's history is detached, anything else still referring refuses. */
  async deleteTopologyObject(kind: TopologyKind, id: number): Promise<void> {
    const s = this.s;
    const refused = (what: string) => new Error(`${kind} ${id} is still referred to by ${what}`);
    if (kind === 'data_center') {
      if (s.networksOf(id).length > 0) throw refused('a network');
      if (s.containers.byGroup('dc', String(id)).length > 0) throw refused('a container');
      if (s.allocations.values().some((a) => a.requestedDcId === id)) throw refused('an allocation');
      for (const g of s.grants.values()) if (g.dataCenterId === id) s.grants.delete(g.id);
      s.dataCenters.delete(id);
    } else if (kind === 'tenant') {
      if (s.networks.values().some((n) => n.tenantId === id)) throw refused('a network');
      if (s.containers.values().some((c) => c.tenantId === id)) throw refused('a container');
      if (s.users.values().some((u) => u.tenantId === id)) throw refused('a user');
      for (const g of s.grants.values()) if (g.tenantId === id) s.grants.delete(g.id);
      for (const a of s.allocations.values()) if (a.tenantId === id) s.allocations.put(a.id, { ...a, tenantId: null });
      s.tenants.delete(id);
    } else {
      // Released history keeps pointing at a zone by id; detach it rather than lose the history.
      for (const a of s.allocations.values()) {
        if (a.zoneId !== id || a.nameReleasedAt === null) continue;
        if (a.address !== null) s.allocations.put(a.id, { ...a, zoneId: null, name: null });
        else s.allocations.delete(a.id);
      }
      if (s.networks.values().some((n) => n.zoneId === id)) throw refused('a network');
      if (s.allocations.values().some((a) => a.zoneId === id)) throw refused('an allocation');
      s.zones.delete(id);
    }
  }

  async allocatedRanges(networkId: number): Promise<{ first: string; last: string }[]> {
    const active = this.s
      .activeAllocations(networkId)
      .filter((a) => a.address !== null && a.addressReleasedAt === null);
    return runs(active.map((a) => a.address!));
  }

  /** Held addresses whose hold-down has ended are free (the allocator sweeps them lazily). */
  async heldRanges(networkId: number): Promise<{ first: string; last: string }[]> {
    const now = this.s.now().getTime();
    return runs(
      this.s
        .heldOf(networkId)
        .filter((h) => h.until.getTime() > now)
        .map((h) => h.address),
    );
  }

  async activeAllocationIds(networkId: number): Promise<string[]> {
    return this.s.activeAllocations(networkId).map((a) => a.id);
  }
}

const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** Consecutive addresses as runs, in order. */
function runs(addresses: string[]): { first: string; last: string }[] {
  if (addresses.length === 0) return [];
  const family = parseAddress(addresses[0])!.family;
  return pointsToRanges(addresses.map(addressValue)).map((r) => ({
    first: formatAddress(family, r.first),
    last: formatAddress(family, r.last),
  }));
}
