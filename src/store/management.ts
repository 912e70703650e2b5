/** SQL for managing networks: locks, free-range rebuilds, moves, reservations, searches, metering. */
import type { EntityManager } from 'typeorm';
import { formatAddress, type AddressRange, type Family } from '../logic/core/ip';
import type { Network, ReleaseReason } from '../logic/core/model';
import type { Grant } from '../logic/access/policy';
import type {
  AllocationSearchFilter,
  AllocationSearchRow,
  NetworkChange,
  NetworkSearchFilter,
  NetworkSearchRow,
  ReservationRecord,
  UsageDayRow,
} from '../logic/ports';
import { NetworkEntity } from './entities';
import { DNS_SUMMARY_JOIN, toDnsSummary } from './dns';
import { canonicalAddress, toAllocation, toNetwork } from './mapping';

/** Advisory-lock namespace of a network: takers and returners share it, management takes it alone. */
const NETWORK_LOCK = 0x1668;

export async function lockNetworkShared(m: EntityManager, networkId: number): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock_shared($1, $2)`, [NETWORK_LOCK, networkId]);
}

export async function lockNetwork(m: EntityManager, networkId: number): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock($1, $2)`, [NETWORK_LOCK, networkId]);
}

export async function occupiedAddresses(m: EntityManager, networkId: number): Promise<string[]> {
  const rows: { a: string }[] = await m.query(
    `SELECT host(address) AS a FROM allocation WHERE network_id = $1 AND address IS NOT NULL AND address_released_at IS NULL
     UNION ALL SELECT host(address) FROM held_address WHERE network_id = $1`,
    [networkId],
  );
  return rows.map((r) => canonicalAddress(r.a));
}

export async function replaceFreeRanges(m: EntityManager, networkId: number, family: Family, free: AddressRange[]): Promise<void> {
  await m.query(`DELETE FROM free_range WHERE network_id = $1`, [networkId]);
  const chunk = 1000;
  for (let i = 0; i < free.length; i += chunk) {
    const part = free.slice(i, i + chunk);
    await m.query(
      `INSERT INTO free_range (network_id, first_addr, last_addr)
       SELECT $1, f::inet, l::inet FROM unnest($2::text[], $3::text[]) AS t(f, l)`,
      [networkId, part.map((r) => formatAddress(family, r.first)), part.map((r) => formatAddress(family, r.last))],
    );
  }
}

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

export async function updateNetwork(m: EntityManager, id: number, change: NetworkChange): Promise<Network> {
  const params: unknown[] = [id];
  const sets = ['updated_at = now()'];
  for (const [key, value] of Object.entries(change) as [keyof NetworkChange, unknown][]) {
    if (value === undefined) continue;
    params.push(key === 'tags' ? JSON.stringify(value) : value);
    sets.push(`${COLUMNS[key]} = $${params.length}${key === 'tags' ? '::jsonb' : ''}`);
  }
  await m.query(`UPDATE network SET ${sets.join(', ')} WHERE id = $1`, params);
  return toNetwork(await m.getRepository(NetworkEntity).findOneByOrFail({ id }));
}

export async function releaseNetwork(m: EntityManager, networkId: number, reason: ReleaseReason): Promise<number> {
  const rows: unknown[] = await m.query(
    `UPDATE allocation SET
       address_released_at = CASE WHEN address IS NOT NULL THEN coalesce(address_released_at, now()) END,
       name_released_at = CASE WHEN name IS NOT NULL THEN coalesce(name_released_at, now()) END,
       released_at = now(), release_reason = $2
     WHERE network_id = $1 AND released_at IS NULL RETURNING id`,
    [networkId, reason],
  );
  return returnedCount(rows);
}

export async function moveIntoNetwork(m: EntityManager, from: number, to: number, cidr: string | null): Promise<void> {
  const inside = cidr === null ? '' : `AND address <<= CAST($3 AS cidr)`;
  const params = cidr === null ? [from, to] : [from, to, cidr];
  await m.query(`UPDATE allocation SET network_id = $2 WHERE network_id = $1 AND released_at IS NULL ${inside}`, params);
  await m.query(`UPDATE reservation SET network_id = $2 WHERE network_id = $1 ${cidr === null ? '' : 'AND first_addr <<= CAST($3 AS cidr)'}`, params);
  await m.query(`UPDATE held_address SET network_id = $2 WHERE network_id = $1 ${cidr === null ? '' : 'AND address <<= CAST($3 AS cidr)'}`, params);
}

const toReservation = (r: Record<string, unknown>): ReservationRecord => ({
  id: String(r.id),
  networkId: r.network_id as number,
  first: canonicalAddress(r.first_addr as string),
  last: canonicalAddress(r.last_addr as string),
  note: (r.note as string | null) ?? null,
  createdAt: new Date(r.created_at as string),
});

export async function reservations(m: EntityManager, networkId: number): Promise<ReservationRecord[]> {
  const rows: Record<string, unknown>[] = await m.query(`SELECT * FROM reservation WHERE network_id = $1 ORDER BY first_addr`, [networkId]);
  return rows.map(toReservation);
}

export async function insertReservation(m: EntityManager, networkId: number, first: string, last: string, note: string | null): Promise<ReservationRecord> {
  const rows: Record<string, unknown>[] = await m.query(
    `INSERT INTO reservation (network_id, first_addr, last_addr, note) VALUES ($1, $2::inet, $3::inet, $4) RETURNING *`,
    [networkId, first, last, note],
  );
  return toReservation(rows[0]);
}

export async function deleteReservation(m: EntityManager, networkId: number, id: string): Promise<ReservationRecord | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const rows = returnedRows(await m.query(`DELETE FROM reservation WHERE network_id = $1 AND id = $2::bigint RETURNING *`, [networkId, id]));
  return rows.length ? toReservation(rows[0]) : null;
}

const REFERENCES: Record<'data_center' | 'tenant' | 'zone', string[]> = {
  data_center: [
    'SELECT count(*) FROM network WHERE data_center_id = $1',
    'SELECT count(*) FROM container WHERE data_center_id = $1',
    'SELECT count(*) FROM user_grant WHERE data_center_id = $1',
    'SELECT count(*) FROM allocation WHERE requested_dc_id = $1',
  ],
  tenant: [
    'SELECT count(*) FROM network WHERE tenant_id = $1',
    'SELECT count(*) FROM container WHERE tenant_id = $1',
    'SELECT count(*) FROM app_user WHERE tenant_id = $1',
    'SELECT count(*) FROM user_grant WHERE tenant_id = $1',
  ],
  zone: ['SELECT count(*) FROM network WHERE zone_id = $1', 'SELECT count(*) FROM allocation WHERE zone_id = $1 AND name_released_at IS NULL'],
};

export async function referencesTo(m: EntityManager, kind: 'data_center' | 'tenant' | 'zone', id: number): Promise<number> {
  const [row] = await m.query(`SELECT ${REFERENCES[kind].map((q) => `(${q})`).join(' + ')} AS n`, [id]);
  return Number(row.n);
}

export async function deleteTopologyObject(m: EntityManager, kind: 'data_center' | 'tenant' | 'zone', id: number): Promise<void> {
  // Released history keeps pointing at a zone by id; detach it rather than lose the history.
  if (kind === 'zone') await m.query(`UPDATE allocation SET zone_id = NULL, name = NULL WHERE zone_id = $1 AND name_released_at IS NOT NULL AND address IS NOT NULL`, [id]);
  if (kind === 'zone') await m.query(`DELETE FROM allocation WHERE zone_id = $1 AND name_released_at IS NOT NULL AND address IS NULL`, [id]);
  await m.query(`DELETE FROM ${kind} WHERE id = $1`, [id]);
}

/** SQL for "a grant covers this row" (a null in a grant matches anything). */
export function scopeTerms(scope: Grant[], dcColumn: string, tenantColumn: string, p: (v: unknown) => string): string {
  const terms = scope.map(
    (g) =>
      `(${g.dataCenterId === null ? 'true' : `${dcColumn} = ${p(g.dataCenterId)}`} AND ${g.tenantId === null ? 'true' : `${tenantColumn} = ${p(g.tenantId)}`})`,
  );
  return terms.length ? `(${terms.join(' OR ')})` : 'false';
}

export async function searchNetworks(m: EntityManager, f: NetworkSearchFilter): Promise<NetworkSearchRow[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = ['true'];
  if (f.dataCenterId !== undefined) where.push(`n.data_center_id = ${p(f.dataCenterId)}`);
  if (f.vlan !== undefined) where.push(`n.vlan = ${p(f.vlan)}`);
  if (f.tenantId !== undefined) where.push(`n.tenant_id = ${p(f.tenantId)}`);
  if (f.tagKey !== undefined && f.tagValue !== undefined) where.push(`n.tags @> ${p(JSON.stringify({ [f.tagKey]: f.tagValue }))}::jsonb`);
  else if (f.tagKey !== undefined) where.push(`n.tags ? ${p(f.tagKey)}`);
  if (f.address !== undefined) where.push(`n.cidr >>= ${p(f.address)}::inet`);
  if (f.nameLike !== undefined) where.push(`strpos(lower(n.name), lower(${p(f.nameLike)})) > 0`);
  if (f.id !== undefined) where.push(`n.id = ${p(f.id)}`);
  if (f.scope !== undefined) where.push(scopeTerms(f.scope, 'n.data_center_id', 'n.tenant_id', p));
  if (f.afterId !== undefined) where.push(`n.id > ${p(f.afterId)}`);
  const rows: Record<string, unknown>[] = await m.query(
    // Active addresses counted in one pass over the page's networks: a count per network in a
    // subquery made PostgreSQL scan the whole table once per network when one network is large.
    `WITH page AS (
       SELECT n.id, d.name AS dc_name, t.name AS tenant_name, z.name AS zone_name
       FROM network n
       JOIN data_center d ON d.id = n.data_center_id
       LEFT JOIN tenant t ON t.id = n.tenant_id
       LEFT JOIN zone z ON z.id = n.zone_id
       WHERE ${where.join(' AND ')}
       ORDER BY n.id LIMIT ${p(f.limit)}
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
    params,
  );
  if (rows.length === 0) return [];
  const entities = await m.getRepository(NetworkEntity).findBy(rows.map((r) => ({ id: r.id as number })));
  const byId = new Map(entities.map((e) => [e.id, toNetwork(e)]));
  return rows.map((r) => ({
    network: byId.get(r.id as number)!,
    dataCenter: r.dc_name as string,
    tenant: (r.tenant_name as string | null) ?? null,
    zone: (r.zone_name as string | null) ?? null,
    used: BigInt(r.used as string),
    held: BigInt(r.held as string),
    reserved: (typeof r.reserved === 'string' ? JSON.parse(r.reserved) : (r.reserved as [string, string][])).map(([a, b]: [string, string]) => ({
      first: canonicalAddress(a),
      last: canonicalAddress(b),
    })),
  }));
}

export async function searchAllocations(m: EntityManager, f: AllocationSearchFilter): Promise<AllocationSearchRow[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = [f.includeReleased ? 'true' : 'a.released_at IS NULL'];
  if (f.dataCenterId !== undefined) where.push(`coalesce(n.data_center_id, a.requested_dc_id) = ${p(f.dataCenterId)}`);
  if (f.vlan !== undefined) where.push(`a.requested_vlan = ${p(f.vlan)}`);
  if (f.tenantId !== undefined) where.push(`a.tenant_id = ${p(f.tenantId)}`);
  if (f.networkId !== undefined) where.push(`a.network_id = ${p(f.networkId)}`);
  if (f.tagKey !== undefined && f.tagValue !== undefined) where.push(`n.tags @> ${p(JSON.stringify({ [f.tagKey]: f.tagValue }))}::jsonb`);
  else if (f.tagKey !== undefined) where.push(`n.tags ? ${p(f.tagKey)}`);
  if (f.address !== undefined) where.push(`a.address = ${p(f.address)}::inet`);
  if (f.name !== undefined) {
    where.push(`a.name = ${p(f.name.label)}`);
    if (f.name.zone !== undefined) where.push(`z.name = ${p(f.name.zone)}`);
  }
  if (f.serverInstance !== undefined) where.push(`a.server_instance = ${p(f.serverInstance)}`);
  if (f.scope !== undefined) where.push(scopeTerms(f.scope, 'coalesce(n.data_center_id, a.requested_dc_id)', 'a.tenant_id', p));
  if (f.after !== undefined) where.push(`a.id > ${p(f.after)}::uuid`);
  const rows: Record<string, unknown>[] = await m.query(
    `SELECT a.*, host(a.address) AS issued_address, n.name AS network_name, dcn.name AS dc_name, t.name AS tenant_name, z.name AS zone_name, d.*
     FROM allocation a
     LEFT JOIN network n ON n.id = a.network_id
     JOIN data_center dcn ON dcn.id = coalesce(n.data_center_id, a.requested_dc_id)
     LEFT JOIN tenant t ON t.id = a.tenant_id
     LEFT JOIN zone z ON z.id = a.zone_id
     ${DNS_SUMMARY_JOIN}
     WHERE ${where.join(' AND ')}
     ORDER BY a.id LIMIT ${p(f.limit)}`,
    params,
  );
  return rows.map((r) => ({
    ...toAllocation(r),
    networkId: (r.network_id as number | null) as number,
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
export async function usageByDay(m: EntityManager, from: Date, to: Date, tenantId?: number, scope?: Grant[]): Promise<UsageDayRow[]> {
  const params: unknown[] = [from, to];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = ['a.tenant_id IS NOT NULL'];
  if (tenantId !== undefined) where.push(`a.tenant_id = ${p(tenantId)}`);
  if (scope !== undefined) where.push(scopeTerms(scope, 'a.requested_dc_id', 'a.tenant_id', p));
  const rows: Record<string, unknown>[] = await m.query(
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
     WHERE ${where.join(' AND ')}
     GROUP BY t.name, days.day_start
     ORDER BY t.name, days.day_start`,
    params,
  );
  return rows.map((r) => ({
    tenant: r.tenant as string,
    day: r.day as string,
    allocations: Number(r.allocations),
    addressHours: Math.max(0, Math.round(Number(r.address_hours) * 1000) / 1000),
  }));
}

function returnedRows(result: unknown): Record<string, unknown>[] {
  return (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) ? result[0] : result) as Record<string, unknown>[];
}

function returnedCount(result: unknown[]): number {
  return returnedRows(result).length;
}
