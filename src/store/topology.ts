/** Data centers, tenants, zones and networks: lookups, inserts, edits, moves, free space, reservations. */
import { formatAddress, type AddressRange, type Family } from '../logic/core/ip';
import type { DataCenter, Network, ReleaseReason, Tenant, Zone } from '../logic/core/model';
import type { NetworkChange, NewNetwork, ReservationRecord, TopologyKind, TopologyPort } from '../logic/topology/port';
import { canonicalAddress, networkFromRow } from './mapping';
import { Query, type Sql } from './sql';

/** Advisory-lock namespace of a network: takers and returners share it, management takes it alone. */
const NETWORK_LOCK = 0x1668;

const COLUMNS: Record<keyof NetworkChange, string> = {
  name: 'name',
  cidr: 'cidr',
  vxlan: 'vxlan',
  tenantId: 'tenant_id',
  priority: 'priority',
  zoneId: 'zone_id',
  gateway: 'gateway',
  reservePool: 'reserve_pool',
  namePattern: 'name_pattern',
  tags: 'tags',
  holdDownSeconds: 'hold_down_seconds',
};

const toReservation = (r: Record<string, unknown>): ReservationRecord => ({
  id: String(r.id),
  networkId: r.network_id as number,
  first: canonicalAddress(r.first_addr as string),
  last: canonicalAddress(r.last_addr as string),
  note: (r.note as string | null) ?? null,
  createdAt: new Date(r.created_at as string),
});

const REFERENCES: Record<TopologyKind, string[]> = {
  data_center: [
    'SELECT count(*) FROM network WHERE data_center_id = $1',
    'SELECT count(*) FROM user_grant WHERE data_center_id = $1',
    'SELECT count(*) FROM allocation WHERE requested_dc_id = $1',
  ],
  tenant: [
    'SELECT count(*) FROM network WHERE tenant_id = $1',
    'SELECT count(*) FROM app_user WHERE tenant_id = $1',
    'SELECT count(*) FROM user_grant WHERE tenant_id = $1',
  ],
  zone: [
    'SELECT count(*) FROM network WHERE zone_id = $1',
    'SELECT count(*) FROM allocation WHERE zone_id = $1 AND name_released_at IS NULL',
  ],
};

/** Data centers and tenants as the logic sees them. */
const NAMED = 'id, name, description';

export class SqlTopology implements TopologyPort {
  constructor(private readonly db: Sql) {}

  async dataCenterByName(name: string): Promise<DataCenter | null> {
    return this.db.one<DataCenter>(`SELECT ${NAMED} FROM data_center WHERE name = $1`, [name]);
  }

  dataCentersWithVlan(vlan: number): Promise<DataCenter[]> {
    return this.db.rows<DataCenter>(
      `SELECT ${NAMED} FROM data_center WHERE id IN (SELECT data_center_id FROM network WHERE vlan = $1) ORDER BY name`,
      [vlan],
    );
  }

  tenantByName(name: string): Promise<Tenant | null> {
    return this.db.one<Tenant>(`SELECT ${NAMED} FROM tenant WHERE name = $1`, [name]);
  }

  zoneByName(name: string): Promise<Zone | null> {
    return this.db.one<Zone>(`SELECT id, name FROM zone WHERE name = $1`, [name]);
  }

  zoneById(id: number): Promise<Zone | null> {
    return this.db.one<Zone>(`SELECT id, name FROM zone WHERE id = $1`, [id]);
  }

  private async networks(where: string, params: unknown[]): Promise<Network[]> {
    return (await this.db.rows(`SELECT * FROM network n WHERE ${where}`, params)).map(networkFromRow);
  }

  async networkByName(name: string): Promise<Network | null> {
    return (await this.networks('n.name = $1', [name]))[0] ?? null;
  }

  async networkById(id: number): Promise<Network> {
    const [n] = await this.networks('n.id = $1', [id]);
    if (!n) throw new Error(`network ${id} does not exist`);
    return n;
  }

  async networkName(id: number): Promise<string> {
    return (await this.networkById(id)).name;
  }

  networksOnVlan(dataCenterId: number, vlan: number): Promise<Network[]> {
    return this.networks('n.data_center_id = $1 AND n.vlan = $2', [dataCenterId, vlan]);
  }

  async networksOfTenants(dataCenterId: number, tenantIds: number[], family: Family): Promise<Network[]> {
    if (tenantIds.length === 0) return [];
    return (
      await this.networks('n.data_center_id = $1 AND n.tenant_id = ANY($2::int[])', [dataCenterId, tenantIds])
    ).filter((n) => n.family === family);
  }

  async reservePools(dataCenterId: number, family: Family): Promise<Network[]> {
    return (await this.networks('n.data_center_id = $1 AND n.reserve_pool', [dataCenterId])).filter(
      (n) => n.family === family,
    );
  }

  overlappingNetworks(dataCenterId: number, vlan: number | null, cidr: string): Promise<Network[]> {
    return this.networks('n.data_center_id = $1 AND coalesce(n.vlan, 0) = $2 AND n.cidr && CAST($3 AS cidr)', [
      dataCenterId,
      vlan ?? 0,
      cidr,
    ]);
  }

  async insertDataCenter(name: string, description: string | null): Promise<DataCenter> {
    return (await this.db.one<DataCenter>(
      `INSERT INTO data_center (name, description) VALUES ($1, $2) RETURNING ${NAMED}`,
      [name, description],
    ))!;
  }

  async insertTenant(name: string, description: string | null): Promise<Tenant> {
    return (await this.db.one<Tenant>(`INSERT INTO tenant (name, description) VALUES ($1, $2) RETURNING ${NAMED}`, [
      name,
      description,
    ]))!;
  }

  async insertZone(name: string): Promise<Zone> {
    return (await this.db.one<Zone>(`INSERT INTO zone (name) VALUES ($1) RETURNING id, name`, [name]))!;
  }

  async insertNetwork(n: NewNetwork, free: AddressRange[]): Promise<Network> {
    const row = await this.db.one(
      `INSERT INTO network (name, cidr, data_center_id, vlan, vxlan, tenant_id, priority, zone_id, gateway, reserve_pool, name_pattern, tags, hold_down_seconds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13) RETURNING *`,
      [
        n.name,
        n.cidr,
        n.dataCenterId,
        n.vlan,
        n.vxlan,
        n.tenantId,
        n.priority,
        n.zoneId,
        n.gateway,
        n.reservePool,
        n.namePattern,
        JSON.stringify(n.tags ?? {}),
        n.holdDownSeconds,
      ],
    );
    const network = networkFromRow(row!);
    if (free.length > 0) await this.insertFreeRanges(network.id, n.family, free);
    return network;
  }

  listDataCenters(): Promise<DataCenter[]> {
    return this.db.rows<DataCenter>(`SELECT ${NAMED} FROM data_center ORDER BY name`);
  }

  listTenants(): Promise<Tenant[]> {
    return this.db.rows<Tenant>(`SELECT ${NAMED} FROM tenant ORDER BY name`);
  }

  listZones(): Promise<Zone[]> {
    return this.db.rows<Zone>(`SELECT id, name FROM zone ORDER BY name`);
  }

  async deleteNetwork(id: number): Promise<void> {
    await this.db.rows(`DELETE FROM network WHERE id = $1`, [id]);
  }

  async activeAllocationCount(networkId: number): Promise<number> {
    const r = await this.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM allocation WHERE network_id = $1 AND released_at IS NULL`,
      [networkId],
    );
    return r!.n;
  }

  async lockNetwork(networkId: number): Promise<void> {
    await this.db.rows(`SELECT pg_advisory_xact_lock($1, $2)`, [NETWORK_LOCK, networkId]);
  }

  async occupiedAddresses(networkId: number): Promise<string[]> {
    const rows: { a: string }[] = await this.db.rows(
      `SELECT host(address) AS a FROM allocation WHERE network_id = $1 AND address IS NOT NULL AND address_released_at IS NULL
       UNION ALL SELECT host(address) FROM held_address WHERE network_id = $1`,
      [networkId],
    );
    return rows.map((r) => canonicalAddress(r.a));
  }

  async replaceFreeRanges(networkId: number, family: Family, free: AddressRange[]): Promise<void> {
    this.db.changes.fill(networkId);
    await this.db.rows(`DELETE FROM free_range WHERE network_id = $1`, [networkId]);
    await this.insertFreeRanges(networkId, family, free);
  }

  private async insertFreeRanges(networkId: number, family: Family, free: AddressRange[]): Promise<void> {
    const chunk = 1000;
    for (let i = 0; i < free.length; i += chunk) {
      const part = free.slice(i, i + chunk);
      await this.db.rows(
        `INSERT INTO free_range (network_id, first_addr, last_addr)
         SELECT $1, f::inet, l::inet FROM unnest($2::text[], $3::text[]) AS t(f, l)`,
        [networkId, part.map((r) => formatAddress(family, r.first)), part.map((r) => formatAddress(family, r.last))],
      );
    }
  }

  async updateNetwork(id: number, change: NetworkChange): Promise<Network> {
    const w = new Query([id]);
    const sets = ['updated_at = now()'];
    for (const [key, value] of Object.entries(change) as [keyof NetworkChange, unknown][]) {
      if (value === undefined) continue;
      sets.push(key === 'tags' ? `tags = ${w.p(JSON.stringify(value))}::jsonb` : `${COLUMNS[key]} = ${w.p(value)}`);
    }
    await this.db.rows(`UPDATE network SET ${sets.join(', ')} WHERE id = $1`, w.params);
    return this.networkById(id);
  }

  async releaseNetwork(networkId: number, reason: ReleaseReason): Promise<number> {
    this.db.changes.fill(networkId);
    return this.db.count(
      `UPDATE allocation SET
         address_released_at = CASE WHEN address IS NOT NULL THEN coalesce(address_released_at, now()) END,
         name_released_at = CASE WHEN name IS NOT NULL THEN coalesce(name_released_at, now()) END,
         released_at = now(), release_reason = $2
       WHERE network_id = $1 AND released_at IS NULL RETURNING id`,
      [networkId, reason],
    );
  }

  async moveIntoNetwork(from: number, to: number, cidr: string | null): Promise<void> {
    this.db.changes.fill(from, to);
    const inside = cidr === null ? '' : `AND address <<= CAST($3 AS cidr)`;
    const params = cidr === null ? [from, to] : [from, to, cidr];
    await this.db.rows(
      `UPDATE allocation SET network_id = $2 WHERE network_id = $1 AND released_at IS NULL ${inside}`,
      params,
    );
    await this.db.rows(
      `UPDATE reservation SET network_id = $2 WHERE network_id = $1 ${cidr === null ? '' : 'AND first_addr <<= CAST($3 AS cidr)'}`,
      params,
    );
    await this.db.rows(
      `UPDATE held_address SET network_id = $2 WHERE network_id = $1 ${cidr === null ? '' : 'AND address <<= CAST($3 AS cidr)'}`,
      params,
    );
  }

  async reservations(networkId: number): Promise<ReservationRecord[]> {
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT * FROM reservation WHERE network_id = $1 ORDER BY first_addr`,
      [networkId],
    );
    return rows.map(toReservation);
  }

  async insertReservation(
    networkId: number,
    first: string,
    last: string,
    note: string | null,
  ): Promise<ReservationRecord> {
    const rows: Record<string, unknown>[] = await this.db.rows(
      `INSERT INTO reservation (network_id, first_addr, last_addr, note) VALUES ($1, $2::inet, $3::inet, $4) RETURNING *`,
      [networkId, first, last, note],
    );
    return toReservation(rows[0]);
  }

  async deleteReservation(networkId: number, id: string): Promise<ReservationRecord | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const rows = await this.db.rows(`DELETE FROM reservation WHERE network_id = $1 AND id = $2::bigint RETURNING *`, [
      networkId,
      id,
    ]);
    return rows.length ? toReservation(rows[0]) : null;
  }

  async referencesTo(kind: TopologyKind, id: number): Promise<number> {
    const [row] = await this.db.rows(`SELECT ${REFERENCES[kind].map((q) => `(${q})`).join(' + ')} AS n`, [id]);
    return Number(row.n);
  }

  async deleteTopologyObject(kind: TopologyKind, id: number): Promise<void> {
    // Released history keeps pointing at a zone by id; detach it rather than lose the history.
    if (kind === 'zone')
      await this.db.rows(
        `UPDATE allocation SET zone_id = NULL, name = NULL WHERE zone_id = $1 AND name_released_at IS NOT NULL AND address IS NOT NULL`,
        [id],
      );
    if (kind === 'zone')
      await this.db.rows(
        `DELETE FROM allocation WHERE zone_id = $1 AND name_released_at IS NOT NULL AND address IS NULL`,
        [id],
      );
    await this.db.rows(`DELETE FROM ${kind} WHERE id = $1`, [id]);
  }

  /** Gaps and islands: consecutive addresses share (address - rank), one row per run. */
  private async runs(source: string, networkId: number): Promise<{ first: string; last: string }[]> {
    const rows: { first: string; last: string }[] = await this.db.rows(
      `SELECT host(min(address)) AS first, host(max(address)) AS last
       FROM (SELECT address, address - (row_number() OVER (ORDER BY address))::bigint AS run FROM (${source}) src) s
       GROUP BY run ORDER BY min(address)`,
      [networkId],
    );
    return rows.map((r) => ({ first: canonicalAddress(r.first), last: canonicalAddress(r.last) }));
  }

  allocatedRanges(networkId: number): Promise<{ first: string; last: string }[]> {
    return this.runs(
      `SELECT address FROM allocation WHERE network_id = $1 AND address IS NOT NULL AND address_released_at IS NULL`,
      networkId,
    );
  }

  /** Held addresses whose hold-down has ended are free (the allocator sweeps them lazily). */
  heldRanges(networkId: number): Promise<{ first: string; last: string }[]> {
    return this.runs(`SELECT address FROM held_address WHERE network_id = $1 AND until > now()`, networkId);
  }

  async activeAllocationIds(networkId: number): Promise<string[]> {
    const rows: { id: string }[] = await this.db.rows(
      `SELECT id FROM allocation WHERE network_id = $1 AND released_at IS NULL`,
      [networkId],
    );
    return rows.map((r) => r.id);
  }
}
