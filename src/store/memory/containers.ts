/**
 * ContainerPort in memory: the SQL of src/store/containers.ts over MemoryState, with the
 * constraints of migration 1764921600000 (Containers): container names unique, containers of one
 * data center never overlapping (the exclusion constraint), idempotency keys unique (each a
 * StoreConflict, as the SQL store reports a unique or exclusion violation), the foreign keys
 * refusing rows that point at nothing, and a container's carves going with it (ON DELETE CASCADE).
 */
import { bitsOf, cidrContains, parseCidr, type Cidr } from '../../logic/core/ip';
import { StoreConflict } from '../../logic/core/errors';
import type { Network } from '../../logic/core/model';
import type { CarveRecord, ContainerPort, ContainerRecord, NewContainer } from '../../logic/topology/container-port';
import type { ContainerRow, MemoryState } from './state';

const overlaps = (a: Cidr, b: Cidr) => a.family === b.family && (cidrContains(a, b) || cidrContains(b, a));

/** PostgreSQL's order of cidr values: family, then the shared leading bits, then the shorter prefix first. */
export function cidrOrder(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family - b.family;
  const common = BigInt(bitsOf(a.family) - Math.min(a.prefixLength, b.prefixLength));
  const [x, y] = [a.network >> common, b.network >> common];
  if (x !== y) return x < y ? -1 : 1;
  if (a.prefixLength !== b.prefixLength) return a.prefixLength - b.prefixLength;
  return a.network < b.network ? -1 : a.network > b.network ? 1 : 0;
}

const byCidr = <T extends { cidr: string; id: number }>(a: T, b: T) =>
  cidrOrder(parseCidr(a.cidr), parseCidr(b.cidr)) || a.id - b.id;
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class MemoryContainers implements ContainerPort {
  constructor(private readonly s: MemoryState) {}

  /** The row with its data center's and tenant's names (the SELECT's joins). */
  private record(c: ContainerRow): ContainerRecord {
    return {
      ...c,
      dataCenter: this.s.dataCenters.get(c.dataCenterId)!.name,
      tenant: c.tenantId === null ? null : this.s.tenants.get(c.tenantId)!.name,
    };
  }

  async containerByName(name: string): Promise<ContainerRecord | null> {
    const c = this.s.containers.byUnique('name', name);
    return c ? this.record(c) : null;
  }

  /** Units of work already run one at a time: nothing to wait for, only the row to read. */
  async lockContainer(id: number): Promise<ContainerRecord> {
    const c = this.s.containers.get(id);
    if (!c) throw new Error(`container ${id} does not exist`);
    return this.record(c);
  }

  async overlappingContainers(dataCenterId: number, cidr: string): Promise<ContainerRecord[]> {
    const p = parseCidr(cidr);
    return this.inDataCenter(dataCenterId)
      .filter((c) => overlaps(parseCidr(c.cidr), p))
      .map((c) => this.record(c));
  }

  async listContainers(filter: { dataCenterId?: number }): Promise<ContainerRecord[]> {
    const rows =
      filter.dataCenterId === undefined ? this.s.containers.values() : this.inDataCenter(filter.dataCenterId);
    return rows.map((c) => this.record(c)).sort((a, b) => byText(a.dataCenter, b.dataCenter) || byCidr(a, b));
  }

  async insertContainer(c: NewContainer): Promise<ContainerRecord> {
    if (!this.s.dataCenters.has(c.dataCenterId)) throw new Error(`data center ${c.dataCenterId} does not exist`);
    if (c.tenantId !== null && !this.s.tenants.has(c.tenantId)) throw new Error(`tenant ${c.tenantId} does not exist`);
    const cidr = parseCidr(c.cidr);
    // container_no_overlap_in_dc: EXCLUDE USING gist (data_center_id WITH =, cidr inet_ops WITH &&).
    const clash = this.inDataCenter(c.dataCenterId).find((o) => overlaps(parseCidr(o.cidr), cidr));
    if (clash) throw new StoreConflict(`container ${c.name} (${cidr.text}) overlaps ${clash.name} (${clash.cidr})`);
    const id = this.s.nextId('container');
    const row: ContainerRow = {
      id,
      name: c.name,
      cidr: cidr.text,
      family: cidr.family,
      dataCenterId: c.dataCenterId,
      tenantId: c.tenantId,
      description: c.description,
    };
    return this.record(this.s.containers.insert(id, row));
  }

  async deleteContainer(id: number): Promise<void> {
    if (!this.s.containers.has(id)) return;
    for (const carve of this.s.carves.byGroup('container', String(id))) this.s.carves.delete(carve.key);
    this.s.containers.delete(id);
  }

  async networksInPrefix(dataCenterId: number, cidr: string): Promise<Network[]> {
    const p = parseCidr(cidr);
    return this.s
      .networksOf(dataCenterId)
      .filter((n) => overlaps(parseCidr(n.cidr), p))
      .sort(byCidr);
  }

  async carveByKey(key: string): Promise<CarveRecord | null> {
    const c = this.s.carves.get(key);
    return c ? { ...c } : null;
  }

  async insertCarve(c: CarveRecord): Promise<void> {
    if (!this.s.containers.has(c.containerId)) throw new Error(`container ${c.containerId} does not exist`);
    if (c.networkId !== null && !this.s.networks.has(c.networkId))
      throw new Error(`network ${c.networkId} does not exist`);
    this.s.carves.insert(c.key, { ...c, cidr: parseCidr(c.cidr).text });
  }

  async carvedNetworkIds(containerId: number): Promise<number[]> {
    return this.s.carves
      .byGroup('container', String(containerId))
      .filter((c) => c.networkId !== null)
      .map((c) => c.networkId!);
  }

  private inDataCenter(dataCenterId: number): ContainerRow[] {
    return this.s.containers.byGroup('dc', String(dataCenterId)).sort(byCidr);
  }
}
