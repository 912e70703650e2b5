/**
 * The configuration the commissioning flow reads, served from memory. It is only ever a
 * suggestion: every write re-checks the version it was made from (see allocator-port.ts), and a
 * refusal made from it is confirmed against the database's version before it is sent. A change
 * in any process reaches this one by NOTIFY (milliseconds) or, failing that, by the next write.
 */
import type { Allocator, SnapshotZone, TopologySnapshot } from '../allocation/allocator-port';
import type { Family } from '../core/ip';
import type { DataCenter, Network } from '../core/model';
import type { UserRecord } from '../access/port';

export class Topology {
  readonly version: bigint;
  private readonly dcByName = new Map<string, DataCenter>();
  private readonly byVlan = new Map<string, Network[]>();
  private readonly byDc = new Map<number, Network[]>();
  private readonly zoneById = new Map<number, SnapshotZone>();
  private readonly userByName = new Map<string, UserRecord>();
  private readonly dcById = new Map<number, DataCenter>();
  private readonly networkById = new Map<number, Network>();

  constructor(readonly snapshot: TopologySnapshot) {
    this.version = snapshot.version;
    for (const d of snapshot.dataCenters) {
      this.dcByName.set(d.name, d);
      this.dcById.set(d.id, d);
    }
    for (const n of snapshot.networks) {
      this.networkById.set(n.id, n);
      push(this.byDc, n.dataCenterId, n);
      if (n.vlan !== null) push(this.byVlan, `${n.dataCenterId}/${n.vlan}`, n);
    }
    for (const z of snapshot.zones) this.zoneById.set(z.id, z);
    for (const u of snapshot.users) this.userByName.set(u.username, u);
  }

  dataCenterByName(name: string): DataCenter | null {
    return this.dcByName.get(name) ?? null;
  }

  dataCentersWithVlan(vlan: number): DataCenter[] {
    return [...this.dcById.values()]
      .filter((d) => this.byVlan.has(`${d.id}/${vlan}`))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  networksOnVlan(dataCenterId: number, vlan: number): Network[] {
    return this.byVlan.get(`${dataCenterId}/${vlan}`) ?? [];
  }

  networksOfTenants(dataCenterId: number, tenantIds: number[], family: Family): Network[] {
    return (this.byDc.get(dataCenterId) ?? []).filter(
      (n) => n.family === family && n.tenantId !== null && tenantIds.includes(n.tenantId),
    );
  }

  reservePools(dataCenterId: number, family: Family): Network[] {
    return (this.byDc.get(dataCenterId) ?? []).filter((n) => n.family === family && n.reservePool);
  }

  /** Hold-downs of the data center's networks that have one, by network id. */
  holdDowns(dataCenterId: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const n of this.byDc.get(dataCenterId) ?? []) if (n.holdDownSeconds > 0) out[n.id] = n.holdDownSeconds;
    return out;
  }

  network(id: number): Network | null {
    return this.networkById.get(id) ?? null;
  }

  dataCenterName(id: number): string {
    return this.dcById.get(id)?.name ?? String(id);
  }

  zone(id: number): SnapshotZone | null {
    return this.zoneById.get(id) ?? null;
  }

  user(username: string): UserRecord | null {
    return this.userByName.get(username) ?? null;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export class TopologyCache {
  private current: Topology | null = null;
  private loading: Promise<Topology> | null = null;
  /** The newest version heard of; above current.version, the copy is reloaded before use. */
  private newest = 0n;
  private readonly unlisten: () => void;

  constructor(private readonly source: Allocator) {
    this.unlisten = source.onConfigChange((v) => this.heard(v));
  }

  /** The configuration as last loaded, reloaded first if it is known to be out of date. */
  async get(): Promise<Topology> {
    if (this.current && this.current.version >= this.newest) return this.current;
    return this.reload();
  }

  /** A write answered STALE: the database is at `version`. */
  heard(version: bigint): void {
    if (version > this.newest) this.newest = version;
  }

  /** True when the database's configuration differs from the copy a refusal was made from. */
  async outdated(t: Topology, source: Allocator = this.source): Promise<boolean> {
    const v = await source.configVersion();
    this.heard(v);
    return v !== t.version;
  }

  close(): void {
    this.unlisten();
  }

  /** Loads the configuration now, through `source` (a pinned connection), not shared with others. */
  async reloadWith(source: Allocator): Promise<Topology> {
    const t = new Topology(await source.loadSnapshot());
    if (!this.current || t.version >= this.current.version) this.current = t;
    this.heard(t.version);
    return t;
  }

  private reload(): Promise<Topology> {
    // Concurrent requests share one load.
    return (this.loading ??= this.source
      .loadSnapshot()
      .then((s) => {
        const t = new Topology(s);
        if (!this.current || t.version >= this.current.version) this.current = t;
        this.heard(t.version);
        return this.current;
      })
      .finally(() => {
        this.loading = null;
      }));
  }
}
