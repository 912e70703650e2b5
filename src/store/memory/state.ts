/**
 * The in-memory store's data: the same tables and constraints as the SQL schema (migrations/),
 * kept as indexed Maps. Addresses are canonical text in rows and BigInt in the free sets.
 */
import { StoreConflict } from '../../logic/core/errors';
import { lastAddress, parseAddress, parseCidr, type Cidr } from '../../logic/core/ip';
import type {
  AllocationSource,
  DataCenter,
  Intent,
  Network,
  ReleaseReason,
  Tenant,
  Zone,
} from '../../logic/core/model';
import type { AuditEntry } from '../../logic/audit/port';
import type { Grant, Role } from '../../logic/access/policy';
import type { CarveRecord, ContainerRecord } from '../../logic/topology/container-port';
import type { AlertEventRow } from './alerts';
import { FreeSet } from './free-set';
import { Journal, Table } from './table';

export interface AllocationRow {
  id: string;
  networkId: number | null;
  address: string | null;
  zoneId: number | null;
  name: string | null;
  serverInstance: string;
  source: AllocationSource | null;
  intent: Intent;
  requestedDcId: number;
  requestedVlan: number;
  tenantId: number | null;
  createdAt: Date;
  addressReleasedAt: Date | null;
  nameReleasedAt: Date | null;
  releasedAt: Date | null;
  releaseReason: ReleaseReason | null;
}

export interface ZoneRow extends Zone {
  nextSeq: bigint;
  /** A DNS server is configured (the zone's records are published). */
  publishes: boolean;
}

export interface UserRow {
  id: number;
  username: string;
  role: Role;
  tenantId: number | null;
  passwordHash: string;
  sealedPassword: string | null;
  disabled: boolean;
}

export interface GrantRow extends Grant {
  id: number;
  userId: number;
}

export interface HeldRow {
  networkId: number;
  address: string;
  until: Date;
}

export interface ReservationRow {
  id: string;
  networkId: number;
  first: string;
  last: string;
  note: string | null;
  createdAt: Date;
}

/** A container as stored: its data center and tenant by id (their names are joined on read). */
export type ContainerRow = Omit<ContainerRecord, 'dataCenter' | 'tenant'>;

export interface AuditRecord extends AuditEntry {
  id: string;
  at: Date;
}

export interface OutboxRow {
  id: number;
  allocationId: string;
  zoneId: number | null;
  reverseZoneId: number | null;
  owner: string;
  action: 'add' | 'delete';
  rtype: 'A' | 'AAAA' | 'PTR';
  rdata: string;
}

const key = (...parts: (string | number | null)[]) => parts.join('\u0000');

export class MemoryState {
  readonly journal = new Journal();
  /** ipcd_config.version: bumped by each committed change to what the hot path caches. */
  version = 1n;
  private readonly ids = new Map<string, number>();
  /** The clock every timestamp comes from (a test may move it). */
  now: () => Date;

  readonly dataCenters = new Table<number, DataCenter>(this.journal, 'data_center', {
    uniques: { name: (d) => d.name },
    config: true,
  });
  readonly tenants = new Table<number, Tenant>(this.journal, 'tenant', {
    uniques: { name: (t) => t.name },
    config: true,
  });
  readonly zones = new Table<number, ZoneRow>(this.journal, 'zone', { uniques: { name: (z) => z.name }, config: true });
  readonly networks = new Table<number, Network>(this.journal, 'network', {
    uniques: { name: (n) => n.name },
    groups: { dc: (n) => String(n.dataCenterId) },
    config: true,
  });
  readonly reverseZones = new Table<number, { id: number; prefix: string }>(this.journal, 'reverse_zone', {
    config: true,
  });
  readonly allocations = new Table<string, AllocationRow>(this.journal, 'allocation', {
    uniques: {
      address: (a) => (a.address !== null && a.addressReleasedAt === null ? key(a.networkId, a.address) : null),
      name: (a) => (a.name !== null && a.nameReleasedAt === null ? key(a.zoneId, a.name) : null),
      instance: (a) =>
        a.releasedAt === null ? key(a.requestedDcId, a.requestedVlan, a.serverInstance, a.intent) : null,
    },
    groups: {
      active: (a) => (a.releasedAt === null ? String(a.networkId) : null),
      network: (a) => (a.networkId === null ? null : String(a.networkId)),
      instance: (a) => (a.releasedAt === null ? a.serverInstance : null),
    },
  });
  readonly held = new Table<string, HeldRow>(this.journal, 'held_address', {
    groups: { network: (h) => String(h.networkId) },
  });
  readonly reservations = new Table<string, ReservationRow>(this.journal, 'reservation', {
    groups: { network: (r) => String(r.networkId) },
  });
  readonly users = new Table<number, UserRow>(this.journal, 'app_user', {
    uniques: { username: (u) => u.username },
    config: true,
  });
  readonly grants = new Table<number, GrantRow>(this.journal, 'user_grant', {
    groups: { user: (g) => String(g.userId) },
    config: true,
  });
  /** container: name unique; the exclusion constraint (no overlap within a data center) is MemoryContainers'. */
  readonly containers = new Table<number, ContainerRow>(this.journal, 'container', {
    uniques: { name: (c) => c.name },
    groups: { dc: (c) => String(c.dataCenterId) },
  });
  /** carve, keyed by its unique idempotency key. */
  readonly carves = new Table<string, CarveRecord>(this.journal, 'carve', {
    groups: {
      container: (c) => String(c.containerId),
      network: (c) => (c.networkId === null ? null : String(c.networkId)),
    },
  });
  readonly audit = new Table<string, AuditRecord>(this.journal, 'audit_log');
  readonly nonces = new Table<string, { nonce: string; seenAt: Date }>(this.journal, 'ws_nonce');
  readonly authFailures = new Table<number, { id: number; key: string; at: Date }>(this.journal, 'auth_failure', {
    groups: { key: (f) => f.key },
  });
  readonly sessions = new Table<
    string,
    { tokenHash: string; userId: number; csrfToken: string; createdAt: Date; lastSeenAt: Date }
  >(this.journal, 'ui_session');
  readonly thresholds = new Table<number, { networkId: number; percent: number }>(
    this.journal,
    'network.alert_threshold_percent',
  );
  readonly alertStates = new Table<
    number,
    { networkId: number; state: 'normal' | 'high'; percent: number; changedAt: Date }
  >(this.journal, 'network_alert');
  readonly alertEvents = new Table<string, AlertEventRow>(this.journal, 'alert_event');
  readonly outbox = new Table<number, OutboxRow>(this.journal, 'dns_outbox', {
    groups: { allocation: (o) => o.allocationId },
  });
  private readonly free = new Map<number, FreeSet>();

  constructor(now: () => Date = () => new Date()) {
    this.now = now;
  }

  /** The next identity value of a table (never reused, as a sequence: not rolled back). */
  nextId(table: string): number {
    const n = (this.ids.get(table) ?? 0) + 1;
    this.ids.set(table, n);
    return n;
  }

  /** The network's free set (created empty on first use; dropped with the network). */
  freeSet(networkId: number): FreeSet {
    let f = this.free.get(networkId);
    if (!f) this.free.set(networkId, (f = new FreeSet(this.journal)));
    return f;
  }

  network(id: number | null): Network | undefined {
    return id === null ? undefined : this.networks.get(id);
  }

  networksOf(dataCenterId: number): Network[] {
    return this.networks.byGroup('dc', String(dataCenterId)).sort(byId);
  }

  activeAllocations(networkId: number): AllocationRow[] {
    return this.allocations.byGroup('active', String(networkId));
  }

  heldOf(networkId: number): HeldRow[] {
    return this.held.byGroup('network', String(networkId));
  }

  /** The exclusion constraint: networks on one (data center, VLAN) do not overlap. */
  checkOverlap(n: Network): void {
    const c = parseCidr(n.cidr);
    for (const o of this.networksOf(n.dataCenterId)) {
      if (o.id === n.id || (o.vlan ?? 0) !== (n.vlan ?? 0)) continue;
      const p = parseCidr(o.cidr);
      if (p.family === c.family && overlaps(p, c))
        throw new StoreConflict(`network ${n.name} (${n.cidr}) overlaps ${o.name} (${o.cidr})`);
    }
  }

  /** Removes the network with what cascades from it; its history keeps the allocations (network_id NULL). */
  deleteNetwork(id: number): void {
    if (this.activeAllocations(id).length > 0) throw new Error(`network ${id} still has active allocations`);
    for (const a of this.allocations.byGroup('network', String(id)))
      this.allocations.put(a.id, { ...a, networkId: null });
    for (const h of this.heldOf(id)) this.held.delete(heldKey(h.networkId, h.address));
    for (const r of this.reservations.byGroup('network', String(id))) this.reservations.delete(r.id);
    this.freeSet(id).replace([]);
    this.thresholds.delete(id);
    this.alertStates.delete(id);
    for (const e of this.alertEvents.values())
      if (e.networkId === id) this.alertEvents.put(e.id, { ...e, networkId: null });
    // carve.network_id ON DELETE SET NULL: the carve outlives its network, so a late retry is told.
    for (const c of this.carves.byGroup('network', String(id))) this.carves.put(c.key, { ...c, networkId: null });
    this.networks.delete(id);
  }
}

export const heldKey = (networkId: number, address: string) => key(networkId, address);
export const byId = <T extends { id: number }>(a: T, b: T) => a.id - b.id;

export function addressValue(text: string): bigint {
  return parseAddress(text)!.value;
}

const overlaps = (a: Cidr, b: Cidr) => a.network <= lastAddress(b) && b.network <= lastAddress(a);
