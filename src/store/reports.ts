/** Read models: network usage, allocation listings and searches, usage by day, the change stamp. */
import type { Grant } from '../logic/access/policy';
import type { NetworkFilter, NetworkUsage } from '../logic/core/model';
import type {
  ActiveAllocationFilter,
  ActiveAllocationRow,
  AllocationSearchFilter,
  AllocationSearchRow,
  NetworkSearchFilter,
  NetworkSearchRow,
  ReportsPort,
  UsageDayRow,
} from '../logic/reporting/port';
import { DNS_SUMMARY_JOIN, toDnsSummary } from './dns';
import { canonicalAddress, networkFromRow, toAllocation } from './mapping';
import { Query, type Row, type Sql } from './sql';

/** A network with its names and counts, as networkUsage and searchNetworks select them. */
const usageOf = (r: Row): Omit<NetworkUsage, 'assignable'> => ({
  network: networkFromRow(r.network as Row),
  dataCenter: r.dc_name as string,
  tenant: (r.tenant_name as string | null) ?? null,
  zone: (r.zone_name as string | null) ?? null,
  used: BigInt(r.used as string),
  held: BigInt(r.held as string),
});

export class SqlReports implements ReportsPort {
  constructor(private readonly db: Sql) {}

  async networkUsage(filter: NetworkFilter): Promise<Omit<NetworkUsage, 'assignable'>[]> {
    const w = new Query().network(filter);
    const rows = await this.db.rows(
      `SELECT to_jsonb(n) AS network, d.name AS dc_name, t.name AS tenant_name, z.name AS zone_name,
         (SELECT count(*) FROM allocation a WHERE a.network_id = n.id AND a.address IS NOT NULL AND a.address_released_at IS NULL) AS used,
         (SELECT count(*) FROM held_address h WHERE h.network_id = n.id AND h.until > now()) AS held
       FROM network n
       JOIN data_center d ON d.id = n.data_center_id
       LEFT JOIN tenant t ON t.id = n.tenant_id
       LEFT JOIN zone z ON z.id = n.zone_id
       WHERE ${w.sql}
       ORDER BY d.name, n.vlan ASC NULLS LAST, n.priority, n.name`,
      w.params,
    );
    return rows.map(usageOf);
  }

  async listActiveAllocations(f: ActiveAllocationFilter): Promise<ActiveAllocationRow[]> {
    const w = new Query([], 'a.released_at IS NULL');
    w.eq('a.requested_dc_id', f.dataCenterId).eq('a.requested_vlan', f.vlan).eq('a.server_instance', f.serverInstance);
    // Keyset order: data center, VLAN, address (numeric; IPv4 before IPv6; name-only last), id.
    const key = `(dc.name COLLATE "C", a.requested_vlan, a.address IS NULL, coalesce(a.address, '0.0.0.0'::inet), a.id)`;
    const k = f.after;
    if (k !== undefined) {
      w.where(
        `${key} > (${w.p(k.dataCenter)} COLLATE "C", ${w.p(k.vlan)}::int, ${w.p(k.address === null)}::boolean, ` +
          `coalesce(${w.p(k.address)}::inet, '0.0.0.0'::inet), ${w.p(k.id)}::uuid)`,
      );
    }
    w.scope(f.scope, 'n.data_center_id', 'n.tenant_id');
    const rows = await this.db.rows(
      `SELECT a.*, dc.name AS dc_name, n.name AS network_name, z.name AS zone_name, d.*
       FROM allocation a
       JOIN data_center dc ON dc.id = a.requested_dc_id
       JOIN network n ON n.id = a.network_id
       LEFT JOIN zone z ON z.id = a.zone_id
       ${DNS_SUMMARY_JOIN}
       WHERE ${w.sql}
       ORDER BY ${key} LIMIT ${w.p(f.limit)}`,
      w.params,
    );
    return rows.map((r) => ({
      ...toAllocation(r),
      dataCenter: r.dc_name as string,
      network: r.network_name as string,
      zone: (r.zone_name as string | null) ?? null,
      dns: toDnsSummary(r),
    }));
  }

  async searchNetworks(f: NetworkSearchFilter): Promise<NetworkSearchRow[]> {
    const w = new Query([]);
    w.network(f);
    w.tag('n.tags', f.tagKey, f.tagValue);
    if (f.address !== undefined) w.where(`n.cidr >>= ${w.p(f.address)}::inet`);
    if (f.nameLike !== undefined) w.where(`strpos(lower(n.name), lower(${w.p(f.nameLike)})) > 0`);
    w.eq('n.id', f.id);
    w.scope(f.scope, 'n.data_center_id', 'n.tenant_id');
    if (f.afterId !== undefined) w.where(`n.id > ${w.p(f.afterId)}`);
    const rows: Record<string, unknown>[] = await this.db.rows(
      // Active addresses counted in one pass over the page's networks: a count per network in a
      // subquery made PostgreSQL scan the whole table once per network when one network is large.
      `WITH page AS (
         SELECT n.id, to_jsonb(n) AS network, d.name AS dc_name, t.name AS tenant_name, z.name AS zone_name
         FROM network n
         JOIN data_center d ON d.id = n.data_center_id
         LEFT JOIN tenant t ON t.id = n.tenant_id
         LEFT JOIN zone z ON z.id = n.zone_id
         WHERE ${w.sql}
         ORDER BY n.id LIMIT ${w.p(f.limit)}
       ), used AS (
         SELECT a.network_id, count(*) AS used FROM allocation a
         WHERE a.network_id IN (SELECT id FROM page) AND a.address IS NOT NULL AND a.address_released_at IS NULL
         GROUP BY a.network_id
       )
       SELECT page.*, coalesce(used.used, 0) AS used,
         (SELECT count(*) FROM held_address h WHERE h.network_id = page.id AND h.until > now()) AS held,
         (SELECT coalesce(json_agg(json_build_array(host(r.first_addr), host(r.last_addr)) ORDER BY r.first_addr), '[]')
            FROM reservation r WHERE r.network_id = page.id) AS reserved
       FROM page LEFT JOIN used ON used.network_id = page.id
       ORDER BY page.id`,
      w.params,
    );
    return rows.map((r) => ({
      ...usageOf(r),
      reserved: (typeof r.reserved === 'string' ? JSON.parse(r.reserved) : (r.reserved as [string, string][])).map(
        ([a, b]: [string, string]) => ({
          first: canonicalAddress(a),
          last: canonicalAddress(b),
        }),
      ),
    }));
  }

  async searchAllocations(f: AllocationSearchFilter): Promise<AllocationSearchRow[]> {
    const w = new Query([], f.includeReleased ? 'true' : 'a.released_at IS NULL');
    w.eq('coalesce(n.data_center_id, a.requested_dc_id)', f.dataCenterId);
    w.eq('a.requested_vlan', f.vlan);
    w.eq('a.tenant_id', f.tenantId);
    w.eq('a.network_id', f.networkId);
    w.tag('n.tags', f.tagKey, f.tagValue);
    w.eq('a.address', f.address, '::inet');
    if (f.name !== undefined) {
      w.where(`a.name = ${w.p(f.name.label)}`);
      w.eq('z.name', f.name.zone);
    }
    w.eq('a.server_instance', f.serverInstance);
    w.scope(f.scope, 'coalesce(n.data_center_id, a.requested_dc_id)', 'a.tenant_id');
    if (f.after !== undefined) w.where(`a.id > ${w.p(f.after)}::uuid`);
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT a.*, host(a.address) AS issued_address, n.name AS network_name, dcn.name AS dc_name, t.name AS tenant_name, z.name AS zone_name, d.*
       FROM allocation a
       LEFT JOIN network n ON n.id = a.network_id
       JOIN data_center dcn ON dcn.id = coalesce(n.data_center_id, a.requested_dc_id)
       LEFT JOIN tenant t ON t.id = a.tenant_id
       LEFT JOIN zone z ON z.id = a.zone_id
       ${DNS_SUMMARY_JOIN}
       WHERE ${w.sql}
       ORDER BY a.id LIMIT ${w.p(f.limit)}`,
      w.params,
    );
    return rows.map((r) => ({
      ...toAllocation(r),
      networkId: r.network_id as number | null as number,
      network: (r.network_name as string | null) ?? null,
      dataCenter: r.dc_name as string,
      tenant: (r.tenant_name as string | null) ?? null,
      zone: (r.zone_name as string | null) ?? null,
      issuedAddress: r.issued_address === null ? null : canonicalAddress(r.issued_address as string),
      issuedName: (r.name as string | null) ?? null,
      releasedAt: r.released_at === null ? null : new Date(r.released_at as string),
      releaseReason: (r.release_reason as string | null) ?? null,
      dns: toDnsSummary(r),
    }));
  }

  /**
   * Per tenant and UTC day: allocations active at any time that day, and address-hours (the
   * hours each address was held within that day).
   */
  async usageByDay(from: Date, to: Date, tenantId?: number, scope?: Grant[]): Promise<UsageDayRow[]> {
    const w = new Query([from, to], 'a.tenant_id IS NOT NULL');
    w.eq('a.tenant_id', tenantId);
    w.scope(scope, 'a.requested_dc_id', 'a.tenant_id');
    const rows: Record<string, unknown>[] = await this.db.rows(
      `WITH days AS (
         SELECT d AS day_start, d + interval '1 day' AS day_end
         FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', $2::timestamptz - interval '1 microsecond', interval '1 day') AS d
       )
       SELECT t.name AS tenant, to_char(days.day_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
         count(*) AS allocations,
         coalesce(sum(CASE WHEN a.address IS NULL THEN 0 ELSE
           extract(epoch FROM least(coalesce(a.address_released_at, now()), days.day_end, $2::timestamptz)
                            - greatest(a.created_at, days.day_start, $1::timestamptz)) END), 0) / 3600.0 AS address_hours
       FROM days
       JOIN allocation a ON a.created_at < days.day_end AND coalesce(a.released_at, now()) >= days.day_start
         AND a.created_at < $2::timestamptz AND coalesce(a.released_at, now()) >= $1::timestamptz
       JOIN tenant t ON t.id = a.tenant_id
       WHERE ${w.sql}
       GROUP BY t.name, days.day_start
       ORDER BY t.name, days.day_start`,
      w.params,
    );
    return rows.map((r) => ({
      tenant: r.tenant as string,
      day: r.day as string,
      allocations: Number(r.allocations),
      addressHours: Math.max(0, Math.round(Number(r.address_hours) * 1000) / 1000),
    }));
  }

  /**
   * The current snapshot (xmin:xmax:in-progress ids). It moves when a transaction that wrote gets
   * its id and again when it commits, so a poller that sees it unchanged knows no write committed
   * since — in this process or any other on the same database.
   */
  async changeStamp(): Promise<string> {
    const [row] = await this.db.rows(`SELECT pg_current_snapshot()::text AS s`);
    return row!.s as string;
  }
}
