/**
 * The logic's StoreTx over one TypeORM transaction. Simple reads and inserts go through the
 * entities' repositories; the allocator's hot path is hand-written SQL so that each step is one
 * indexed statement.
 */
import { In, type EntityManager } from 'typeorm';
import { StoreConflict } from '../logic/core/errors';
import { formatAddress, type AddressRange, type Family } from '../logic/core/ip';
import type { Allocation, DataCenter, Intent, Network, ReleaseReason, Tenant, Zone } from '../logic/core/model';
import type { ActiveAllocationFilter, ActiveAllocationRow, NetworkFilter, NewNetwork, StoreTx } from '../logic/ports';
import { DataCenterEntity, FreeRangeEntity, NetworkEntity, TenantEntity, ZoneEntity } from './entities';
import type { AuditEntry } from '../logic/audit/audit';
import type { Grant } from '../logic/access/policy';
import type {
  AlertEventRecord,
  ExportRow,
  AllocationSearchFilter,
  AllocationSearchRow,
  NetworkFillRow,
  NewAlertEvent,
  AuditQuery,
  AuditRow,
  NetworkChange,
  NetworkSearchFilter,
  NetworkSearchRow,
  ReservationRecord,
  SessionRecord,
  UsageDayRow,
  UserRecord,
} from '../logic/ports';
import * as security from './security';
import * as management from './management';
import * as consoleSql from './console';
import * as alerts from './alerts';
import * as dns from './dns';
import type { DnsChange, DnsRecord, DnsServer, DnsZone, DnsZoneRef, NewDnsChange, Publishable } from '../logic/dns/dns';
import type { DnsOutboxStats, DnsOutcome } from '../logic/ports';
import * as exporting from './export';
import { ContainerSql } from './containers';
import { canonicalAddress, toAllocation, toDataCenter, toNetwork, toTenant, toZone } from './mapping';

/** TypeORM answers UPDATE/DELETE … RETURNING on postgres with [rows, count]; SELECT/INSERT with rows. */
function returned<T>(result: unknown): T[] {
  return (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) ? result[0] : result) as T[];
}

export class TypeormTx implements StoreTx {
  /** Networks whose fill this transaction changed: reported to watchers once it commits. */
  readonly touched = new Set<number>();
  /** True once this transaction queued DNS changes (the store tells the worker after commit). */
  dnsQueued = false;

  readonly containers: ContainerSql;

  constructor(private readonly m: EntityManager) {
    this.containers = new ContainerSql(m);
  }

  private get networks() {
    return this.m.getRepository(NetworkEntity);
  }

  async dataCenterByName(name: string): Promise<DataCenter | null> {
    const e = await this.m.getRepository(DataCenterEntity).findOneBy({ name });
    return e && toDataCenter(e);
  }

  async dataCentersWithVlan(vlan: number): Promise<DataCenter[]> {
    const rows = await this.m
      .getRepository(DataCenterEntity)
      .createQueryBuilder('d')
      .where('d.id IN (SELECT n.data_center_id FROM network n WHERE n.vlan = :vlan)', { vlan })
      .orderBy('d.name')
      .getMany();
    return rows.map(toDataCenter);
  }

  async tenantByName(name: string): Promise<Tenant | null> {
    const e = await this.m.getRepository(TenantEntity).findOneBy({ name });
    return e && toTenant(e);
  }

  async zoneByName(name: string): Promise<Zone | null> {
    const e = await this.m.getRepository(ZoneEntity).findOneBy({ name });
    return e && toZone(e);
  }

  async zoneById(id: number): Promise<Zone | null> {
    const e = await this.m.getRepository(ZoneEntity).findOneBy({ id });
    return e && toZone(e);
  }

  async networkByName(name: string): Promise<Network | null> {
    const e = await this.networks.findOneBy({ name });
    return e && toNetwork(e);
  }

  async networkName(id: number): Promise<string> {
    return (await this.networks.findOneByOrFail({ id })).name;
  }

  async networksOnVlan(dataCenterId: number, vlan: number): Promise<Network[]> {
    return (await this.networks.findBy({ dataCenterId, vlan })).map(toNetwork);
  }

  async networksOfTenants(dataCenterId: number, tenantIds: number[], family: Family): Promise<Network[]> {
    if (tenantIds.length === 0) return [];
    const rows = await this.networks.findBy({ dataCenterId, tenantId: In(tenantIds) });
    return rows.map(toNetwork).filter((n) => n.family === family);
  }

  async reservePools(dataCenterId: number, family: Family): Promise<Network[]> {
    const rows = await this.networks.findBy({ dataCenterId, reservePool: true });
    return rows.map(toNetwork).filter((n) => n.family === family);
  }

  async overlappingNetworks(dataCenterId: number, vlan: number | null, cidr: string): Promise<Network[]> {
    const rows = await this.networks
      .createQueryBuilder('n')
      .where('n.data_center_id = :dataCenterId', { dataCenterId })
      .andWhere('coalesce(n.vlan, 0) = :vlan', { vlan: vlan ?? 0 })
      .andWhere('n.cidr && CAST(:cidr AS cidr)', { cidr })
      .getMany();
    return rows.map(toNetwork);
  }










  async listActiveAllocations(f: ActiveAllocationFilter): Promise<ActiveAllocationRow[]> {
    const params: unknown[] = [];
    const param = (v: unknown) => `$${params.push(v)}`;
    const where = ['a.released_at IS NULL'];
    if (f.dataCenterId !== undefined) where.push(`a.requested_dc_id = ${param(f.dataCenterId)}`);
    if (f.vlan !== undefined) where.push(`a.requested_vlan = ${param(f.vlan)}`);
    if (f.serverInstance !== undefined) where.push(`a.server_instance = ${param(f.serverInstance)}`);
    if (f.after !== undefined) where.push(`a.id > ${param(f.after)}::uuid`);
    if (f.scope !== undefined) where.push(management.scopeTerms(f.scope, 'n.data_center_id', 'n.tenant_id', param));
    const rows: Record<string, unknown>[] = await this.m.query(
      `SELECT a.*, dc.name AS dc_name, n.name AS network_name, z.name AS zone_name, d.*
       FROM allocation a
       JOIN data_center dc ON dc.id = a.requested_dc_id
       JOIN network n ON n.id = a.network_id
       LEFT JOIN zone z ON z.id = a.zone_id
       ${dns.DNS_SUMMARY_JOIN}
       WHERE ${where.join(' AND ')}
       ORDER BY a.id LIMIT ${param(f.limit)}`,
      params,
    );
    return rows.map((r) => ({
      ...toAllocation(r),
      dataCenter: r.dc_name as string,
      network: r.network_name as string,
      zone: (r.zone_name as string | null) ?? null,
      dns: dns.toDnsSummary(r),
    }));
  }

  userByName(username: string): Promise<UserRecord | null> {
    return security.userByName(this.m, username);
  }

  async anyUser(): Promise<boolean> {
    return (await this.m.query(`SELECT 1 FROM app_user LIMIT 1`)).length > 0;
  }

  insertUser(u: Omit<UserRecord, 'id' | 'grants' | 'disabled'>, grants: Grant[]): Promise<UserRecord> {
    return security.insertUser(this.m, u, grants);
  }

  recordNonce(nonce: string, cutoff: Date): Promise<boolean> {
    return security.recordNonce(this.m, nonce, cutoff);
  }

  authFailures(key: string, since: Date): Promise<number> {
    return security.authFailures(this.m, key, since);
  }

  recordAuthFailure(key: string, at: Date, cutoff: Date): Promise<void> {
    return security.recordAuthFailure(this.m, key, at, cutoff);
  }

  clearAuthFailures(key: string): Promise<void> {
    return security.clearAuthFailures(this.m, key);
  }

  appendAudit(e: AuditEntry): Promise<void> {
    return security.appendAudit(this.m, e);
  }

  listAudit(q: AuditQuery): Promise<AuditRow[]> {
    return security.listAudit(this.m, q);
  }

  async networkById(id: number): Promise<Network> {
    return toNetwork(await this.networks.findOneByOrFail({ id }));
  }

  async insertDataCenter(name: string, description: string | null): Promise<DataCenter> {
    const repo = this.m.getRepository(DataCenterEntity);
    const id = (await repo.insert({ name, description })).identifiers[0].id as number;
    return toDataCenter(await repo.findOneByOrFail({ id }));
  }

  async insertTenant(name: string, description: string | null): Promise<Tenant> {
    const repo = this.m.getRepository(TenantEntity);
    const id = (await repo.insert({ name, description })).identifiers[0].id as number;
    return toTenant(await repo.findOneByOrFail({ id }));
  }

  async insertZone(name: string): Promise<Zone> {
    const repo = this.m.getRepository(ZoneEntity);
    const id = (await repo.insert({ name })).identifiers[0].id as number;
    return toZone(await repo.findOneByOrFail({ id }));
  }

  async insertNetwork(n: NewNetwork, free: AddressRange[]): Promise<Network> {
    // insert, never save(): save() would update an existing row if an id slipped through.
    const { family, ...columns } = n;
    delete (columns as { id?: number }).id;
    const id = (await this.networks.insert(columns)).identifiers[0].id as number;
    if (free.length > 0) await this.m.getRepository(FreeRangeEntity).insert(
      free.map((r) => ({
        networkId: id,
        firstAddr: formatAddress(family, r.first),
        lastAddr: formatAddress(family, r.last),
      })),
    );
    return toNetwork(await this.networks.findOneByOrFail({ id }));
  }

  async networkUsage(filter: NetworkFilter) {
    const qb = this.networks
      .createQueryBuilder('n')
      .addSelect(
        `(SELECT count(*) FROM allocation a WHERE a.network_id = n.id AND a.address IS NOT NULL AND a.address_released_at IS NULL)`,
        'used',
      )
      .addSelect(`(SELECT count(*) FROM held_address h WHERE h.network_id = n.id AND h.until > now())`, 'held')
      .addSelect('d.name', 'dc_name')
      .addSelect('t.name', 'tenant_name')
      .addSelect('z.name', 'zone_name')
      .innerJoin(DataCenterEntity, 'd', 'd.id = n.data_center_id')
      .leftJoin(TenantEntity, 't', 't.id = n.tenant_id')
      .leftJoin(ZoneEntity, 'z', 'z.id = n.zone_id')
      .orderBy('d.name')
      .addOrderBy('n.vlan', 'ASC', 'NULLS LAST')
      .addOrderBy('n.priority')
      .addOrderBy('n.name');
    if (filter.dataCenterId !== undefined) qb.andWhere('n.data_center_id = :dc', { dc: filter.dataCenterId });
    if (filter.vlan !== undefined) qb.andWhere('n.vlan = :vlan', { vlan: filter.vlan });
    if (filter.tenantId !== undefined) qb.andWhere('n.tenant_id = :tenant', { tenant: filter.tenantId });
    const { entities, raw } = await qb.getRawAndEntities();
    return entities.map((e, i) => ({
      network: toNetwork(e),
      dataCenter: raw[i].dc_name as string,
      tenant: (raw[i].tenant_name as string | null) ?? null,
      zone: (raw[i].zone_name as string | null) ?? null,
      used: BigInt(raw[i].used as string),
      held: BigInt(raw[i].held as string),
    }));
  }

  async listDataCenters(): Promise<DataCenter[]> {
    return (await this.m.getRepository(DataCenterEntity).find({ order: { name: 'ASC' } })).map(toDataCenter);
  }

  async listTenants(): Promise<Tenant[]> {
    return (await this.m.getRepository(TenantEntity).find({ order: { name: 'ASC' } })).map(toTenant);
  }

  async listZones(): Promise<Zone[]> {
    return (await this.m.getRepository(ZoneEntity).find({ order: { name: 'ASC' } })).map(toZone);
  }

  lockNetwork(networkId: number): Promise<void> {
    return management.lockNetwork(this.m, networkId);
  }

  occupiedAddresses(networkId: number): Promise<string[]> {
    return management.occupiedAddresses(this.m, networkId);
  }

  replaceFreeRanges(networkId: number, family: Family, free: AddressRange[]): Promise<void> {
    this.touched.add(networkId);
    return management.replaceFreeRanges(this.m, networkId, family, free);
  }

  updateNetwork(id: number, change: NetworkChange): Promise<Network> {
    return management.updateNetwork(this.m, id, change);
  }

  async deleteNetwork(id: number): Promise<void> {
    await this.m.query(`DELETE FROM network WHERE id = $1`, [id]);
  }

  async activeAllocationCount(networkId: number): Promise<number> {
    const [r] = await this.m.query(`SELECT count(*)::int AS n FROM allocation WHERE network_id = $1 AND released_at IS NULL`, [networkId]);
    return r.n as number;
  }

  releaseNetwork(networkId: number, reason: ReleaseReason): Promise<number> {
    this.touched.add(networkId);
    return management.releaseNetwork(this.m, networkId, reason);
  }

  moveIntoNetwork(fromNetworkId: number, toNetworkId: number, cidr: string | null): Promise<void> {
    this.touched.add(fromNetworkId).add(toNetworkId);
    return management.moveIntoNetwork(this.m, fromNetworkId, toNetworkId, cidr);
  }

  reservations(networkId: number): Promise<ReservationRecord[]> {
    return management.reservations(this.m, networkId);
  }

  insertReservation(networkId: number, first: string, last: string, note: string | null): Promise<ReservationRecord> {
    return management.insertReservation(this.m, networkId, first, last, note);
  }

  deleteReservation(networkId: number, id: string): Promise<ReservationRecord | null> {
    return management.deleteReservation(this.m, networkId, id);
  }

  referencesTo(kind: 'data_center' | 'tenant' | 'zone', id: number): Promise<number> {
    return management.referencesTo(this.m, kind, id);
  }

  deleteTopologyObject(kind: 'data_center' | 'tenant' | 'zone', id: number): Promise<void> {
    return management.deleteTopologyObject(this.m, kind, id);
  }

  searchNetworks(f: NetworkSearchFilter): Promise<NetworkSearchRow[]> {
    return management.searchNetworks(this.m, f);
  }

  searchAllocations(f: AllocationSearchFilter): Promise<AllocationSearchRow[]> {
    return management.searchAllocations(this.m, f);
  }

  usageByDay(from: Date, to: Date, tenantId?: number, scope?: Grant[]): Promise<UsageDayRow[]> {
    return management.usageByDay(this.m, from, to, tenantId, scope);
  }

  allocatedRanges(networkId: number): Promise<{ first: string; last: string }[]> {
    return consoleSql.allocatedRanges(this.m, networkId);
  }

  heldRanges(networkId: number): Promise<{ first: string; last: string }[]> {
    return consoleSql.heldRanges(this.m, networkId);
  }

  changeStamp(): Promise<string> {
    return consoleSql.changeStamp(this.m);
  }

  insertSession(tokenHash: string, userId: number, csrfToken: string, at: Date): Promise<void> {
    return consoleSql.insertSession(this.m, tokenHash, userId, csrfToken, at);
  }

  sessionByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    return consoleSql.sessionByTokenHash(this.m, tokenHash);
  }

  touchSession(tokenHash: string, at: Date): Promise<void> {
    return consoleSql.touchSession(this.m, tokenHash, at);
  }

  deleteSession(tokenHash: string): Promise<void> {
    return consoleSql.deleteSession(this.m, tokenHash);
  }

  deleteIdleSessions(cutoff: Date): Promise<number> {
    return consoleSql.deleteIdleSessions(this.m, cutoff);
  }

  dnsZone(ref: DnsZoneRef): Promise<DnsZone | null> {
    return dns.dnsZone(this.m, ref);
  }

  reverseZoneFor(address: string): Promise<DnsZone | null> {
    return dns.reverseZoneFor(this.m, address);
  }

  reverseZoneByPrefix(prefix: string): Promise<DnsZone | null> {
    return dns.reverseZoneByPrefix(this.m, prefix);
  }

  listDnsZones(): Promise<DnsZone[]> {
    return dns.listDnsZones(this.m);
  }

  setZoneServer(zoneId: number, server: DnsServer | null): Promise<void> {
    return dns.setZoneServer(this.m, zoneId, server);
  }

  insertReverseZone(prefix: string, name: string, server: DnsServer): Promise<DnsZone> {
    return dns.insertReverseZone(this.m, prefix, name, server);
  }

  updateReverseZone(id: number, server: DnsServer): Promise<void> {
    return dns.updateReverseZone(this.m, id, server);
  }

  deleteReverseZone(id: number): Promise<void> {
    return dns.deleteReverseZone(this.m, id);
  }

  publishableAllocations(q: { zoneId?: number; prefix?: string; afterId?: string; limit: number }): Promise<Publishable[]> {
    return dns.publishableAllocations(this.m, q);
  }

  async enqueueDnsChanges(changes: NewDnsChange[]): Promise<void> {
    await dns.enqueueDnsChanges(this.m, changes);
    if (changes.length) this.dnsQueued = true;
  }

  liveDnsRecords(allocationIds: string[]): Promise<(DnsRecord & { allocationId: string })[]> {
    return dns.liveDnsRecords(this.m, allocationIds);
  }

  activeAllocationIds(networkId: number): Promise<string[]> {
    return dns.activeAllocationIds(this.m, networkId);
  }

  async retryDnsChanges(zone: DnsZoneRef): Promise<number> {
    const n = await dns.retryDnsChanges(this.m, zone);
    if (n) this.dnsQueued = true;
    return n;
  }

  skipDnsChanges(zone: DnsZoneRef, reason: string): Promise<number> {
    return dns.skipDnsChanges(this.m, zone, reason);
  }

  claimDnsChanges(limit: number, leaseSeconds: number, token: string): Promise<DnsChange[]> {
    return dns.claimDnsChanges(this.m, limit, leaseSeconds, token);
  }

  finishDnsChange(id: string, token: string, outcome: DnsOutcome): Promise<void> {
    return dns.finishDnsChange(this.m, id, token, outcome);
  }

  dnsOutboxStats(): Promise<DnsOutboxStats> {
    return dns.dnsOutboxStats(this.m);
  }

  pruneDnsChanges(before: Date, limit: number): Promise<number> {
    return dns.pruneDnsChanges(this.m, before, limit);
  }

  listUsers(): Promise<UserRecord[]> {
    return security.listUsers(this.m);
  }

  updateUser(id: number, change: { passwordHash?: string; sealedPassword?: string | null; disabled?: boolean }): Promise<void> {
    return security.updateUser(this.m, id, change);
  }

  deleteUser(id: number): Promise<void> {
    return security.deleteUser(this.m, id);
  }

  networkFills(networkId?: number): Promise<NetworkFillRow[]> {
    return alerts.networkFills(this.m, networkId);
  }

  lockAlertState(networkId: number): Promise<'normal' | 'high' | null> {
    return alerts.lockAlertState(this.m, networkId);
  }

  setAlertState(networkId: number, state: 'normal' | 'high', percent: number): Promise<void> {
    return alerts.setAlertState(this.m, networkId, state, percent);
  }

  insertAlertEvent(e: NewAlertEvent): Promise<AlertEventRecord> {
    return alerts.insertAlertEvent(this.m, e);
  }

  alertThreshold(networkId: number): Promise<number | null> {
    return alerts.alertThreshold(this.m, networkId);
  }

  setAlertThreshold(networkId: number, percent: number | null): Promise<void> {
    this.touched.add(networkId);
    return alerts.setAlertThreshold(this.m, networkId, percent);
  }

  claimAlertDelivery(leaseSeconds: number): Promise<AlertEventRecord | null> {
    return alerts.claimAlertDelivery(this.m, leaseSeconds);
  }

  finishAlertDelivery(id: string, outcome: { delivered: true } | { delivered: false; error: string; retryInMs: number | null }): Promise<void> {
    return alerts.finishAlertDelivery(this.m, id, outcome);
  }
  async snapshotIsolation(): Promise<void> {
    await this.m.query(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
  }

  appliedMigrations(): Promise<string[]> {
    return exporting.appliedMigrations(this.m);
  }

  tableColumns(table: string): Promise<string[]> {
    return exporting.tableColumns(this.m, table);
  }

  exportTable(table: string): Promise<ExportRow[]> {
    return exporting.exportTable(this.m, table);
  }

  importTable(table: string, rows: ExportRow[]): Promise<void> {
    return exporting.importTable(this.m, table, rows);
  }

  nonEmptyTables(tables: string[]): Promise<string[]> {
    return exporting.nonEmptyTables(this.m, tables);
  }

  truncateTables(tables: string[]): Promise<void> {
    return exporting.truncateTables(this.m, tables);
  }

  resetIdentities(tables: string[]): Promise<void> {
    return exporting.resetIdentities(this.m, tables);
  }

}
